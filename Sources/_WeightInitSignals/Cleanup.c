#if defined(__linux__)
#define _GNU_SOURCE
#endif

#include "WeightInitSignals.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

/// A slot is FREE, CLAIMED (a thread is copying a path in) or ACTIVE (the
/// handler removes its path). Claiming is a compare-and-swap, so threads
/// never share a slot; the handler reads only ACTIVE slots, whose path is
/// complete (release store after the copy, acquire load in the handler).
enum { FREE = 0, CLAIMED = 1, ACTIVE = 2 };

static struct {
    atomic_int state;
    /// WI_CLEANUP_FILE, WI_CLEANUP_DIRECTORY or WI_CLEANUP_EMPTY_DIRECTORY.
    int kind;
    char path[WI_CLEANUP_PATH_BYTES];
} slots[WI_CLEANUP_SLOTS];

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the handler needs lock-free atomics");

int wi_cleanup_register(const char *path) { return wi_cleanup_register_kind(path, WI_CLEANUP_FILE); }

int wi_cleanup_register_kind(const char *path, int kind) {
    size_t length = strlen(path);
    if (length >= WI_CLEANUP_PATH_BYTES) return -1;
    for (int i = 0; i < WI_CLEANUP_SLOTS; i++) {
        int expected = FREE;
        if (atomic_compare_exchange_strong(&slots[i].state, &expected, CLAIMED)) {
            memcpy(slots[i].path, path, length + 1);
            slots[i].kind = kind;
            atomic_store_explicit(&slots[i].state, ACTIVE, memory_order_release);
            return i;
        }
    }
    return -1;
}

void wi_cleanup_unregister(int slot) {
    if (slot < 0 || slot >= WI_CLEANUP_SLOTS) return;
    atomic_store_explicit(&slots[slot].state, FREE, memory_order_release);
}

/// The handler's cleanup: only atomic loads, unlink(2) and _exit(2), all
/// async-signal-safe. The exit status is the shell's for a signal, 128 + n
/// (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
///
/// Removes the files directly in `path` (a staging directory holds no
/// subdirectories), then the directory: open(2), getdents64(2), unlinkat(2),
/// close(2) and rmdir(2), all system calls the handler may make. Linux only;
/// elsewhere only an empty directory is removed.
static void remove_directory(const char *path) {
#if defined(__linux__)
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        char buffer[4096] __attribute__((aligned(8)));
        for (;;) {
            long count = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
            if (count <= 0) break;
            for (long offset = 0; offset < count;) {
                struct dirent64 *entry = (struct dirent64 *)(buffer + offset);
                const char *name = entry->d_name;
                if (!(name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))) unlinkat(fd, name, 0);
                offset += entry->d_reclen;
            }
        }
        close(fd);
    }
#endif
    rmdir(path);
}

/// Files first, then directories (emptied staging directories, then
/// directories removed only if empty, such as a checkpoint directory this
/// run created and would have filled).
static _Noreturn void remove_registered_and_exit(int signal) {
    for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < WI_CLEANUP_SLOTS; i++) {
            if (atomic_load_explicit(&slots[i].state, memory_order_acquire) != ACTIVE) continue;
            int kind = slots[i].kind;
            if (pass == 0 && kind == WI_CLEANUP_FILE) unlink(slots[i].path);
            if (pass == 1 && kind == WI_CLEANUP_DIRECTORY) remove_directory(slots[i].path);
            if (pass == 2 && kind == WI_CLEANUP_EMPTY_DIRECTORY) rmdir(slots[i].path);
        }
    }
    _exit(128 + signal);
}

// MARK: Deferral
//
// One atomic word holds the whole state, so that a handler on any thread
// and the thread that defers always agree on who acts:
//   bits 0–7   the first signal recorded while deferred (0: none);
//   bits 8–29  how deep the deferral is nested (0: signals act at once);
//   EXITING    a handler (or wi_signals_exit) has begun removing the
//              registered paths and will call _exit.
// A handler that finds depth 0 claims EXITING with a compare-and-swap and
// cleans up; finding depth > 0 it records the signal (if none is yet) with
// a compare-and-swap and returns. wi_signals_defer raises the depth with a
// compare-and-swap from a state without EXITING. So a signal either wins
// before the deferred step begins (the step never starts: the deferring
// thread waits for the _exit) or is recorded for the step to act on after;
// never both, never neither. Lock-free atomics only: async-signal-safe.

