/*
 * The C side of the C ABI tests: compiled with -std=c99 -Wall -Wextra
 * -Werror -pedantic against weightinit.h, linked to the built library and
 * run by CProgramTests.swift.
 *
 *   abi_test fill CASES DIR     fill every case, write DIR/<i>.bin, print each case's description
 *   abi_test errors             every bad input returns its status and writes nothing
 *   abi_test threads CASES      8 threads at once give the single-thread bytes of every case
 *   abi_test versions           print what the library reports of the header's numbers (versions, status names)
 *
 * CASES has one case per line, tab-separated: scheme text, dtype, shape
 * (d1,d2,…), layout, in_axis, out_axis, seed, stream, threads, region start
 * and region stop (each d1,d2,… or "-" for the whole tensor).
 */
#define _POSIX_C_SOURCE 200809L

#include "weightinit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sizeof(weightinit_scheme) is part of the ABI (C99 has no _Static_assert). */
typedef char scheme_is_256_bytes[sizeof(weightinit_scheme) == 256 ? 1 : -1];

static int failures = 0;

static void fail(const char *what) {
    fprintf(stderr, "FAIL: %s\n", what);
    failures++;
}

/* ---- Cases -------------------------------------------------------------- */

typedef struct {
    char text[256];
    int dtype, layout;
    size_t rank;
    int64_t shape[WEIGHTINIT_MAX_RANK], start[WEIGHTINIT_MAX_RANK], stop[WEIGHTINIT_MAX_RANK];
    int has_region;
    int64_t in_axis, out_axis;
    uint64_t seed;
    uint32_t stream;
    int32_t threads;
    size_t bytes;        /* of the tensor, or of the region */
    unsigned char *expected; /* threads mode: the single-thread bytes */
} fill_case;

static size_t element_size(int dtype) { return dtype == WEIGHTINIT_F64 ? 8 : dtype == WEIGHTINIT_F32 ? 4 : 2; }

static size_t parse_dims(char *text, int64_t *dims) {
    size_t n = 0;
    char *save = NULL;
    char *field;
    for (field = strtok_r(text, ",", &save); field != NULL && n < WEIGHTINIT_MAX_RANK; field = strtok_r(NULL, ",", &save))
        dims[n++] = strtoll(field, NULL, 10);
    return n;
}

static int read_cases(const char *path, fill_case **cases) {
    FILE *file = fopen(path, "r");
    char line[1024];
    int count = 0, capacity = 0;
    if (file == NULL) { perror(path); exit(2); }
    *cases = NULL;
    while (fgets(line, sizeof line, file) != NULL) {
        char *fields[11];
        char *save = NULL;
        int n = 0;
        fill_case *c;
        size_t d, elements = 1;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0') continue;
        for (fields[n] = strtok_r(line, "\t", &save); fields[n] != NULL && n < 10; fields[++n] = strtok_r(NULL, "\t", &save)) {}
        if (n != 10 || fields[10] == NULL) { fprintf(stderr, "bad case line %d\n", count + 1); exit(2); }
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 32;
            *cases = realloc(*cases, (size_t)capacity * sizeof **cases);
            if (*cases == NULL) exit(2);
        }
        c = &(*cases)[count++];
        memset(c, 0, sizeof *c);
        strncpy(c->text, fields[0], sizeof c->text - 1);
        c->dtype = atoi(fields[1]);
        c->rank = parse_dims(fields[2], c->shape);
        c->layout = atoi(fields[3]);
        c->in_axis = strtoll(fields[4], NULL, 10);
        c->out_axis = strtoll(fields[5], NULL, 10);
        c->seed = strtoull(fields[6], NULL, 10);
        c->stream = (uint32_t)strtoul(fields[7], NULL, 10);
        c->threads = atoi(fields[8]);
        c->has_region = strcmp(fields[9], "-") != 0;
        if (c->has_region) {
            parse_dims(fields[9], c->start);
            parse_dims(fields[10], c->stop);
        }
        for (d = 0; d < c->rank; d++)
            elements *= (size_t)(c->has_region ? c->stop[d] - c->start[d] : c->shape[d]);
        c->bytes = elements * element_size(c->dtype);
    }
    fclose(file);
    return count;
}

