// The parts of the C ABI that need no Swift: versions, status names and the
// thread-local message of the last error. Everything else is implemented in
// Swift (Sources/WeightInitC), checked against weightinit.h when it compiles.

#include "weightinit.h"
#include "weightinit_internal.h"

#include <string.h>

uint32_t weightinit_abi_version(void) { return WEIGHTINIT_ABI_VERSION; }

const char *weightinit_status_name(int status) {
    switch (status) {
    case WEIGHTINIT_OK: return "WEIGHTINIT_OK";
    case WEIGHTINIT_ERROR_NULL_POINTER: return "WEIGHTINIT_ERROR_NULL_POINTER";
    case WEIGHTINIT_ERROR_INVALID_ENUM: return "WEIGHTINIT_ERROR_INVALID_ENUM";
    case WEIGHTINIT_ERROR_INVALID_ARGUMENT: return "WEIGHTINIT_ERROR_INVALID_ARGUMENT";
    case WEIGHTINIT_ERROR_INVALID_SCHEME: return "WEIGHTINIT_ERROR_INVALID_SCHEME";
    case WEIGHTINIT_ERROR_INVALID_PARAMETER: return "WEIGHTINIT_ERROR_INVALID_PARAMETER";
    case WEIGHTINIT_ERROR_INVALID_SHAPE: return "WEIGHTINIT_ERROR_INVALID_SHAPE";
    case WEIGHTINIT_ERROR_TOO_LARGE: return "WEIGHTINIT_ERROR_TOO_LARGE";
    case WEIGHTINIT_ERROR_SIZE_MISMATCH: return "WEIGHTINIT_ERROR_SIZE_MISMATCH";
    case WEIGHTINIT_ERROR_INVALID_REGION: return "WEIGHTINIT_ERROR_INVALID_REGION";
    case WEIGHTINIT_ERROR_BUFFER_TOO_SMALL: return "WEIGHTINIT_ERROR_BUFFER_TOO_SMALL";
    case WEIGHTINIT_ERROR_FAILURE: return "WEIGHTINIT_ERROR_FAILURE";
    case WEIGHTINIT_ERROR_CANCELLED: return "WEIGHTINIT_ERROR_CANCELLED";
    case WEIGHTINIT_ERROR_INVALID_MODEL: return "WEIGHTINIT_ERROR_INVALID_MODEL";
    case WEIGHTINIT_ERROR_UNKNOWN_TENSOR: return "WEIGHTINIT_ERROR_UNKNOWN_TENSOR";
    default: return "WEIGHTINIT_UNKNOWN_STATUS";
    }
}

// One buffer per thread: a message is never seen, or overwritten, by another
// thread, and needs no allocation (so reporting cannot fail). The Swift side
// stores only escaped, clipped lines (storeLastError in Status.swift), which
// fit; the cut below is a backstop.
static _Thread_local char last_error[WEIGHTINIT_INTERNAL_MESSAGE_CAPACITY];

const char *weightinit_last_error(void) { return last_error; }

void weightinit_internal_set_last_error(const char *message) {
    size_t length = strlen(message);
    if (length >= sizeof last_error) {
        length = sizeof last_error - 1;
        // Back up over UTF-8 continuation bytes (10xxxxxx) so a character is never cut in half.
        while (length > 0 && ((unsigned char)message[length] & 0xC0) == 0x80) length--;
    }
    memcpy(last_error, message, length);
    last_error[length] = '\0';
}
