/*
 * The C side of the model-plan tests (ABI 1.1, weightinit.h "Model plans"):
 * compiled with -std=c99 -Wall -Wextra -Werror -pedantic against
 * weightinit.h, linked to the built library and run by PlanProgramTests.swift.
 *
 *   plan_test config CONFIG RULES DTYPE SEED DIR
 *       plan the model of CONFIG (a path, or JSON text when it starts with '{')
 *       with RULES ("-" for the family's own set) and DTYPE (a weightinit_dtype
 *       number, 8 for none), then dump it (below)
 *   plan_test list RULES VARIABLES FLAGS SEED DIR
 *       plan the tensor list of `list_tensors` below with RULES (a name or
 *       JSON text), VARIABLES (JSON text or "-" for NULL) and FLAGS, then dump it
 *   plan_test errors CONFIG   every bad input returns its status, writes nothing, sets a message
 *   plan_test threads CONFIG  8 threads fill from one plan at once (while others
 *                             create and free plans): the single-thread bytes
 *
 * A dump prints one line per tensor — index, name, shape, dtype, scheme, key,
 * stream, then its parts as start:stop;scheme;key;stream separated by '|' —
 * tab-separated, and writes the whole tensor's bytes to DIR/<index>.bin. It
 * also checks, in C, that weightinit_plan_find gives the index, that one
 * thread and every core give the same bytes, that a block filled alone
 * (every dimension from 1, the last index dropped where there are more than
 * two) is that block of the whole tensor, and that the header's recipe for
 * ABI 1.0 (weightinit_fill of the info's scheme, key and stream, then each
 * part's over its block) gives a floating-point tensor's bytes.
 */
#define _POSIX_C_SOURCE 200809L

#include "weightinit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

static void fail(const char *what) {
    fprintf(stderr, "FAIL: %s\n", what);
    failures++;
}

static size_t element_size(weightinit_dtype dtype) {
    switch (dtype) {
    case WEIGHTINIT_F64: case WEIGHTINIT_I64: return 8;
    case WEIGHTINIT_F32: case WEIGHTINIT_I32: return 4;
    case WEIGHTINIT_F16: case WEIGHTINIT_BF16: return 2;
    default: return 1;
    }
}

static size_t elements(size_t rank, const int64_t *shape) {
    size_t n = 1, d;
    for (d = 0; d < rank; d++) n *= (size_t)shape[d];
    return n;
}

static void *allocate(size_t bytes) {
    void *memory = malloc(bytes == 0 ? 1 : bytes);
    if (memory == NULL) { fprintf(stderr, "out of memory\n"); exit(2); }
    return memory;
}

/* Copies block [start, stop) of a C-order tensor `whole` of `shape` into
 * `block` (or, with `into_whole`, `block` into that block of `whole`). */
static void copy_block(unsigned char *whole, unsigned char *block, size_t rank, const int64_t *shape,
                       const int64_t *start, const int64_t *stop, size_t size, int into_whole) {
    int64_t index[WEIGHTINIT_MAX_RANK];
    size_t d, count = 0, total = 1;
    for (d = 0; d < rank; d++) { index[d] = start[d]; total *= (size_t)(stop[d] - start[d]); }
    for (count = 0; count < total; count++) {
        size_t offset = 0;
        for (d = 0; d < rank; d++) offset = offset * (size_t)shape[d] + (size_t)index[d];
        if (into_whole) memcpy(whole + offset * size, block + count * size, size);
        else memcpy(block + count * size, whole + offset * size, size);
        for (d = rank; d-- > 0;) {          /* the next index, in C order */
            if (++index[d] < stop[d]) break;
            index[d] = start[d];
        }
    }
}

/* The header's recipe for reproducing a floating-point tensor with ABI 1.0:
 * weightinit_fill of the scheme parsed from info.scheme, torch layout, the
 * info's key and stream (a scalar as shape {1}), then each part's fill, of
 * the part's own shape, over its block. 0 if the bytes equal `expected`. */
static int reproduce_with_1_0(const weightinit_plan *plan, size_t index, const weightinit_tensor_info *info,
                              const unsigned char *expected, size_t bytes) {
    static const int64_t one[1] = {1};
    weightinit_scheme scheme;
    unsigned char *values = allocate(bytes);
    size_t p, size = element_size(info->dtype);
    int differs = weightinit_scheme_parse(info->scheme, &scheme) != WEIGHTINIT_OK
                  || weightinit_fill(&scheme, values, bytes, info->dtype, info->rank == 0 ? 1 : info->rank,
                                     info->rank == 0 ? one : info->shape, WEIGHTINIT_LAYOUT_TORCH, 0, 0, info->seed,
                                     info->stream, 0) != WEIGHTINIT_OK;
    for (p = 0; !differs && p < info->part_count; p++) {
        weightinit_part_info part;
        int64_t shape[WEIGHTINIT_MAX_RANK];
        size_t d, block_bytes = size;
        unsigned char *block;
        if (weightinit_plan_part_info(plan, index, p, &part) != WEIGHTINIT_OK) { differs = 1; break; }
        for (d = 0; d < part.rank; d++) {
            shape[d] = part.region_stop[d] - part.region_start[d];
            block_bytes *= (size_t)shape[d];
        }
        block = allocate(block_bytes);
        differs = weightinit_scheme_parse(part.scheme, &scheme) != WEIGHTINIT_OK
                  || weightinit_fill(&scheme, block, block_bytes, info->dtype, part.rank, shape, WEIGHTINIT_LAYOUT_TORCH,
                                     0, 0, part.seed, part.stream, 0) != WEIGHTINIT_OK;
        if (!differs) copy_block(values, block, part.rank, info->shape, part.region_start, part.region_stop, size, 1);
        free(block);
    }
    differs = differs || memcmp(values, expected, bytes) != 0;
    free(values);
    return differs;
}