/* Fills `c` into `out` with `threads`, parsing the scheme first. */
static weightinit_status fill_one(const fill_case *c, void *out, int32_t threads) {
    weightinit_scheme scheme;
    weightinit_status status = weightinit_scheme_parse(c->text, &scheme);
    if (status != WEIGHTINIT_OK) return status;
    if (c->has_region)
        return weightinit_fill_region(&scheme, out, c->bytes, (weightinit_dtype)c->dtype, c->rank, c->shape, c->start,
                                      c->stop, (weightinit_layout)c->layout, c->in_axis, c->out_axis, c->seed,
                                      c->stream, threads);
    return weightinit_fill(&scheme, out, c->bytes, (weightinit_dtype)c->dtype, c->rank, c->shape,
                           (weightinit_layout)c->layout, c->in_axis, c->out_axis, c->seed, c->stream, threads);
}

static int run_fill(const char *cases_path, const char *directory) {
    fill_case *cases;
    int count = read_cases(cases_path, &cases), i;
    for (i = 0; i < count; i++) {
        const fill_case *c = &cases[i];
        void *out = malloc(c->bytes);
        char path[4096], text[512];
        size_t length;
        weightinit_scheme scheme;
        FILE *file;
        if (out == NULL) return 2;
        if (fill_one(c, out, c->threads) != WEIGHTINIT_OK) {
            fprintf(stderr, "case %d (%s): %s\n", i, c->text, weightinit_last_error());
            return 1;
        }
        snprintf(path, sizeof path, "%s/%d.bin", directory, i);
        file = fopen(path, "wb");
        if (file == NULL || fwrite(out, 1, c->bytes, file) != c->bytes || fclose(file) != 0) { perror(path); return 2; }
        if (weightinit_scheme_parse(c->text, &scheme) != WEIGHTINIT_OK
            || weightinit_scheme_describe(&scheme, text, sizeof text, &length) != WEIGHTINIT_OK
            || length != strlen(text)) {
            fprintf(stderr, "case %d: describe failed: %s\n", i, weightinit_last_error());
            return 1;
        }
        printf("describe %d %s\n", i, text);
        free(out);
    }
    free(cases);
    return 0;
}

/* ---- Concurrency ---------------------------------------------------------- */

typedef struct {
    const fill_case *cases;
    int count, id, mismatches;
} worker;

static void *work(void *argument) {
    worker *w = argument;
    int round, i;
    char own[64];
    weightinit_scheme scheme;
    for (round = 0; round < 3; round++) {
        for (i = 0; i < w->count; i++) {
            /* Start each thread at a different case, so different schemes run at once. */
            const fill_case *c = &w->cases[(i + w->id) % w->count];
            unsigned char *out = malloc(c->bytes);
            if (out == NULL) { w->mismatches++; return NULL; }
            /* The thread count argument never changes the values. */
            if (fill_one(c, out, (int32_t)((w->id + round) % 3)) != WEIGHTINIT_OK
                || memcmp(out, c->expected, c->bytes) != 0)
                w->mismatches++;
            free(out);
        }
        /* Each thread's last error is its own: fail with a message naming this thread. */
        snprintf(own, sizeof own, "no-such-scheme-%d", w->id);
        if (weightinit_scheme_parse(own, &scheme) != WEIGHTINIT_ERROR_INVALID_SCHEME
            || strstr(weightinit_last_error(), own) == NULL)
            w->mismatches++;
    }
    return NULL;
}

static int run_threads(const char *cases_path) {
    enum { THREADS = 8 };
    fill_case *cases;
    int count = read_cases(cases_path, &cases), i;
    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (i = 0; i < count; i++) {
        cases[i].expected = malloc(cases[i].bytes);
        if (cases[i].expected == NULL || fill_one(&cases[i], cases[i].expected, 1) != WEIGHTINIT_OK) {
            fprintf(stderr, "case %d (%s): %s\n", i, cases[i].text, weightinit_last_error());
            return 1;
        }
    }
    for (i = 0; i < THREADS; i++) {
        workers[i].cases = cases;
        workers[i].count = count;
        workers[i].id = i;
        workers[i].mismatches = 0;
        if (pthread_create(&threads[i], NULL, work, &workers[i]) != 0) return 2;
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (workers[i].mismatches != 0) {
            fprintf(stderr, "thread %d: %d fills differ from the single-thread bytes\n", i, workers[i].mismatches);
            failures++;
        }
    }
    printf("threads: %d threads × 3 rounds × %d cases\n", THREADS, count);
    for (i = 0; i < count; i++) free(cases[i].expected);
    free(cases);
    return failures != 0;
}

