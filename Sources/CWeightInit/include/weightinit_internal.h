/*
 * Private to libweightinit: what the Swift implementation (WeightInitC)
 * needs from the C part of the ABI target. Not installed; hidden in the
 * shared library, so the only exported C symbols are weightinit.h's.
 */
#ifndef WEIGHTINIT_INTERNAL_H
#define WEIGHTINIT_INTERNAL_H

#include "weightinit.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The bytes of the calling thread's weightinit_last_error() buffer, NUL
 *  included. The library stores messages escaped and clipped to
 *  TerminalText.lineLimit (2000) characters, then "…(N characters)": an
 *  escaped character takes at most 8 bytes ("\u{2069}") and any other at
 *  most 4 (UTF-8), so the longest line is 8 × 2000 + 36 bytes. */
#define WEIGHTINIT_INTERNAL_MESSAGE_CAPACITY 16384

/** Sets the calling thread's weightinit_last_error() message (copied;
 *  cut at a UTF-8 character boundary if longer than the buffer). */
__attribute__((visibility("hidden"))) void weightinit_internal_set_last_error(const char *message);

/** Whether a caller's cancel flag (weightinit_fill_region_cancellable) is
 *  set: a relaxed atomic load, as another thread or a signal handler stores
 *  it. Inline, so no symbol is exported. */
static inline int weightinit_internal_is_set(const volatile int32_t *flag) {
    return __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
}

#ifdef __cplusplus
}
#endif

#endif
