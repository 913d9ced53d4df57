/*
 * ABI 1.1's weightinit_fill_region_cancellable from C:
 *   - a flag set before the call: WEIGHTINIT_ERROR_CANCELLED, nothing written, a message;
 *   - a flag set by another thread while sparse scans 2^32 rows of keys: the same;
 *   - a NULL or clear flag: the bytes of weightinit_fill_region;
 *   - more rows than sparse ranks (2^32 + 1): WEIGHTINIT_ERROR_INVALID_SHAPE at once.
 * Prints one line per check and "N failures"; exits non-zero on a failure.
 * No timing: a fill that ignored the flag would finish and write its values.
 */
#include "weightinit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s %s\n", ok ? "ok" : "FAILED", what);
    if (!ok) failures++;
}

#define SENTINEL (-7.25f)

static int untouched(const float *values, size_t count) {
    for (size_t i = 0; i < count; i++)
        if (values[i] != SENTINEL) return 0;
    return 1;
}

static void reset(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) values[i] = SENTINEL;
}

/* A one-row block of a (2^32, 4) sparse tensor: its cuts read 2^34 keys. */
static const int64_t huge[2] = {(int64_t)1 << 32, 4};
static const int64_t huge_start[2] = {5, 0}, huge_stop[2] = {6, 4};

typedef struct {
    const weightinit_scheme *scheme;
    float *values;
    volatile int32_t *cancel;
    weightinit_status status;
} job;

static void *fill_huge(void *argument) {
    job *j = argument;
    j->status = weightinit_fill_region_cancellable(j->scheme, j->values, 4 * sizeof(float), WEIGHTINIT_F32, 2, huge,
                                                   huge_start, huge_stop, WEIGHTINIT_LAYOUT_TORCH, 0, 0, 9, 1, 0,
                                                   j->cancel);
    return NULL;
}

int main(void) {
    weightinit_scheme sparse, normal;
    if (weightinit_scheme_parse("sparse --sparsity 0.5", &sparse) != WEIGHTINIT_OK
        || weightinit_scheme_parse("normal --std 2", &normal) != WEIGHTINIT_OK) {
        fprintf(stderr, "%s\n", weightinit_last_error());
        return 2;
    }
    check(weightinit_abi_version() >= 10001 && WEIGHTINIT_ABI_COMPATIBLE(weightinit_abi_version()), "ABI 1.1");
    check(strcmp(weightinit_status_name(WEIGHTINIT_ERROR_CANCELLED), "WEIGHTINIT_ERROR_CANCELLED") == 0,
          "the status has its name");

    const int64_t shape[2] = {6, 5}, start[2] = {1, 2}, stop[2] = {5, 5};
    float values[12], expected[12];
    const weightinit_scheme *schemes[2] = {&sparse, &normal};
    for (int s = 0; s < 2; s++) {
        volatile int32_t set = 1, clear = 0;
        reset(values, 12);
        weightinit_status status = weightinit_fill_region_cancellable(
            schemes[s], values, sizeof values, WEIGHTINIT_F32, 2, shape, start, stop, WEIGHTINIT_LAYOUT_TORCH, 0, 0, 3,
            4, 1, &set);
        check(status == WEIGHTINIT_ERROR_CANCELLED && untouched(values, 12), "a flag set before the call: cancelled, nothing written");
        check(strstr(weightinit_last_error(), "cancelled") != NULL, "and the message says so");

        if (weightinit_fill_region(schemes[s], expected, sizeof expected, WEIGHTINIT_F32, 2, shape, start, stop,
                                   WEIGHTINIT_LAYOUT_TORCH, 0, 0, 3, 4, 1) != WEIGHTINIT_OK) {
            fprintf(stderr, "%s\n", weightinit_last_error());
            return 2;
        }
        status = weightinit_fill_region_cancellable(schemes[s], values, sizeof values, WEIGHTINIT_F32, 2, shape, start,
                                                    stop, WEIGHTINIT_LAYOUT_TORCH, 0, 0, 3, 4, 1, &clear);
        check(status == WEIGHTINIT_OK && memcmp(values, expected, sizeof values) == 0, "a clear flag: the region's bytes");
        reset(values, 12);
        status = weightinit_fill_region_cancellable(schemes[s], values, sizeof values, WEIGHTINIT_F32, 2, shape, start,
                                                    stop, WEIGHTINIT_LAYOUT_TORCH, 0, 0, 3, 4, 1, NULL);
        check(status == WEIGHTINIT_OK && memcmp(values, expected, sizeof values) == 0, "no flag: the region's bytes");
    }

    /* Set by another thread while the keys are scanned (the scan has at most begun). */
    float block[4];
    reset(block, 4);
    volatile int32_t cancel = 0;
    job j = {&sparse, block, &cancel, WEIGHTINIT_OK};
    pthread_t thread;
    if (pthread_create(&thread, NULL, fill_huge, &j) != 0) return 2;
    cancel = 1;
    pthread_join(thread, NULL);
    check(j.status == WEIGHTINIT_ERROR_CANCELLED && untouched(block, 4),
          "a flag set while sparse scans 2^32 rows: cancelled, nothing written");

    /* More rows than sparse ranks: refused before any work. */
    const int64_t too_many[2] = {((int64_t)1 << 32) + 1, 4};
    reset(block, 4);
    weightinit_status status = weightinit_fill_region_cancellable(&sparse, block, sizeof block, WEIGHTINIT_F32, 2,
                                                                  too_many, huge_start, huge_stop,
                                                                  WEIGHTINIT_LAYOUT_TORCH, 0, 0, 9, 1, 0, NULL);
    check(status == WEIGHTINIT_ERROR_INVALID_SHAPE && untouched(block, 4)
              && strstr(weightinit_last_error(), "at most 2³² rows") != NULL,
          "2^32 + 1 rows: WEIGHTINIT_ERROR_INVALID_SHAPE");

    printf("%d failures\n", failures);
    return failures != 0;
}
