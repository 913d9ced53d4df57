import Foundation

/// What a run of a tool printed, and how it ended.
public struct ToolResult: Sendable {
    /// The exit status, or minus the signal that killed the process.
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        (self.status, self.stdout, self.stderr) = (status, stdout, stderr)
    }

    /// stderr's lines (without the empty one after the final newline).
    public var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
}

/// Runs a built tool (weightinit, weightinit-mpi under mpirun) as the tests
/// do: in a ``Scratch``'s `output`, stdout and stderr captured in files
/// beside it, stdin from a file or /dev/null.
public enum ToolRun {
    /// Starts `executable arguments` in `directory` without waiting;
    /// `standardOutput` replaces the captured stdout (e.g. /dev/full).
    public static func start(
        _ executable: String, _ arguments: [String], in directory: Scratch, environment: [String: String]? = nil,
        standardOutput: String? = nil, standardInput: String? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.output)
        if let environment { process.environment = environment }
        let (stdout, stderr) = (directory.root + "/stdout", directory.root + "/stderr")
        for path in [stdout, stderr] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: standardOutput ?? stdout))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        process.standardInput = standardInput.map { FileHandle(forReadingAtPath: $0) ?? FileHandle.nullDevice }
            ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits for a process from ``start(_:_:in:environment:standardOutput:standardInput:)``
    /// and reads what it printed.
    public static func finish(_ process: Process, in directory: Scratch) throws -> ToolResult {
        process.waitUntilExit()
        return ToolResult(
            // Killed by a signal: its number, negated — never a status the tool chose.
            status: process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus,
            stdout: try capturedOutput(of: directory), stderr: try capturedError(of: directory))
    }

    /// Runs `executable arguments` to the end.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: Scratch, environment: [String: String]? = nil,
        standardOutput: String? = nil, standardInput: String? = nil
    ) throws -> ToolResult {
        let process = try start(executable, arguments, in: directory, environment: environment,
                                standardOutput: standardOutput, standardInput: standardInput)
        return try finish(process, in: directory)
    }

    /// What the last run in `directory` wrote to its captured stdout and stderr.
    /// Decoded leniently (invalid UTF-8 becomes U+FFFD): tests of hostile
    /// input print what they were given.
    public static func capturedOutput(of directory: Scratch) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory.root + "/stdout")), as: UTF8.self)
    }

    public static func capturedError(of directory: Scratch) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory.root + "/stderr")), as: UTF8.self)
    }
}

/// Finds what the build made for the tests: a tool, a library.
public enum BuiltExecutable {
    public struct NotFound: Error, CustomStringConvertible {
        public let name: String
        public let hint: String
        public let candidates: [String]
        public var description: String {
            "\(name) was not found (\(hint)); looked in: \(candidates.joined(separator: ", "))"
        }
    }

    /// `$variable` if set; else `name` beside the test runner in the same
    /// build-products directory (so debug tests use the debug build), else
    /// under `package`'s `.build/debug` or `.build/release` — an executable
    /// unless `executable` is false.
    public static func find(_ name: String, variable: String, package: URL, hint: String,
                            executable: Bool = true) throws -> String {
        if let path = ProcessInfo.processInfo.environment[variable] { return path }
        var directories: [URL] = []
        if let runner = Bundle.main.executableURL { directories.append(runner.resolvingSymlinksInPath().deletingLastPathComponent()) }
        directories += Bundle.allBundles.map { $0.bundleURL.resolvingSymlinksInPath().deletingLastPathComponent() }
        directories += ["debug", "release"].map { package.appendingPathComponent(".build/\($0)") }
        let candidates = directories.map { $0.appendingPathComponent(name).path }
        let usable: (String) -> Bool = executable
            ? { FileManager.default.isExecutableFile(atPath: $0) } : { FileManager.default.fileExists(atPath: $0) }
        guard let found = candidates.first(where: usable) else {
            throw NotFound(name: name, hint: hint + ", or set \(variable)", candidates: candidates)
        }
        return found
    }

    /// `name` found on PATH, or nil.
    public static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