/* ---- Errors --------------------------------------------------------------- */

#define SENTINEL 0xA5

static int untouched(const void *memory, size_t bytes) {
    const unsigned char *p = memory;
    size_t i;
    for (i = 0; i < bytes; i++)
        if (p[i] != SENTINEL) return 0;
    return 1;
}

/* Checks that `call` returned `expected`, left `memory` as it was, and set a message. */
static void expect(const char *what, weightinit_status got, weightinit_status expected, const void *memory,
                   size_t bytes) {
    char line[512];
    if (got != expected) {
        snprintf(line, sizeof line, "%s: got %s, expected %s (%s)", what, weightinit_status_name(got),
                 weightinit_status_name(expected), weightinit_last_error());
        fail(line);
    } else if (memory != NULL && !untouched(memory, bytes)) {
        snprintf(line, sizeof line, "%s: returned %s but wrote to its output", what, weightinit_status_name(got));
        fail(line);
    } else if (expected != WEIGHTINIT_OK && weightinit_last_error()[0] == '\0') {
        snprintf(line, sizeof line, "%s: no message", what);
        fail(line);
    } else {
        printf("ok %-58s %s: %s\n", what, weightinit_status_name(got), expected == WEIGHTINIT_OK ? "" : weightinit_last_error());
    }
}

static weightinit_scheme parsed(const char *text) {
    weightinit_scheme scheme;
    if (weightinit_scheme_parse(text, &scheme) != WEIGHTINIT_OK) {
        fprintf(stderr, "cannot parse %s: %s\n", text, weightinit_last_error());
        exit(2);
    }
    return scheme;
}

static void check_parse_errors(void) {
    static const struct { const char *text; weightinit_status status; } cases[] = {
        {"", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"   ", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"--std 1", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"no-such-scheme", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"normal --no-such-option 1", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"normal --gain 2", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"normal --std abc", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"normal --std", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"constant", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"kaiming-normal --mode sideways", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"kaiming-normal --nonlinearity relu --negative-slope 0.1", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"normal --seed 3", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"dirac --groups 1.5", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"normal --std 1 --std 2", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"normal --std=1 --std 2", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"lecun-normal --truncated=yes", WEIGHTINIT_ERROR_INVALID_SCHEME},
        {"truncated-normal --sigmas -1", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"orthogonal --gain -1", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        /* Every parameter that does not depend on the shape is checked when the text is parsed. */
        {"normal --std -1", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"normal --std nan", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"normal --std 0", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"normal --std inf", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"normal --mean inf", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"sparse --sparsity 1.5", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"sparse --sparsity 0.5 --std 0", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"uniform --low 2 --high 1", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"uniform --low -inf", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"truncated-normal --low 3 --high 1", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"trunc-normal --a 1 --b -1", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"constant --value 1e400", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"xavier-uniform --gain 0", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"kaiming-uniform --mode fan-out --nonlinearity leaky_relu --negative-slope inf", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"variance-scaling --scale -2", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"eye --gain nan", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"dirac --groups 0", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"orthogonal --blocks 0", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"delta-orthogonal --gain -1", WEIGHTINIT_ERROR_INVALID_PARAMETER},
        {"normal \xff\xfe", WEIGHTINIT_ERROR_INVALID_SCHEME},
    };
    size_t i;
    weightinit_scheme scheme;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[128];
        memset(&scheme, SENTINEL, sizeof scheme);
        snprintf(what, sizeof what, "parse \"%s\"", cases[i].text);
        expect(what, weightinit_scheme_parse(cases[i].text, &scheme), cases[i].status, &scheme, sizeof scheme);
    }
    memset(&scheme, SENTINEL, sizeof scheme);
    expect("parse NULL text", weightinit_scheme_parse(NULL, &scheme), WEIGHTINIT_ERROR_NULL_POINTER, &scheme, sizeof scheme);
    expect("parse into NULL", weightinit_scheme_parse("normal", NULL), WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0);
}