/* ---- Dumps ------------------------------------------------------------------- */

static void print_dims(size_t rank, const int64_t *dims) {
    size_t d;
    for (d = 0; d < rank; d++) printf("%s%lld", d ? "," : "", (long long)dims[d]);
}

static int dump(weightinit_plan *plan, const char *directory) {
    size_t count = 0, i, p;
    char line[512];
    if (weightinit_plan_count(plan, &count) != WEIGHTINIT_OK) { fprintf(stderr, "%s\n", weightinit_last_error()); return 2; }
    for (i = 0; i < count; i++) {
        weightinit_tensor_info info;
        size_t found = (size_t)-1, size, bytes;
        unsigned char *whole, *again;
        char path[4096];
        FILE *file;
        if (weightinit_plan_tensor_info(plan, i, &info) != WEIGHTINIT_OK) {
            fprintf(stderr, "tensor_info %lu: %s\n", (unsigned long)i, weightinit_last_error());
            return 2;
        }
        printf("%lu\t%s\t", (unsigned long)i, info.name);
        print_dims(info.rank, info.shape);
        printf("\t%d\t%s\t%llu\t%lu\t", (int)info.dtype, info.scheme, (unsigned long long)info.seed,
               (unsigned long)info.stream);
        for (p = 0; p < info.part_count; p++) {
            weightinit_part_info part;
            if (weightinit_plan_part_info(plan, i, p, &part) != WEIGHTINIT_OK || part.rank != info.rank) {
                fprintf(stderr, "part_info %lu %lu: %s\n", (unsigned long)i, (unsigned long)p, weightinit_last_error());
                return 2;
            }
            printf("%s", p ? "|" : "");
            print_dims(part.rank, part.region_start);
            printf(":");
            print_dims(part.rank, part.region_stop);
            printf(";%s;%llu;%lu", part.scheme, (unsigned long long)part.seed, (unsigned long)part.stream);
        }
        printf("\n");

        if (weightinit_plan_find(plan, info.name, &found) != WEIGHTINIT_OK || found != i) {
            snprintf(line, sizeof line, "find %s: %lu, expected %lu", info.name, (unsigned long)found, (unsigned long)i);
            fail(line);
        }
        size = element_size(info.dtype);
        bytes = elements(info.rank, info.shape) * size;
        whole = allocate(bytes);
        again = allocate(bytes);
        if (weightinit_plan_fill(plan, info.name, whole, bytes, info.dtype, 0, NULL, NULL, 0) != WEIGHTINIT_OK) {
            snprintf(line, sizeof line, "fill %s: %s", info.name, weightinit_last_error());
            fail(line);
        }
        /* rank is not read for a whole tensor: any value gives the same bytes. */
        if (weightinit_plan_fill(plan, info.name, again, bytes, info.dtype, 99, NULL, NULL, 1) != WEIGHTINIT_OK
            || memcmp(whole, again, bytes) != 0) {
            snprintf(line, sizeof line, "fill %s with 1 thread differs from every core", info.name);
            fail(line);
        }
        if (info.dtype <= WEIGHTINIT_BF16 && reproduce_with_1_0(plan, i, &info, whole, bytes) != 0) {
            snprintf(line, sizeof line, "%s: the header's ABI 1.0 recipe (%s, key %llu, stream %lu, parts) does not "
                     "reproduce it (%s)", info.name, info.scheme, (unsigned long long)info.seed,
                     (unsigned long)info.stream, weightinit_last_error());
            fail(line);
        }
        if (info.rank > 0) {
            int64_t start[WEIGHTINIT_MAX_RANK], stop[WEIGHTINIT_MAX_RANK];
            size_t d, block_bytes;
            unsigned char *block, *expected;
            for (d = 0; d < info.rank; d++) {
                start[d] = info.shape[d] == 1 ? 0 : 1;
                stop[d] = info.shape[d] > 2 ? info.shape[d] - 1 : info.shape[d];
            }
            block_bytes = 1;
            for (d = 0; d < info.rank; d++) block_bytes *= (size_t)(stop[d] - start[d]);
            block_bytes *= size;
            block = allocate(block_bytes);
            expected = allocate(block_bytes);
            copy_block(whole, expected, info.rank, info.shape, start, stop, size, 0);
            if (weightinit_plan_fill(plan, info.name, block, block_bytes, info.dtype, info.rank, start, stop, 0)
                    != WEIGHTINIT_OK
                || memcmp(block, expected, block_bytes) != 0) {
                snprintf(line, sizeof line, "block of %s is not that block of the whole tensor (%s)", info.name,
                         weightinit_last_error());
                fail(line);
            }
            free(block);
            free(expected);
        }
        snprintf(path, sizeof path, "%s/%lu.bin", directory, (unsigned long)i);
        file = fopen(path, "wb");
        if (file == NULL || fwrite(whole, 1, bytes, file) != bytes || fclose(file) != 0) {
            fprintf(stderr, "cannot write %s\n", path);
            return 2;
        }
        free(whole);
        free(again);
    }
    return 0;
}

