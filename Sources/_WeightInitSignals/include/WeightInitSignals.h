// Platform shims of the atomic writes: removal of temporary files when a
// signal ends the process, and write-behind of large files (below).
//
// An atomic write fills a temporary file beside its destination and renames
// it into place at the end. If SIGINT (Ctrl-C), SIGTERM or SIGHUP ends the
// process before that, the temporary file must go too. A signal handler may
// only call async-signal-safe functions, take no locks and allocate nothing,
// so the paths live in a registry of fixed slots allocated up front, which
// the handler walks with atomic loads: unlink(2) each registered path, then
// _exit(128 + signal). The handler runs on whichever thread the kernel picks
// (a worker of the parallel fill, an OpenBLAS thread), which is safe because
// it touches nothing but the registry — and one atomic word through which a
// short step (moving a staged checkpoint into place) defers it: then it
// only records the signal, and the step acts on it when done
// (wi_signals_defer below).
//
// No stable API: the Swift side is TemporaryFile in WeightInit.

#ifndef WEIGHTINIT_SIGNALS_H
#define WEIGHTINIT_SIGNALS_H

// Internal to the package: hidden from every shared library that links it
// (libweightinit exports only weightinit.h's functions).
#include <stdint.h>

#pragma GCC visibility push(hidden)

/// Registers `path` for removal by the handler. Returns the slot (≥ 0) to
/// pass to wi_cleanup_unregister, or -1 when the path is longer than
/// WI_CLEANUP_PATH_BYTES − 1 or every slot is taken (the file is then not
/// removed on a signal). Thread-safe.
int wi_cleanup_register(const char *path);

/// What the handler does with a registered path: unlink it; remove the
/// files in it and then it (a staging directory of a sharded checkpoint);
/// remove it only if empty (a directory the run created for its output).
enum { WI_CLEANUP_FILE = 0, WI_CLEANUP_DIRECTORY = 1, WI_CLEANUP_EMPTY_DIRECTORY = 2 };
/// wi_cleanup_register for a path of `kind`.
int wi_cleanup_register_kind(const char *path, int kind);
/// Forgets the path in `slot` (-1 is ignored). Thread-safe.
void wi_cleanup_unregister(int slot);

/// Installs the handler for SIGINT, SIGTERM and SIGHUP — except for a signal
/// that is ignored on entry (nohup, a background job of a non-interactive
/// shell), which stays ignored — and unblocks them on the calling thread
/// (a blocked mask is inherited from the parent). Call it from the main
/// thread before starting others. Returns 0, or -1 with errno set.
int wi_cleanup_install(void);

/// Defers the handler's work: until the matching wi_signals_resume, SIGINT,
/// SIGTERM and SIGHUP are only recorded (the first one), whichever thread
/// they land on, and the interrupted system call is restarted. For a short,
/// bounded step that must not be cut in half — moving a staged checkpoint
/// into place, where removing the staging directory halfway would leave old
/// and new files side by side. Nests (a counter). If a handler is already
/// ending the process on another thread, it does not return: that handler
/// removes the registered paths and exits, and nothing of the step begins.
/// Thread-safe; every handler and this function agree through one atomic
/// word, so a signal either ends the process before the step begins or is
/// recorded for after it.
void wi_signals_defer(void);

/// Ends one wi_signals_defer. At the outermost: returns the signal recorded
/// meanwhile (0 if none) and forgets it; from then on signals act at once
/// again. The caller acts on it, normally with wi_signals_exit.
int wi_signals_resume(void);

/// What the handler does for `signal`, from ordinary code: removes every
/// registered path and calls _exit(128 + signal). Does not return. (Inside
/// a deferral it records `signal` instead and returns.)
void wi_signals_exit(int signal);

/// Slots and the longest path (with its NUL) the registry holds.
#define WI_CLEANUP_SLOTS 64
#define WI_CLEANUP_PATH_BYTES 4096

// MARK: Large files: direct I/O, or write-behind (Writeback.c)
//
// A large file written with write(2) is first copied into the page cache,
// whose pages the kernel must allocate (and, in a virtual machine, the host
// often must back anew) — on the machines measured that copy cost more than
// generating the values, and varied 4× from run to run — and then written
// to disk only when the fsync before the rename asks, after the last byte,
// so generating and writing never overlap. Direct I/O (O_DIRECT) sends
// aligned blocks from the writer's own buffers straight to the disk: no
// copy, no page cache, and a writer thread keeps the disk busy while the
// next buffer is filled. Where a file system refuses it, write-behind is
// the fallback: the write-back of each range starts as soon as it is
// complete, ranges well behind are waited for and dropped from the cache.
//
// O_DIRECT and sync_file_range(2) are GNU extensions the Swift Glibc module
// does not import, hence these. Elsewhere direct I/O is unavailable and the
// write-behind calls do nothing: the final fsync still makes the file
// durable. Write-behind is a hint only — an error there is reported by
// that fsync.

/// Alignment of direct I/O: buffer addresses, file offsets and lengths are
/// multiples of it (the largest logical block size of common disks).
#define WI_DIRECT_IO_ALIGNMENT 4096

/// Turns direct I/O on or off for `fd`. Returns 0, or -1 with errno set
/// (EINVAL: the file system does not support it; ENOTSUP: not Linux).
int wi_direct_io(int fd, int enable);

/// Starts writing back the dirty pages of `count` bytes at `offset` of `fd`,
/// without waiting. Returns 0, or -1 with errno set.
int wi_writeback_start(int fd, int64_t offset, int64_t count);

/// Waits until the pages of that range are on disk (starting their write
/// if needed), then tells the kernel they will not be read again, so it
/// may drop them from the page cache. Returns 0, or -1 with errno set.
int wi_writeback_finish(int fd, int64_t offset, int64_t count);

#pragma GCC visibility pop

#endif