static void check_describe_errors(void) {
    weightinit_scheme scheme = parsed("xavier-uniform --gain 2");
    char text[8];
    size_t length = 0;
    memset(text, SENTINEL, sizeof text);
    expect("describe into 8 bytes", weightinit_scheme_describe(&scheme, text, sizeof text, &length),
           WEIGHTINIT_ERROR_BUFFER_TOO_SMALL, text, sizeof text);
    if (length != strlen("xavier-uniform --gain 2")) fail("describe: the length needed is reported");
    expect("describe, length query", weightinit_scheme_describe(&scheme, NULL, 0, &length),
           WEIGHTINIT_ERROR_BUFFER_TOO_SMALL, NULL, 0);
    expect("describe NULL scheme", weightinit_scheme_describe(NULL, text, sizeof text, &length),
           WEIGHTINIT_ERROR_NULL_POINTER, text, sizeof text);
    expect("describe NULL length", weightinit_scheme_describe(&scheme, text, sizeof text, NULL),
           WEIGHTINIT_ERROR_NULL_POINTER, text, sizeof text);
}

/* Arguments of one fill call, all valid; each check breaks exactly one. */
typedef struct {
    const weightinit_scheme *scheme;
    void *data;
    size_t bytes;
    int dtype;
    size_t rank;
    const int64_t *shape, *start, *stop;
    int layout;
    int64_t in_axis, out_axis;
    int32_t threads;
} call;

static float buffer[4 * 6 + 16];

static void expect_fill(const char *what, call c, weightinit_status expected) {
    weightinit_status got;
    memset(buffer, SENTINEL, sizeof buffer);
    if (c.start != NULL || c.stop != NULL)
        got = weightinit_fill_region(c.scheme, c.data, c.bytes, (weightinit_dtype)c.dtype, c.rank, c.shape, c.start,
                                     c.stop, (weightinit_layout)c.layout, c.in_axis, c.out_axis, 7, 1, c.threads);
    else
        got = weightinit_fill(c.scheme, c.data, c.bytes, (weightinit_dtype)c.dtype, c.rank, c.shape,
                              (weightinit_layout)c.layout, c.in_axis, c.out_axis, 7, 1, c.threads);
    expect(what, got, expected, buffer, expected == WEIGHTINIT_OK ? 0 : sizeof buffer);
}