static int run_config(const char *config, const char *rules, int dtype, uint64_t seed, const char *directory) {
    weightinit_plan *plan = NULL;
    int status;
    if (weightinit_plan_create_from_config(config, strcmp(rules, "-") == 0 ? NULL : rules, seed,
                                           (weightinit_dtype)dtype, &plan) != WEIGHTINIT_OK) {
        fprintf(stderr, "create_from_config: %s\n", weightinit_last_error());
        return 2;
    }
    status = dump(plan, directory);
    if (weightinit_plan_free(plan) != WEIGHTINIT_OK) fail("free");
    return status != 0 ? status : failures != 0;
}

/* A lone nn.LSTM(4, 6)'s state_dict (top-level names, no prefix), a Linear,
 * a BatchNorm1d's buffers (num_batches_tracked: an int64 scalar whose dtype
 * the rule gives), and "odd", which no rule of torch-defaults applies to. */
static const int64_t lstm_ih[] = {24, 4}, lstm_hh[] = {24, 6}, gates[] = {24}, fc_weight[] = {5, 6}, fc_bias[] = {5},
                     bn[] = {5}, odd[] = {3, 3, 2};
static const weightinit_plan_tensor list_tensors[] = {
    {"weight_ih_l0", 2, lstm_ih, WEIGHTINIT_DTYPE_DEFAULT},
    {"weight_hh_l0", 2, lstm_hh, WEIGHTINIT_DTYPE_DEFAULT},
    {"bias_ih_l0", 1, gates, WEIGHTINIT_DTYPE_DEFAULT},
    {"bias_hh_l0", 1, gates, WEIGHTINIT_F64},
    {"fc.weight", 2, fc_weight, WEIGHTINIT_DTYPE_DEFAULT},
    {"fc.bias", 1, fc_bias, WEIGHTINIT_BF16},
    {"bn.running_mean", 1, bn, WEIGHTINIT_DTYPE_DEFAULT},
    {"bn.running_var", 1, bn, WEIGHTINIT_F16},
    {"bn.num_batches_tracked", 0, NULL, WEIGHTINIT_DTYPE_DEFAULT},
    {"odd", 3, odd, WEIGHTINIT_DTYPE_DEFAULT},
};
#define LIST_COUNT (sizeof list_tensors / sizeof list_tensors[0])

static int run_list(const char *rules, const char *variables, unsigned flags, uint64_t seed, const char *directory) {
    weightinit_plan *plan = NULL;
    int status;
    if (weightinit_plan_create(rules, strcmp(variables, "-") == 0 ? NULL : variables, list_tensors, LIST_COUNT, seed,
                               WEIGHTINIT_DTYPE_DEFAULT, flags, &plan) != WEIGHTINIT_OK) {
        fprintf(stderr, "create: %s\n", weightinit_last_error());
        return 2;
    }
    status = dump(plan, directory);
    if (weightinit_plan_free(plan) != WEIGHTINIT_OK) fail("free");
    return status != 0 ? status : failures != 0;
}

/* ---- Errors ------------------------------------------------------------------ */

#define SENTINEL 0xA5

static int untouched(const void *memory, size_t bytes) {
    const unsigned char *p = memory;
    size_t i;
    for (i = 0; i < bytes; i++)
        if (p[i] != SENTINEL) return 0;
    return 1;
}

/* Checks that a call returned `expected`, left `memory` as it was, set a
 * one-line message, and (if `mentions`) that the message says it. */
static void expect(const char *what, weightinit_status got, weightinit_status expected, const void *memory,
                   size_t bytes, const char *mentions) {
    char line[1024];
    const char *message = weightinit_last_error();
    if (got != expected) {
        snprintf(line, sizeof line, "%s: got %s, expected %s (%s)", what, weightinit_status_name(got),
                 weightinit_status_name(expected), message);
        fail(line);
    } else if (memory != NULL && !untouched(memory, bytes)) {
        snprintf(line, sizeof line, "%s: returned %s but wrote to its output", what, weightinit_status_name(got));
        fail(line);
    } else if (expected != WEIGHTINIT_OK && (message[0] == '\0' || strchr(message, '\n') != NULL)) {
        snprintf(line, sizeof line, "%s: no one-line message (%s)", what, message);
        fail(line);
    } else if (expected != WEIGHTINIT_OK && mentions != NULL && strstr(message, mentions) == NULL) {
        snprintf(line, sizeof line, "%s: the message does not say \"%s\": %s", what, mentions, message);
        fail(line);
    } else {
        printf("ok %-52s %s%s%s\n", what, weightinit_status_name(got), expected == WEIGHTINIT_OK ? "" : ": ",
               expected == WEIGHTINIT_OK ? "" : message);
    }
}

/* The output pointer of a create call that must fail: left as it was. */
#define UNTOUCHED_PLAN ((weightinit_plan *)&sentinel_plan)
static unsigned char sentinel_plan[16];

static void expect_create(const char *what, weightinit_status got, weightinit_status expected, weightinit_plan *plan,
                          const char *mentions) {
    char line[256];
    expect(what, got, expected, NULL, 0, mentions);
    if (plan != UNTOUCHED_PLAN) {
        snprintf(line, sizeof line, "%s: *plan was written on failure", what);
        fail(line);
    }
}

