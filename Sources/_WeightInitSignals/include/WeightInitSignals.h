// Removal of temporary files when a signal ends the process.
//
// An atomic write fills a temporary file beside its destination and renames
// it into place at the end. If SIGINT (Ctrl-C), SIGTERM or SIGHUP ends the
// process before that, the temporary file must go too. A signal handler may
// only call async-signal-safe functions, take no locks and allocate nothing,
// so the paths live in a registry of fixed slots allocated up front, which
// the handler walks with atomic loads: unlink(2) each registered path, then
// _exit(128 + signal). The handler runs on whichever thread the kernel picks
// (a worker of the parallel fill, an OpenBLAS thread), which is safe because
// it touches nothing but the registry.
//
// No stable API: the Swift side is TemporaryFile in WeightInit.

#ifndef WEIGHTINIT_SIGNALS_H
#define WEIGHTINIT_SIGNALS_H

// Internal to the package: hidden from every shared library that links it
// (libweightinit exports only weightinit.h's functions).
#pragma GCC visibility push(hidden)

/// Registers `path` for removal by the handler. Returns the slot (≥ 0) to
/// pass to wi_cleanup_unregister, or -1 when the path is longer than
/// WI_CLEANUP_PATH_BYTES − 1 or every slot is taken (the file is then not
/// removed on a signal). Thread-safe.
int wi_cleanup_register(const char *path);

/// Forgets the path in `slot` (-1 is ignored). Thread-safe.
void wi_cleanup_unregister(int slot);

/// Installs the handler for SIGINT, SIGTERM and SIGHUP — except for a signal
/// that is ignored on entry (nohup, a background job of a non-interactive
/// shell), which stays ignored — and unblocks them on the calling thread
/// (a blocked mask is inherited from the parent). Call it from the main
/// thread before starting others. Returns 0, or -1 with errno set.
int wi_cleanup_install(void);

/// Slots and the longest path (with its NUL) the registry holds.
#define WI_CLEANUP_SLOTS 64
#define WI_CLEANUP_PATH_BYTES 4096

#pragma GCC visibility pop

#endif