static void check_fill_errors(void) {
    static const int64_t shape[2] = {4, 6}, rank1[1] = {24}, rank3[3] = {4, 6, 1};
    static const int64_t zero[2] = {4, 0}, negative[2] = {-4, 6}, huge[2] = {INT64_C(1) << 62, INT64_C(1) << 62};
    static const int64_t wide[2] = {INT64_MAX, 2}, big[2] = {INT64_C(1) << 40, INT64_C(1) << 20};
    static const int64_t start[2] = {1, 2}, stop[2] = {3, 6}, reversed[2] = {3, 1}, outside[2] = {3, 7};
    static const int64_t negative_start[2] = {-1, 2}, empty[2] = {1, 2};
    weightinit_scheme normal = parsed("normal --std 0.5"), kaiming = parsed("kaiming-normal");
    weightinit_scheme dirac = parsed("dirac --groups 3"), too_big_for_f16 = parsed("constant --value 70000");
    weightinit_scheme eye = parsed("eye"), zeroed, damaged = normal;
    call ok = {0};
    call c;
    int64_t ones_shape[WEIGHTINIT_MAX_RANK + 1];
    size_t i;
    for (i = 0; i < WEIGHTINIT_MAX_RANK + 1; i++) ones_shape[i] = 1;
    memset(&zeroed, 0, sizeof zeroed);
    damaged.opaque[5] ^= 1;

    ok.scheme = &normal; ok.data = buffer; ok.bytes = 24 * sizeof(float); ok.dtype = WEIGHTINIT_F32;
    ok.rank = 2; ok.shape = shape; ok.layout = WEIGHTINIT_LAYOUT_TORCH;
    expect_fill("fill, valid arguments", ok, WEIGHTINIT_OK);

    c = ok; c.scheme = NULL; expect_fill("fill NULL scheme", c, WEIGHTINIT_ERROR_NULL_POINTER);
    c = ok; c.data = NULL; expect_fill("fill NULL data", c, WEIGHTINIT_ERROR_NULL_POINTER);
    c = ok; c.shape = NULL; expect_fill("fill NULL shape", c, WEIGHTINIT_ERROR_NULL_POINTER);
    c = ok; c.dtype = 4; expect_fill("fill dtype 4", c, WEIGHTINIT_ERROR_INVALID_ENUM);
    c = ok; c.dtype = -1; expect_fill("fill dtype -1", c, WEIGHTINIT_ERROR_INVALID_ENUM);
    c = ok; c.layout = 3; expect_fill("fill layout 3", c, WEIGHTINIT_ERROR_INVALID_ENUM);
    c = ok; c.threads = -1; expect_fill("fill threads -1", c, WEIGHTINIT_ERROR_INVALID_ARGUMENT);
    c = ok; c.scheme = &zeroed; expect_fill("fill with a zeroed scheme", c, WEIGHTINIT_ERROR_INVALID_ARGUMENT);
    c = ok; c.scheme = &damaged; expect_fill("fill with a damaged scheme", c, WEIGHTINIT_ERROR_INVALID_ARGUMENT);
    c = ok; c.data = (char *)buffer + 1; expect_fill("fill misaligned f32 data", c, WEIGHTINIT_ERROR_INVALID_ARGUMENT);

    c = ok; c.rank = 0; expect_fill("fill rank 0", c, WEIGHTINIT_ERROR_INVALID_SHAPE);
    c = ok; c.rank = WEIGHTINIT_MAX_RANK + 1; c.shape = ones_shape; c.bytes = sizeof(float);
    expect_fill("fill rank 65", c, WEIGHTINIT_ERROR_INVALID_SHAPE);
    c = ok; c.rank = WEIGHTINIT_MAX_RANK; c.shape = ones_shape; c.bytes = sizeof(float);
    expect_fill("fill rank 64 (allowed)", c, WEIGHTINIT_OK);
    c = ok; c.shape = zero; expect_fill("fill dimension 0", c, WEIGHTINIT_ERROR_INVALID_SHAPE);
    c = ok; c.shape = negative; expect_fill("fill dimension -4", c, WEIGHTINIT_ERROR_INVALID_SHAPE);
    c = ok; c.shape = huge; expect_fill("fill 2^62 x 2^62 (count overflows)", c, WEIGHTINIT_ERROR_TOO_LARGE);
    c = ok; c.shape = wide; expect_fill("fill INT64_MAX x 2", c, WEIGHTINIT_ERROR_TOO_LARGE);
    c = ok; c.shape = big; expect_fill("fill 2^60 elements (more than memory)", c, WEIGHTINIT_ERROR_TOO_LARGE);
    c = ok; c.bytes -= 1; expect_fill("fill size_bytes one short", c, WEIGHTINIT_ERROR_SIZE_MISMATCH);
    c = ok; c.bytes += 4; expect_fill("fill size_bytes one element long", c, WEIGHTINIT_ERROR_SIZE_MISMATCH);
    c = ok; c.bytes = 0; expect_fill("fill size_bytes 0", c, WEIGHTINIT_ERROR_SIZE_MISMATCH);
    c = ok; c.dtype = WEIGHTINIT_F64; expect_fill("fill f64 into an f32-sized buffer", c, WEIGHTINIT_ERROR_SIZE_MISMATCH);

    /* What the dtype cannot hold is known only when the dtype is: checked at fill time. */
    c = ok; c.scheme = &too_big_for_f16; c.dtype = WEIGHTINIT_F16; c.bytes = 24 * 2;
    expect_fill("fill constant --value 70000 as f16", c, WEIGHTINIT_ERROR_INVALID_PARAMETER);
    c = ok; c.scheme = &too_big_for_f16; expect_fill("fill constant --value 70000 as f32", c, WEIGHTINIT_OK);
    c = ok; c.scheme = &dirac; c.rank = 3; c.shape = rank3;
    expect_fill("fill dirac --groups 3 over 4 channels", c, WEIGHTINIT_ERROR_INVALID_PARAMETER);
    c = ok; c.scheme = &kaiming; c.rank = 1; c.shape = rank1; expect_fill("fill kaiming-normal 1-D", c, WEIGHTINIT_ERROR_INVALID_SHAPE);
    c = ok; c.scheme = &eye; c.rank = 3; c.shape = rank3; expect_fill("fill eye 3-D", c, WEIGHTINIT_ERROR_INVALID_SHAPE);
    c = ok; c.layout = WEIGHTINIT_LAYOUT_AXES; c.in_axis = 1; c.out_axis = 1;
    expect_fill("fill axes in = out", c, WEIGHTINIT_ERROR_INVALID_SHAPE);
    c = ok; c.layout = WEIGHTINIT_LAYOUT_AXES; c.in_axis = 2; c.out_axis = 0;
    expect_fill("fill axes outside the shape", c, WEIGHTINIT_ERROR_INVALID_SHAPE);
    c = ok; c.layout = WEIGHTINIT_LAYOUT_AXES; c.in_axis = -1; c.out_axis = -2;
    expect_fill("fill axes -1, -2", c, WEIGHTINIT_OK);

    ok.start = start; ok.stop = stop; ok.bytes = 2 * 4 * sizeof(float);
    expect_fill("fill_region, valid arguments", ok, WEIGHTINIT_OK);
    c = ok; c.start = NULL; expect_fill("fill_region NULL start", c, WEIGHTINIT_ERROR_NULL_POINTER);
    c = ok; c.stop = NULL; expect_fill("fill_region NULL stop", c, WEIGHTINIT_ERROR_NULL_POINTER);
    c = ok; c.stop = reversed; expect_fill("fill_region stop < start", c, WEIGHTINIT_ERROR_INVALID_REGION);
    c = ok; c.stop = outside; expect_fill("fill_region past the shape", c, WEIGHTINIT_ERROR_INVALID_REGION);
    c = ok; c.start = negative_start; expect_fill("fill_region negative start", c, WEIGHTINIT_ERROR_INVALID_REGION);
    c = ok; c.stop = empty; expect_fill("fill_region empty", c, WEIGHTINIT_ERROR_INVALID_REGION);
    c = ok; c.bytes = 24 * sizeof(float); expect_fill("fill_region with the tensor's size", c, WEIGHTINIT_ERROR_SIZE_MISMATCH);
    c = ok; c.shape = zero; expect_fill("fill_region dimension 0", c, WEIGHTINIT_ERROR_INVALID_SHAPE);
}