static void check_create_errors(const char *config) {
    static const int64_t shape[] = {4, 3}, zero[] = {4, 0}, negative[] = {-2};
    static const weightinit_plan_tensor good[] = {{"fc.weight", 2, shape, WEIGHTINIT_DTYPE_DEFAULT},
                                                  {"fc.bias", 1, shape, WEIGHTINIT_DTYPE_DEFAULT}};
    weightinit_plan_tensor bad[2];
    weightinit_plan *plan = UNTOUCHED_PLAN;
    const char *rules = "torch-defaults";

#define CREATE(what, expected, mentions, tensors, count, rules_, variables, dtype, flags)                             \
    do {                                                                                                   \
        plan = UNTOUCHED_PLAN;                                                                             \
        expect_create(what, weightinit_plan_create(rules_, variables, tensors, count, 0, dtype, flags, &plan), \
                      expected, plan, mentions);                                                           \
    } while (0)

    CREATE("create NULL rules", WEIGHTINIT_ERROR_NULL_POINTER, "rules", good, 2, NULL, NULL, WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create NULL tensors", WEIGHTINIT_ERROR_NULL_POINTER, "tensors", NULL, 2, rules, NULL, WEIGHTINIT_DTYPE_DEFAULT, 0);
    expect_create("create NULL plan", weightinit_plan_create(rules, NULL, good, 2, 0, WEIGHTINIT_DTYPE_DEFAULT, 0, NULL),
                  WEIGHTINIT_ERROR_NULL_POINTER, UNTOUCHED_PLAN, "plan");
    CREATE("create count 0", WEIGHTINIT_ERROR_INVALID_ARGUMENT, "count 0", good, 0, rules, NULL, WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create count SIZE_MAX", WEIGHTINIT_ERROR_INVALID_ARGUMENT, "18446744073709551615", good, SIZE_MAX, rules, NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create unknown rule set", WEIGHTINIT_ERROR_INVALID_MODEL, "no-such-rules", good, 2, "no-such-rules", NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create rules file missing", WEIGHTINIT_ERROR_INVALID_MODEL, "/no/such/rules.json", good, 2, "/no/such/rules.json",
           NULL, WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create rules path a device (never read)", WEIGHTINIT_ERROR_INVALID_MODEL, "not a regular file", good, 2,
           "/dev/zero", NULL, WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create malformed rules JSON", WEIGHTINIT_ERROR_INVALID_MODEL, "JSON", good, 2, "{\"rules\": [", NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create rules JSON of another format", WEIGHTINIT_ERROR_INVALID_MODEL, "rules", good, 2, "{\"rulez\": []}", NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create rule with a bad scheme", WEIGHTINIT_ERROR_INVALID_MODEL, "no-such-scheme", good, 2,
           "{\"rules\": [{\"match\": \"*\", \"scheme\": \"no-such-scheme\"}]}", NULL, WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create malformed variables JSON", WEIGHTINIT_ERROR_INVALID_MODEL, "JSON", good, 2, rules, "{\"initializer_range\": ",
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create variables not an object", WEIGHTINIT_ERROR_INVALID_MODEL, "object", good, 2, rules, "[1, 2]",
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    CREATE("create dtype 99", WEIGHTINIT_ERROR_INVALID_ENUM, "dtype", good, 2, rules, NULL, (weightinit_dtype)99, 0);
    CREATE("create dtype override i64", WEIGHTINIT_ERROR_INVALID_ENUM, "floating-point", good, 2, rules, NULL,
           WEIGHTINIT_I64, 0);
    CREATE("create flags 2", WEIGHTINIT_ERROR_INVALID_ARGUMENT, "flags", good, 2, rules, NULL, WEIGHTINIT_DTYPE_DEFAULT, 2);

    memcpy(bad, good, sizeof bad);
    bad[1].name = NULL;
    CREATE("create tensors[1].name NULL", WEIGHTINIT_ERROR_NULL_POINTER, "tensors[1].name", bad, 2, rules, NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    memcpy(bad, good, sizeof bad);
    bad[1].name = "fc.weight";
    CREATE("create a name twice", WEIGHTINIT_ERROR_INVALID_MODEL, "twice", bad, 2, rules, NULL, WEIGHTINIT_DTYPE_DEFAULT, 0);
    memcpy(bad, good, sizeof bad);
    bad[0].name = "fc.\xff";
    CREATE("create a name not UTF-8", WEIGHTINIT_ERROR_INVALID_ARGUMENT, "UTF-8", bad, 2, rules, NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    memcpy(bad, good, sizeof bad);
    bad[0].rank = 65;
    CREATE("create rank 65", WEIGHTINIT_ERROR_INVALID_SHAPE, "rank", bad, 2, rules, NULL, WEIGHTINIT_DTYPE_DEFAULT, 0);
    memcpy(bad, good, sizeof bad);
    bad[0].shape = NULL;
    CREATE("create shape NULL", WEIGHTINIT_ERROR_NULL_POINTER, "tensors[0].shape", bad, 2, rules, NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    memcpy(bad, good, sizeof bad);
    bad[0].shape = zero;
    CREATE("create dimension 0", WEIGHTINIT_ERROR_INVALID_SHAPE, "dimension 1 is 0", bad, 2, rules, NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    memcpy(bad, good, sizeof bad);
    bad[1].shape = negative;
    CREATE("create dimension -2", WEIGHTINIT_ERROR_INVALID_SHAPE, "-2", bad, 2, rules, NULL, WEIGHTINIT_DTYPE_DEFAULT, 0);
    memcpy(bad, good, sizeof bad);
    bad[1].dtype = (weightinit_dtype)42;
    CREATE("create tensors[1].dtype 42", WEIGHTINIT_ERROR_INVALID_ENUM, "tensors[1].dtype", bad, 2, rules, NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    memcpy(bad, good, sizeof bad);
    bad[0].dtype = WEIGHTINIT_I32;
    CREATE("create an int32 tensor a rule samples", WEIGHTINIT_ERROR_INVALID_MODEL, "i32", bad, 2, rules, NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    memcpy(bad, good, sizeof bad);
    bad[0].name = "no_rule_applies";
    CREATE("create a tensor no rule applies to", WEIGHTINIT_ERROR_INVALID_MODEL, "no_rule_applies", bad, 1, rules, NULL,
           WEIGHTINIT_DTYPE_DEFAULT, 0);
    /* Explicit streams that coincide cannot come from a list (streams come
     * from names); a rules file whose part gives a tensor's own key and
     * stream to two tensors can. */
    CREATE("create two tensors with one key and stream", WEIGHTINIT_ERROR_INVALID_MODEL, "would draw the same values", good,
           2, "{\"rules\": [{\"match\": \"*\", \"scheme\": \"zeros\", \"parts\": [{\"rows\": [0, 1], \"scheme\": "
              "\"normal\", \"stream\": 5}]}]}",
           NULL, WEIGHTINIT_DTYPE_DEFAULT, 0);

#define CONFIG(what, expected, mentions, config_, rules_, dtype)                                               \
    do {                                                                                                   \
        plan = UNTOUCHED_PLAN;                                                                             \
        expect_create(what, weightinit_plan_create_from_config(config_, rules_, 0, dtype, &plan), expected, plan, \
                      mentions);                                                                           \
    } while (0)

    CONFIG("config NULL", WEIGHTINIT_ERROR_NULL_POINTER, "config", NULL, NULL, WEIGHTINIT_DTYPE_DEFAULT);
    expect_create("config NULL plan", weightinit_plan_create_from_config(config, NULL, 0, WEIGHTINIT_DTYPE_DEFAULT, NULL),
                  WEIGHTINIT_ERROR_NULL_POINTER, UNTOUCHED_PLAN, "plan");
    CONFIG("config malformed JSON", WEIGHTINIT_ERROR_INVALID_MODEL, "JSON", "{\"model_type\": \"llama\"", NULL,
           WEIGHTINIT_DTYPE_DEFAULT);
    CONFIG("config of an unknown model_type", WEIGHTINIT_ERROR_INVALID_MODEL, "no-such-family",
           "{\"model_type\": \"no-such-family\"}", NULL, WEIGHTINIT_DTYPE_DEFAULT);
    CONFIG("config file missing", WEIGHTINIT_ERROR_INVALID_MODEL, "/no/such/config.json", "/no/such/config.json", NULL,
           WEIGHTINIT_DTYPE_DEFAULT);
    CONFIG("config path a directory", WEIGHTINIT_ERROR_INVALID_MODEL, "not a regular file", "/", NULL,
           WEIGHTINIT_DTYPE_DEFAULT);
    CONFIG("config with an unknown rule set", WEIGHTINIT_ERROR_INVALID_MODEL, "no-such-rules", config, "no-such-rules",
           WEIGHTINIT_DTYPE_DEFAULT);
    CONFIG("config with rules that miss a tensor", WEIGHTINIT_ERROR_INVALID_MODEL, "no rule", config,
           "{\"rules\": [{\"match\": \"*proj.weight\", \"scheme\": \"ones\"}]}", WEIGHTINIT_DTYPE_DEFAULT);
    CONFIG("config dtype 9", WEIGHTINIT_ERROR_INVALID_ENUM, "dtype", config, NULL, (weightinit_dtype)9);
    CONFIG("config dtype override bool", WEIGHTINIT_ERROR_INVALID_ENUM, "floating-point", config, NULL, WEIGHTINIT_BOOL);
    CONFIG("config not UTF-8", WEIGHTINIT_ERROR_INVALID_ARGUMENT, "UTF-8", "{\"model_type\": \"\xc3\"}", NULL,
           WEIGHTINIT_DTYPE_DEFAULT);
#undef CONFIG
#undef CREATE
}

static void check_use_errors(const char *config) {
    weightinit_plan *plan = NULL;
    weightinit_tensor_info info;
    weightinit_part_info part;
    size_t count, index;
    float data[64 * 64];
    unsigned char not_a_plan[64];
    const char *name = "model.layers.0.self_attn.o_proj.weight"; /* 32 × 32 in the tests' config */
    int64_t start[2] = {0, 0}, stop[2] = {2, 3}, outside[2] = {31, 33}, backwards[2] = {3, 0}, empty[2] = {2, 0};

    if (weightinit_plan_create_from_config(config, NULL, 0, WEIGHTINIT_DTYPE_DEFAULT, &plan) != WEIGHTINIT_OK) {
        fprintf(stderr, "cannot plan %s: %s\n", config, weightinit_last_error());
        exit(2);
    }
    memset(not_a_plan, 0, sizeof not_a_plan);

#define SET(x) memset(&(x), SENTINEL, sizeof(x))
    SET(count);
    expect("count NULL plan", weightinit_plan_count(NULL, &count), WEIGHTINIT_ERROR_NULL_POINTER, &count, sizeof count, "plan");
    expect("count NULL count", weightinit_plan_count(plan, NULL), WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0, "count");
    expect("count of memory that is not a plan", weightinit_plan_count((weightinit_plan *)not_a_plan, &count),
           WEIGHTINIT_ERROR_INVALID_ARGUMENT, &count, sizeof count, "not a live weightinit_plan");
    SET(index);
    expect("find unknown name", weightinit_plan_find(plan, "model.no_such.weight", &index), WEIGHTINIT_ERROR_UNKNOWN_TENSOR,
           &index, sizeof index, "model.no_such.weight");
    expect("find NULL name", weightinit_plan_find(plan, NULL, &index), WEIGHTINIT_ERROR_NULL_POINTER, &index, sizeof index,
           "name");
    expect("find NULL index", weightinit_plan_find(plan, name, NULL), WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0, "index");
    expect("find escapes the name", weightinit_plan_find(plan, "a\x1b[31m", &index), WEIGHTINIT_ERROR_UNKNOWN_TENSOR,
           &index, sizeof index, "\\u{1B}[31m");
    SET(info);
    expect("tensor_info index past the end", weightinit_plan_tensor_info(plan, 1000, &info), WEIGHTINIT_ERROR_INVALID_ARGUMENT,
           &info, sizeof info, "index 1000");
    expect("tensor_info index SIZE_MAX", weightinit_plan_tensor_info(plan, SIZE_MAX, &info),
           WEIGHTINIT_ERROR_INVALID_ARGUMENT, &info, sizeof info, "18446744073709551615");
    expect("tensor_info NULL info", weightinit_plan_tensor_info(plan, 0, NULL), WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0, "info");
    expect("tensor_info NULL plan", weightinit_plan_tensor_info(NULL, 0, &info), WEIGHTINIT_ERROR_NULL_POINTER, &info,
           sizeof info, "plan");
    SET(part);
    expect("part_info of a tensor without parts", weightinit_plan_part_info(plan, 1, 0, &part),
           WEIGHTINIT_ERROR_INVALID_ARGUMENT, &part, sizeof part, "q_proj.weight\" has 0 parts");
    expect("part_info part past the end", weightinit_plan_part_info(plan, 0, 1, &part), WEIGHTINIT_ERROR_INVALID_ARGUMENT,
           &part, sizeof part, "invalid part 1: tensor \"model.embed_tokens.weight\" has 1 part (0");
    expect("part_info index past the end", weightinit_plan_part_info(plan, 1000, 0, &part),
           WEIGHTINIT_ERROR_INVALID_ARGUMENT, &part, sizeof part, "index 1000");
    expect("part_info NULL info", weightinit_plan_part_info(plan, 0, 0, NULL), WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0, "info");

    SET(data);
    expect("fill NULL plan", weightinit_plan_fill(NULL, name, data, 32 * 32 * 4, WEIGHTINIT_F32, 0, NULL, NULL, 0),
           WEIGHTINIT_ERROR_NULL_POINTER, data, sizeof data, "plan");
    expect("fill NULL name", weightinit_plan_fill(plan, NULL, data, 32 * 32 * 4, WEIGHTINIT_F32, 0, NULL, NULL, 0),
           WEIGHTINIT_ERROR_NULL_POINTER, data, sizeof data, "name");
    expect("fill NULL data", weightinit_plan_fill(plan, name, NULL, 32 * 32 * 4, WEIGHTINIT_F32, 0, NULL, NULL, 0),
           WEIGHTINIT_ERROR_NULL_POINTER, NULL, 0, "data");
    expect("fill unknown name", weightinit_plan_fill(plan, "lm_head.bias", data, 16, WEIGHTINIT_F32, 0, NULL, NULL, 0),
           WEIGHTINIT_ERROR_UNKNOWN_TENSOR, data, sizeof data, "lm_head.bias");
    expect("fill dtype f64 of an f32 tensor", weightinit_plan_fill(plan, name, data, 32 * 32 * 8, WEIGHTINIT_F64, 0, NULL,
                                                                   NULL, 0),
           WEIGHTINIT_ERROR_INVALID_ARGUMENT, data, sizeof data, "is f32, but dtype is f64");
    expect("fill dtype default", weightinit_plan_fill(plan, name, data, 32 * 32 * 4, WEIGHTINIT_DTYPE_DEFAULT, 0, NULL, NULL,
                                                      0),
           WEIGHTINIT_ERROR_INVALID_ARGUMENT, data, sizeof data, "WEIGHTINIT_DTYPE_DEFAULT");
    expect("fill dtype 77", weightinit_plan_fill(plan, name, data, 32 * 32 * 4, (weightinit_dtype)77, 0, NULL, NULL, 0),
           WEIGHTINIT_ERROR_INVALID_ENUM, data, sizeof data, "77");
    expect("fill size_bytes one element short", weightinit_plan_fill(plan, name, data, 32 * 32 * 4 - 4, WEIGHTINIT_F32, 0,
                                                                      NULL, NULL, 0),
           WEIGHTINIT_ERROR_SIZE_MISMATCH, data, sizeof data, "4096");
    expect("fill size_bytes SIZE_MAX", weightinit_plan_fill(plan, name, data, SIZE_MAX, WEIGHTINIT_F32, 0, NULL, NULL, 0),
           WEIGHTINIT_ERROR_SIZE_MISMATCH, data, sizeof data, "18446744073709551615");
    expect("fill threads -1", weightinit_plan_fill(plan, name, data, 32 * 32 * 4, WEIGHTINIT_F32, 0, NULL, NULL, -1),
           WEIGHTINIT_ERROR_INVALID_ARGUMENT, data, sizeof data, "threads");
    expect("fill block past the tensor", weightinit_plan_fill(plan, name, data, 31 * 33 * 4, WEIGHTINIT_F32, 2, start,
                                                              outside, 0),
           WEIGHTINIT_ERROR_INVALID_REGION, data, sizeof data, NULL);
    expect("fill block start after stop", weightinit_plan_fill(plan, name, data, 4, WEIGHTINIT_F32, 2, backwards, stop, 0),
           WEIGHTINIT_ERROR_INVALID_REGION, data, sizeof data, "region_start[0] = 3");
    expect("fill empty block", weightinit_plan_fill(plan, name, data, 0, WEIGHTINIT_F32, 2, empty, stop, 0),
           WEIGHTINIT_ERROR_INVALID_REGION, data, sizeof data, "empty");
    expect("fill block of rank 1", weightinit_plan_fill(plan, name, data, 2 * 4, WEIGHTINIT_F32, 1, start, stop, 0),
           WEIGHTINIT_ERROR_INVALID_REGION, data, sizeof data, "rank 2");
    expect("fill block without region_stop", weightinit_plan_fill(plan, name, data, 6 * 4, WEIGHTINIT_F32, 2, start, NULL, 0),
           WEIGHTINIT_ERROR_NULL_POINTER, data, sizeof data, "region_stop");
    expect("fill block size of the whole", weightinit_plan_fill(plan, name, data, 32 * 32 * 4, WEIGHTINIT_F32, 2, start,
                                                                stop, 0),
           WEIGHTINIT_ERROR_SIZE_MISMATCH, data, sizeof data, "24");
    expect("fill block 2 × 3", weightinit_plan_fill(plan, name, data, 6 * 4, WEIGHTINIT_F32, 2, start, stop, 0),
           WEIGHTINIT_OK, NULL, 0, NULL);
    if (untouched(data, 6 * 4) || !untouched((unsigned char *)data + 6 * 4, sizeof data - 6 * 4))
        fail("fill block 2 × 3 wrote its 24 bytes and nothing after them");

    /* Free: NULL does nothing; a pointer the library did not make, or has freed, is refused. */
    expect("free NULL", weightinit_plan_free(NULL), WEIGHTINIT_OK, NULL, 0, NULL);
    expect("free memory that is not a plan", weightinit_plan_free((weightinit_plan *)not_a_plan),
           WEIGHTINIT_ERROR_INVALID_ARGUMENT, NULL, 0, "not a live weightinit_plan");
    expect("free", weightinit_plan_free(plan), WEIGHTINIT_OK, NULL, 0, NULL);
    /* Calling anything with a freed plan is the caller's bug, not a
     * documented pattern; the library refuses it where it can tell (here,
     * with no plan made since, it can). */
    expect("free a freed plan (a bug the library catches)", weightinit_plan_free(plan), WEIGHTINIT_ERROR_INVALID_ARGUMENT,
           NULL, 0, "freed already");
    SET(count);
    expect("count of a freed plan", weightinit_plan_count(plan, &count), WEIGHTINIT_ERROR_INVALID_ARGUMENT, &count,
           sizeof count, "not a live weightinit_plan");
#undef SET
}

/* A scalar has no block; integer tensors fill with their constant in their
 * own type; a bool tensor's constant is one byte. */
static void check_scalars_and_integers(void) {
    static const int64_t four[] = {4};
    static const weightinit_plan_tensor tensors[] = {{"bn.num_batches_tracked", 0, NULL, WEIGHTINIT_DTYPE_DEFAULT},
                                                     {"mask", 1, four, WEIGHTINIT_BOOL},
                                                     {"count", 1, four, WEIGHTINIT_I32}};
    weightinit_plan *plan = NULL;
    int64_t counter, zero[1] = {0}, one[1] = {1};
    unsigned char mask[4];
    int32_t counts[4];
    weightinit_tensor_info info;
    if (weightinit_plan_create("{\"rules\": [{\"match\": \"*num_batches_tracked\", \"dtype\": \"i64\", \"scheme\": \"zeros\"},"
                               " {\"match\": \"mask\", \"scheme\": \"ones\"},"
                               " {\"match\": \"count\", \"scheme\": \"constant\", \"value\": -7}]}",
                               NULL, tensors, 3, 0, WEIGHTINIT_DTYPE_DEFAULT, 0, &plan) != WEIGHTINIT_OK) {
        fprintf(stderr, "cannot plan the integer tensors: %s\n", weightinit_last_error());
        exit(2);
    }
    if (weightinit_plan_tensor_info(plan, 0, &info) != WEIGHTINIT_OK || info.dtype != WEIGHTINIT_I64 || info.rank != 0
        || info.shape == NULL || strcmp(info.scheme, "zeros") != 0)
        fail("num_batches_tracked is an int64 scalar of zeros (its rule's dtype)");
    memset(&counter, SENTINEL, sizeof counter);
    expect("fill a scalar with a block", weightinit_plan_fill(plan, "bn.num_batches_tracked", &counter, 8, WEIGHTINIT_I64, 1,
                                                               zero, one, 0),
           WEIGHTINIT_ERROR_INVALID_REGION, &counter, sizeof counter, "scalar");
    counter = 99;
    expect("fill an int64 scalar", weightinit_plan_fill(plan, "bn.num_batches_tracked", &counter, 8, WEIGHTINIT_I64, 0, NULL,
                                                        NULL, 0),
           WEIGHTINIT_OK, NULL, 0, NULL);
    if (counter != 0) fail("num_batches_tracked is 0");
    expect("fill a bool tensor", weightinit_plan_fill(plan, "mask", mask, 4, WEIGHTINIT_BOOL, 0, NULL, NULL, 0), WEIGHTINIT_OK,
           NULL, 0, NULL);
    if (mask[0] != 1 || mask[3] != 1) fail("mask is ones, one byte each");
    expect("fill an int32 tensor", weightinit_plan_fill(plan, "count", counts, 16, WEIGHTINIT_I32, 0, NULL, NULL, 0),
           WEIGHTINIT_OK, NULL, 0, NULL);
    if (counts[0] != -7 || counts[3] != -7) fail("count is -7 as int32");
    if (weightinit_plan_free(plan) != WEIGHTINIT_OK) fail("free");
}

/* ---- Threads ----------------------------------------------------------------- */

typedef struct {
    const weightinit_plan *plan;
    const char *config;
    size_t count;
    unsigned char **expected;
    size_t *bytes;
    const char **names;
    weightinit_dtype *dtypes;
    int id, mismatches;
} worker;

static void *work(void *argument) {
    worker *w = argument;
    size_t i;
    int round;
    char own[64];
    for (round = 0; round < 2; round++) {
        for (i = 0; i < w->count; i++) {
            size_t k = (i + (size_t)w->id * 3) % w->count;   /* each thread starts elsewhere */
            unsigned char *out = allocate(w->bytes[k]);
            if (weightinit_plan_fill(w->plan, w->names[k], out, w->bytes[k], w->dtypes[k], 0, NULL, NULL,
                                     (int32_t)((w->id + round) % 3)) != WEIGHTINIT_OK
                || memcmp(out, w->expected[k], w->bytes[k]) != 0)
                w->mismatches++;
            free(out);
        }
        /* Plans made and freed meanwhile, and each thread's own last error. */
        if (w->id % 2 == 1) {
            weightinit_plan *other = NULL;
            if (weightinit_plan_create_from_config(w->config, NULL, (uint64_t)w->id, WEIGHTINIT_DTYPE_DEFAULT, &other)
                    != WEIGHTINIT_OK
                || weightinit_plan_free(other) != WEIGHTINIT_OK)
                w->mismatches++;
        }
        snprintf(own, sizeof own, "no.such.tensor.%d", w->id);
        {
            size_t index;
            if (weightinit_plan_find(w->plan, own, &index) != WEIGHTINIT_ERROR_UNKNOWN_TENSOR
                || strstr(weightinit_last_error(), own) == NULL)
                w->mismatches++;
        }
    }
    return NULL;
}

static int run_threads(const char *config) {
    enum { THREADS = 8 };
    weightinit_plan *plan = NULL;
    pthread_t threads[THREADS];
    worker workers[THREADS];
    size_t count = 0, i;
    unsigned char **expected;
    size_t *bytes;
    const char **names;
    weightinit_dtype *dtypes;
    int t;
    if (weightinit_plan_create_from_config(config, NULL, 7, WEIGHTINIT_DTYPE_DEFAULT, &plan) != WEIGHTINIT_OK
        || weightinit_plan_count(plan, &count) != WEIGHTINIT_OK) {
        fprintf(stderr, "cannot plan %s: %s\n", config, weightinit_last_error());
        return 2;
    }
    expected = allocate(count * sizeof *expected);
    bytes = allocate(count * sizeof *bytes);
    names = allocate(count * sizeof *names);
    dtypes = allocate(count * sizeof *dtypes);
    for (i = 0; i < count; i++) {
        weightinit_tensor_info info;
        if (weightinit_plan_tensor_info(plan, i, &info) != WEIGHTINIT_OK) return 2;
        names[i] = info.name;
        dtypes[i] = info.dtype;
        bytes[i] = elements(info.rank, info.shape) * element_size(info.dtype);
        expected[i] = allocate(bytes[i]);
        if (weightinit_plan_fill(plan, info.name, expected[i], bytes[i], info.dtype, 0, NULL, NULL, 1) != WEIGHTINIT_OK)
            return 2;
    }
    for (t = 0; t < THREADS; t++) {
        worker init = {plan, config, count, expected, bytes, names, dtypes, t, 0};
        workers[t] = init;
        if (pthread_create(&threads[t], NULL, work, &workers[t]) != 0) return 2;
    }
    for (t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        if (workers[t].mismatches != 0) {
            fprintf(stderr, "thread %d: %d fills or calls differ\n", t, workers[t].mismatches);
            failures++;
        }
    }
    printf("threads: %d threads × 2 rounds × %lu tensors of one plan\n", THREADS, (unsigned long)count);
    for (i = 0; i < count; i++) free(expected[i]);
    free(expected);
    free(bytes);
    free(names);
    free(dtypes);
    if (weightinit_plan_free(plan) != WEIGHTINIT_OK) fail("free");
    return failures != 0;
}

int main(int argc, char **argv) {
    if (argc == 7 && strcmp(argv[1], "config") == 0)
        return run_config(argv[2], argv[3], atoi(argv[4]), strtoull(argv[5], NULL, 10), argv[6]);
    if (argc == 7 && strcmp(argv[1], "list") == 0)
        return run_list(argv[2], argv[3], (unsigned)strtoul(argv[4], NULL, 10), strtoull(argv[5], NULL, 10), argv[6]);
    if (argc == 3 && strcmp(argv[1], "threads") == 0) return run_threads(argv[2]);
    if (argc == 3 && strcmp(argv[1], "errors") == 0) {
        check_create_errors(argv[2]);
        check_use_errors(argv[2]);
        check_scalars_and_integers();
        printf("%d failures\n", failures);
        return failures != 0;
    }
    fprintf(stderr, "usage: plan_test config CONFIG RULES DTYPE SEED DIR | list RULES VARIABLES FLAGS SEED DIR"
                    " | errors CONFIG | threads CONFIG\n");
    return 2;
}
