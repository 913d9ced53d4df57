import Foundation

/// strace(1) as the tools' tests use it: to see the order of their system
/// calls, and to inject a signal or an error into one exact call.
public enum Strace {
    public static let path = "/usr/bin/strace"

    /// Whether strace exists and may trace here (ptrace can be forbidden in containers).
    public static let works: Bool = {
        guard FileManager.default.isExecutableFile(atPath: path) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-o", "/dev/null", "/bin/true"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// The options that trace the renames (whichever of the three calls the C library makes).
    public static let renames = ["-e", "trace=rename,renameat,renameat2"]

    /// For each successful rename in `log` (strace's output) into
    /// `directory` itself — not into a directory inside it — the name it
    /// gave and where it stands among the calls of its kind: what strace's
    /// `-e inject=CALL:…:when=COUNT` needs to act on exactly that rename.
    public static func renames(into directory: String, in log: String) -> [String: (call: String, count: Int)] {
        var found: [String: (call: String, count: Int)] = [:], counts: [String: Int] = [:]
        for line in log.split(separator: "\n") {
            guard let match = line.firstMatch(of: /(rename(?:at2?)?)\((?:AT_FDCWD, )?"[^"]*", (?:AT_FDCWD, )?"([^"]*)"/) else { continue }
            let call = String(match.1)
            counts[call, default: 0] += 1
            let destination = String(match.2)
            let name = destination.dropFirst(directory.count + 1)
            if destination.hasPrefix(directory + "/"), !name.contains("/") { found[String(name)] = (call, counts[call]!) }
        }
        return found
    }
}

/// What a directory holds: every entry's bytes (a subdirectory as the
/// placeholder `<directory>`), hidden entries included — so a test can
/// say "exactly these files, nothing else".
public func directorySnapshot(_ directory: String) throws -> [String: Data]? {
    guard FileManager.default.fileExists(atPath: directory) else { return nil }
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory)
        files[name] = isDirectory.boolValue ? Data("<directory>".utf8) : try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
    }
    return files
}

/// A process's state from /proc/PID/status.
public struct ProcessStatus {
    /// Its command name (after exec).
    public let name: String
    /// Stopped (T), or held by its tracer (t).
    public let isStopped: Bool
    /// The signals pending for it, as a bit mask (bit n − 1 for signal n), thread and process.
    public let pending: UInt64

    /// Nil once the process is gone (or a zombie).
    public init?(_ pid: pid_t) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var name = "", state = "", pending: UInt64 = 0
        for line in status.split(separator: "\n") {
            let value = line.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? ""
            if line.hasPrefix("Name:") { name = value }
            if line.hasPrefix("State:") { state = value }
            if line.hasPrefix("SigPnd:") || line.hasPrefix("ShdPnd:") { pending |= UInt64(value, radix: 16) ?? 0 }
        }
        guard !state.hasPrefix("Z") else { return nil }
        (self.name, self.isStopped, self.pending) = (name, state.hasPrefix("T") || state.hasPrefix("t"), pending)
    }

    /// Whether `signal` is pending (sent, not yet taken by a handler).
    public func isPending(_ signal: Int32) -> Bool { pending & (UInt64(1) << UInt64(signal - 1)) != 0 }
}