static void check_other_errors(void) {
    int64_t start = -1, stop = -1;
    uint32_t stream = 0;
    uint64_t key = 0;
    expect("shard_range 1 of 4 of 10", weightinit_shard_range(1, 4, 10, &start, &stop), WEIGHTINIT_OK, NULL, 0);
    if (start != 2 || stop != 4) fail("shard_range 1 of 4 of 10 is [2, 4)");
    expect("shard_range 3 of 4 of 10", weightinit_shard_range(3, 4, 10, &start, &stop), WEIGHTINIT_OK, NULL, 0);
    if (start != 6 || stop != 10) fail("shard_range 3 of 4 of 10 is [6, 10): the last takes the remainder");
    start = stop = (int64_t)0xA5A5A5A5A5A5A5A5ULL;
    expect("shard_range count 0", weightinit_shard_range(0, 0, 10, &start, &stop), WEIGHTINIT_ERROR_INVALID_REGION, NULL, 0);
    expect("shard_range index 4 of 4", weightinit_shard_range(4, 4, 10, &start, &stop), WEIGHTINIT_ERROR_INVALID_REGION, NULL, 0);
    expect("shard_range index -1", weightinit_shard_range(-1, 4, 10, &start, &stop), WEIGHTINIT_ERROR_INVALID_REGION, NULL, 0);
    expect("shard_range 11 blocks of 10", weightinit_shard_range(0, 11, 10, &start, &stop), WEIGHTINIT_ERROR_INVALID_REGION, NULL, 0);
    if (start != (int64_t)0xA5A5A5A5A5A5A5A5ULL || stop != start) fail("shard_range wrote on failure");
    expect("shard_range NULL stop", weightinit_shard_range(0, 1, 10, &start, NULL), WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0);
    expect("name_stream NULL name", weightinit_name_stream(NULL, &stream), WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0);
    expect("name_stream NULL output", weightinit_name_stream("w", NULL), WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0);
    expect("name_stream fc1.weight", weightinit_name_stream("fc1.weight", &stream), WEIGHTINIT_OK, NULL, 0);
    /* Stream format 3: FNV-1a-64("a") = af63dc4c8601ec8c (the FNV reference's
     * test vector), so the key of "a" in a plan of seed 42 is 42 ^ af63dc4c << 32. */
    key = 0xA5A5A5A5A5A5A5A5ULL;
    expect("name_seed NULL name", weightinit_name_seed(42, NULL, &key), WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0);
    expect("name_seed NULL output", weightinit_name_seed(42, "a", NULL), WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0);
    expect("name_seed not UTF-8", weightinit_name_seed(42, "w\xff", &key), WEIGHTINIT_ERROR_INVALID_ARGUMENT, NULL, 0);
    if (key != 0xA5A5A5A5A5A5A5A5ULL) fail("name_seed wrote on failure");
    expect("name_seed a", weightinit_name_seed(42, "a", &key), WEIGHTINIT_OK, NULL, 0);
    if (key != (0xAF63DC4C00000000ULL ^ 42)) fail("name_seed(42, \"a\") is 42 ^ 0xaf63dc4c00000000");
    if (weightinit_abi_version() != WEIGHTINIT_ABI_VERSION || !WEIGHTINIT_ABI_COMPATIBLE(weightinit_abi_version()))
        fail("weightinit_abi_version() is the header's");
    if (WEIGHTINIT_ABI_COMPATIBLE(WEIGHTINIT_ABI_VERSION + 10000) || WEIGHTINIT_ABI_COMPATIBLE(WEIGHTINIT_ABI_VERSION - 1))
        fail("WEIGHTINIT_ABI_COMPATIBLE refuses another major and an older minor");
    if (weightinit_stream_format_version() != 3) fail("stream format version 3");
    if (strcmp(weightinit_status_name(WEIGHTINIT_ERROR_TOO_LARGE), "WEIGHTINIT_ERROR_TOO_LARGE") != 0
        || strcmp(weightinit_status_name(99), "WEIGHTINIT_UNKNOWN_STATUS") != 0)
        fail("weightinit_status_name");
}

