#if defined(__linux__)
#define _GNU_SOURCE
#endif

#include "WeightInitSignals.h"

#include <fcntl.h>

#if defined(__linux__)

int wi_direct_io(int fd, int enable) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, enable ? flags | O_DIRECT : flags & ~O_DIRECT) == 0 ? 0 : -1;
}

int wi_writeback_start(int fd, int64_t offset, int64_t count) {
    return sync_file_range(fd, offset, count, SYNC_FILE_RANGE_WRITE);
}

int wi_writeback_finish(int fd, int64_t offset, int64_t count) {
    int status = sync_file_range(fd, offset, count,
                                 SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    if (status != 0) return status;
    return posix_fadvise(fd, offset, count, POSIX_FADV_DONTNEED) == 0 ? 0 : -1;
}

#else

#include <errno.h>

int wi_direct_io(int fd, int enable) {
    (void)fd; (void)enable;
    errno = ENOTSUP;
    return -1;
}

int wi_writeback_start(int fd, int64_t offset, int64_t count) {
    (void)fd; (void)offset; (void)count;
    return 0;
}

int wi_writeback_finish(int fd, int64_t offset, int64_t count) {
    (void)fd; (void)offset; (void)count;
    return 0;
}

#endif