enum { PENDING_MASK = 0xFF, DEPTH_UNIT = 0x100, DEPTH_MASK = 0x3FFFFF00, EXITING = 0x40000000 };

static atomic_int deferral;

/// Another thread is ending the process: wait here for its _exit.
static _Noreturn void wait_for_exit(void) {
    for (;;) pause();
}

/// Claims the exit, or records `signal` if a deferral is active (returns
/// then). Waits for the _exit if another thread claimed it first.
static void claim_exit_or_record(int signal) {
    int state = atomic_load(&deferral);
    for (;;) {
        if (state & EXITING) wait_for_exit();
        if (state & DEPTH_MASK) {
            if ((state & PENDING_MASK) != 0) return;
            if (atomic_compare_exchange_weak(&deferral, &state, state | (signal & PENDING_MASK))) return;
            continue;
        }
        if (atomic_compare_exchange_weak(&deferral, &state, EXITING)) remove_registered_and_exit(signal);
    }
}

/// The handler: returns only when the signal was recorded for a deferred
/// step (errno as it found it); otherwise removes the registered paths and
/// exits.
static void handle(int signal) {
    int saved = errno;
    claim_exit_or_record(signal);
    errno = saved;
}

void wi_signals_defer(void) {
    int state = atomic_load(&deferral);
    for (;;) {
        if (state & EXITING) wait_for_exit();
        if (atomic_compare_exchange_weak(&deferral, &state, state + DEPTH_UNIT)) return;
    }
}

int wi_signals_resume(void) {
    int state = atomic_load(&deferral);
    for (;;) {
        if ((state & DEPTH_MASK) == 0) return 0;  // unbalanced: nothing deferred
        int next = state - DEPTH_UNIT, pending = 0;
        if ((next & DEPTH_MASK) == 0) {
            pending = next & PENDING_MASK;
            next &= ~PENDING_MASK;
        }
        if (atomic_compare_exchange_weak(&deferral, &state, next)) return pending;
    }
}

static const int handled[] = {SIGINT, SIGTERM, SIGHUP};
enum { COUNT = sizeof handled / sizeof handled[0] };

void wi_signals_exit(int signal) {
    // Blocked on this thread first: a handler run here after the claim would
    // wait for an _exit that this very thread, interrupted, never reaches.
    sigset_t block, previous;
    sigemptyset(&block);
    for (int i = 0; i < COUNT; i++) sigaddset(&block, handled[i]);
    pthread_sigmask(SIG_BLOCK, &block, &previous);
    claim_exit_or_record(signal);
    // Recorded for an enclosing deferral instead: back as it was.
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
}

int wi_cleanup_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handle;
    // The handler returns only during a deferral; a system call it
    // interrupted then resumes rather than failing with EINTR.
    action.sa_flags = SA_RESTART;
    // While one of them is handled on a thread, the others wait there.
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < COUNT; i++) sigaddset(&action.sa_mask, handled[i]);
    sigset_t unblock;
    sigemptyset(&unblock);
    for (int i = 0; i < COUNT; i++) {
        struct sigaction current;
        if (sigaction(handled[i], NULL, &current) != 0) return -1;
        if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN) continue;
        if (sigaction(handled[i], &action, NULL) != 0) return -1;
        sigaddset(&unblock, handled[i]);
    }
    // A mask is inherited across exec: a parent that spawns from a thread
    // blocking every signal (test runners, thread pools) would leave these
    // pending until exit. Unblocked on this thread and the threads it starts
    // later; threads that already exist keep their masks, and the kernel
    // delivers the signal to a thread that does not block it.
    return pthread_sigmask(SIG_UNBLOCK, &unblock, NULL) == 0 ? 0 : -1;
}