/* ---- Messages ----------------------------------------------------------------- */

/* The calling thread's last error is one line a terminal shows as it is: no
 * byte below 0x20, no DEL, no C1 control (U+0080…U+009F, C2 80…C2 9F in
 * UTF-8), no bidirectional mark or line separator (E2 80 8E/8F, E2 80
 * A8…AE, E2 81 A6…A9, D8 9C), and it fits its buffer. */
static int printable_line(const char *message) {
    const unsigned char *p = (const unsigned char *)message;
    size_t i, n = strlen(message);
    for (i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] == 0x7F) return 0;
        if (p[i] == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F) return 0;
        if (p[i] == 0xD8 && i + 1 < n && p[i + 1] == 0x9C) return 0;
        if (p[i] == 0xE2 && i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0x8E || p[i + 2] == 0x8F
                                                           || (p[i + 2] >= 0xA8 && p[i + 2] <= 0xAE)))
            return 0;
        if (p[i] == 0xE2 && i + 2 < n && p[i + 1] == 0x81 && p[i + 2] >= 0xA6 && p[i + 2] <= 0xA9) return 0;
    }
    return 1;
}

/* Every message is escaped and clipped where the library stores it, whatever
 * the call: the caller's text reaches the message only as visible escapes. */
static void check_messages(void) {
    static const struct { const char *text, *escape; } hostile[] = {
        {"normal --std \x1b[31m1", "\\u{1B}[31m"},        /* ESC: a terminal colour sequence */
        {"normal --std 1\x7f", "\\u{7F}"},                  /* DEL (line breaks split the text into words) */
        {"normal --std \xd8\x9c" "1", "\\u{61C}"},            /* Arabic letter mark (bidirectional) */
        {"normal --std \x07", "\\u{7}"},                     /* BEL */
        {"normal --std \xc2\x9b" "31m", "\\u{9B}"},             /* C1 CSI */
        {"normal --std \xe2\x80\xae" "1", "\\u{202E}"},         /* right-to-left override */
        {"no-such-\x1b]0;title\x07", "\\u{1B}]0;title\\u{7}"}, /* OSC: retitles the window */
    };
    size_t i;
    weightinit_scheme scheme;
    char line[512], *text;
    const size_t repeats = 4000;
    for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        weightinit_status status = weightinit_scheme_parse(hostile[i].text, &scheme);
        const char *message = weightinit_last_error();
        if (status == WEIGHTINIT_OK || !printable_line(message) || strstr(message, hostile[i].escape) == NULL) {
            snprintf(line, sizeof line, "message %d is not escaped (%s, want %s): %.200s", (int)i,
                     weightinit_status_name(status), hostile[i].escape, message);
            fail(line);
        } else {
            printf("ok message %d escaped: %s\n", (int)i, message);
        }
    }
    /* 4000 characters that each escape to the longest form, \u{2069} (8 bytes):
     * the message keeps 2000 characters of the whole, then says how long it was. */
    text = malloc(16 + 3 * repeats);
    if (text == NULL) exit(2);
    strcpy(text, "normal --std ");
    for (i = 0; i < repeats; i++) memcpy(text + 13 + 3 * i, "\xe2\x81\xa9", 3);
    text[13 + 3 * repeats] = '\0';
    if (weightinit_scheme_parse(text, &scheme) == WEIGHTINIT_OK) fail("parse of 4000 isolates succeeded");
    {
        const char *message = weightinit_last_error();
        size_t n = strlen(message);
        const char *tail = " characters)";
        if (!printable_line(message) || strstr(message, "\\u{2069}") == NULL || n < strlen(tail)
            || strcmp(message + n - strlen(tail), tail) != 0 || strstr(message, "\xe2\x80\xa6(") == NULL || n >= 8 * 2000 + 36) {
            snprintf(line, sizeof line, "a long message is not escaped and clipped (%lu bytes): ...%.120s",
                     (unsigned long)n, n > 120 ? message + n - 120 : message);
            fail(line);
        } else {
            printf("ok long message clipped: %lu bytes, ends %s\n", (unsigned long)n, message + n - 30);
        }
    }
    free(text);
}

