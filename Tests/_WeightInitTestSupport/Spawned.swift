import Foundation

/// A child process started the way a shell starts a job: every signal
/// unblocked and SIGINT, SIGTERM, SIGHUP and SIGCHLD at their default
/// actions, whatever the calling thread's mask. Test runners block nearly
/// every signal on their threads, and a mask is inherited by everything
/// started from there — `sh`'s `wait` then never returns, and no signal
/// reaches the tool.
public struct Spawned: Sendable {
    public let pid: pid_t

    /// Starts `argv` in `directory` with `environment`, stdin from /dev/null,
    /// stdout and stderr into the given files.
    public init(_ argv: [String], in directory: String, environment: [String: String], stdout: String, stderr: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        // posix_spawn has no working directory of its own: start in it through the shell.
        let command = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory] + argv
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let code = withCStrings(command) { argv in
            withCStrings(envp) { envp in posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp) }
        }
        guard code == 0 else { throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EINVAL) }
        self.pid = pid
    }

    /// Waits for the process: its exit status, or minus the signal that ended it.
    public func wait() -> Int32 {
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
        return Self.status(raw)
    }

    /// WIFEXITED / WEXITSTATUS / WTERMSIG by hand (macros Swift does not import).
    public static func status(_ raw: Int32) -> Int32 {
        raw & 0x7F == 0 ? (raw >> 8) & 0xFF : -(raw & 0x7F)
    }
}

/// `strings` as a NULL-terminated array of C strings, for `body`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return body(copies)
}