/* size_t arguments are shown unsigned in messages (SIZE_MAX, never -1), and
 * compared as such: a capacity of SIZE_MAX is a large buffer. */
static void check_sizes(void) {
    static const int64_t shape[1] = {4};
    weightinit_scheme scheme = parsed("normal");
    float data[4];
    char text[64], expected[32];
    size_t length = 0;
    snprintf(expected, sizeof expected, "%lu", (unsigned long)SIZE_MAX);
    if (weightinit_fill(&scheme, data, SIZE_MAX, WEIGHTINIT_F32, 1, shape, WEIGHTINIT_LAYOUT_TORCH, 0, 0, 1, 0, 1)
            != WEIGHTINIT_ERROR_SIZE_MISMATCH
        || strstr(weightinit_last_error(), expected) == NULL || strstr(weightinit_last_error(), "-1") != NULL)
        fail("size_bytes SIZE_MAX is shown unsigned");
    else printf("ok size_bytes SIZE_MAX: %s\n", weightinit_last_error());
    if (weightinit_fill(&scheme, data, sizeof data, WEIGHTINIT_F32, SIZE_MAX, shape, WEIGHTINIT_LAYOUT_TORCH, 0, 0, 1,
                        0, 1) != WEIGHTINIT_ERROR_INVALID_SHAPE
        || strstr(weightinit_last_error(), expected) == NULL || strstr(weightinit_last_error(), "-1") != NULL)
        fail("rank SIZE_MAX is shown unsigned");
    else printf("ok rank SIZE_MAX: %s\n", weightinit_last_error());
    /* The buffer is large enough for "normal --mean 0 --std 1"; a capacity of SIZE_MAX says so too. */
    if (weightinit_scheme_describe(&scheme, text, SIZE_MAX, &length) != WEIGHTINIT_OK || length != strlen(text)
        || strcmp(text, "normal --mean 0 --std 1") != 0)
        fail("describe with capacity SIZE_MAX succeeds");
    else printf("ok describe with capacity SIZE_MAX: %s\n", text);
    memset(text, SENTINEL, sizeof text);
    length = 0;
    if (weightinit_scheme_describe(&scheme, text, 4, &length) != WEIGHTINIT_ERROR_BUFFER_TOO_SMALL
        || length != strlen("normal --mean 0 --std 1") || !untouched(text, sizeof text)
        || strstr(weightinit_last_error(), "the buffer holds 4") == NULL)
        fail("describe into 4 bytes reports the length needed, writes nothing else");
    else printf("ok describe into 4 bytes: %s\n", weightinit_last_error());
}

/* ---- Versions --------------------------------------------------------------- */

/* What the library reports of the numbers weightinit.h states; the Swift test
 * reads the header's text and compares. */
static int print_versions(void) {
    int status;
    printf("abi_version %lu\n", (unsigned long)weightinit_abi_version());
    printf("stream_format_version %lu\n", (unsigned long)weightinit_stream_format_version());
    for (status = -2; status <= 40; status++) printf("status %d %s\n", status, weightinit_status_name(status));
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "fill") == 0) return run_fill(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "threads") == 0) return run_threads(argv[2]);
    if (argc == 2 && strcmp(argv[1], "versions") == 0) return print_versions();
    if (argc == 2 && strcmp(argv[1], "errors") == 0) {
        check_parse_errors();
        check_describe_errors();
        check_fill_errors();
        check_other_errors();
        check_messages();
        check_sizes();
        printf("%d failures\n", failures);
        return failures != 0;
    }
    fprintf(stderr, "usage: abi_test fill CASES DIR | threads CASES | errors | versions\n");
    return 2;
}
