import Foundation
import Testing
@_exported import _WeightInitTestSupport

/// Runs the built `weightinit` executable (through the test support shared
/// with the MPI package's tests: `Scratch`, `ToolRun`, `Spawned`).
enum CLI {
    typealias Result = ToolResult

    /// The package root: Tests/WeightInitCLITests/Support.swift → ../..
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The executable built with the tests (see `BuiltExecutable`), or `$WEIGHTINIT_EXECUTABLE`.
    static func executable() throws -> String {
        try BuiltExecutable.find("weightinit", variable: "WEIGHTINIT_EXECUTABLE", package: package,
                                 hint: "build it with `swift build --build-tests`")
    }

    /// Runs `weightinit arguments` with `directory` as the working directory.
    /// stdout and stderr go to files outside `directory`, so the directory
    /// holds only what weightinit wrote — unless `standardOutput` names
    /// another file to write stdout to (such as /dev/full); `standardInput`
    /// is a file to read stdin from (default: none, /dev/null).
    static func run(_ arguments: [String], in directory: Scratch, standardOutput: String? = nil,
                    standardInput: String? = nil) throws -> Result {
        try ToolRun.run(try executable(), arguments, in: directory, standardOutput: standardOutput,
                        standardInput: standardInput)
    }

    /// Starts `weightinit arguments` as ``run(_:in:standardOutput:standardInput:)``
    /// does, without waiting for it; ``finish(_:in:)`` collects the result.
    static func start(_ arguments: [String], in directory: Scratch, standardOutput: String? = nil,
                      standardInput: String? = nil) throws -> Process {
        try ToolRun.start(try executable(), arguments, in: directory, standardOutput: standardOutput,
                          standardInput: standardInput)
    }

    /// Starts `arguments`, waits (polling, no fixed sleep) until `ready`
    /// holds — the write is under way — sends `signal` and returns the
    /// result. Records an issue if the run ended first (`awaited` names what
    /// was awaited).
    static func interrupt(_ arguments: [String], with signal: Int32, in directory: Scratch, awaited: String,
                          once ready: () throws -> Bool) throws -> Result {
        let process = try start(arguments, in: directory)
        while try !ready() {
            guard process.isRunning else {
                let result = try finish(process, in: directory)
                Issue.record("the run ended before \(awaited) was seen: \(result.status) \(result.stderr)")
                return result
            }
            usleep(1000)
        }
        kill(process.processIdentifier, signal)
        return try finish(process, in: directory)
    }

    static func finish(_ process: Process, in directory: Scratch) throws -> Result {
        try ToolRun.finish(process, in: directory)
    }

    /// Runs `weightinit arguments`, which must succeed quietly and print
    /// JSON, and returns python's reading of it: each expression evaluated
    /// with `d` the parsed JSON.
    static func json(_ arguments: [String], _ expressions: [String], in scratch: Scratch) throws -> [String] {
        let result = try run(arguments, in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty)
        let script = """
            import json, sys
            d = json.loads(sys.argv[1])
            for e in sys.argv[2:]:
                print(eval(e))
            """
        return try Numpy.run(script, [result.stdout] + expressions).split(separator: "\n").map(String.init)
    }
}

/// Reads files back with numpy, the reference reader for `.npy`.
enum Numpy {
    struct Unavailable: Error, CustomStringConvertible {
        let detail: String
        var description: String {
            "python3 with numpy is required to read the CLI's output back (bash .ci/setup installs it): \(detail)"
        }
    }

    struct ScriptFailed: Error, CustomStringConvertible {
        let stderr: String
        var description: String { "numpy check failed: \(stderr)" }
    }

    /// Runs `script` under `python3 -c` with `arguments` in `sys.argv[1...]`;
    /// returns its stdout, trimmed.
    static func run(_ script: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let (stdout, stderr) = (Pipe(), Pipe())
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { throw Unavailable(detail: "cannot start python3: \(error)") }
        // Outputs are a few lines; read both before waiting so neither pipe can fill.
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 127 || err.contains("No module named 'numpy'") {
            throw Unavailable(detail: err.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard process.terminationStatus == 0 else { throw ScriptFailed(stderr: err) }
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `numpy.load(path)` summarised as `(shape, dtype)` plus the values of `expressions` of `a`.
    static func load(_ path: String, _ expressions: [String] = []) throws -> (shape: String, dtype: String, values: [Double]) {
        let script = """
            import sys, numpy
            a = numpy.load(sys.argv[1], allow_pickle=False)
            d = a.astype(numpy.float64)
            print(a.shape)
            print(a.dtype)
            for e in sys.argv[2:]:
                print(repr(float(eval(e))))
            """
        let lines = try run(script, [path] + expressions).split(separator: "\n").map(String.init)
        guard lines.count == 2 + expressions.count else { throw ScriptFailed(stderr: "unexpected output \(lines)") }
        return (lines[0], lines[1], lines.dropFirst(2).map { Double($0) ?? .nan })
    }
}

extension Numpy {
    /// What one file holds, as numpy sees it.
    struct Summary: Decodable {
        let shape: [Int]
        let dtype: String
        let count: Int
        let mean: Double
        let std: Double
        let min: Double
        let max: Double
        /// Exact zeros in each column of a 2-D array (empty otherwise).
        let zerosPerColumn: [Int]
        /// The standard deviation of the values that are not zero.
        let nonzeroStd: Double
    }

    /// Summaries of many files from one python3 call (numpy's import is most
    /// of a call's cost).
    static func summaries(_ paths: [String]) throws -> [Summary] {
        let script = """
            import sys, json, numpy
            out = []
            for path in sys.argv[1:]:
                a = numpy.load(path, allow_pickle=False)
                d = a.astype(numpy.float64)
                nz = d[d != 0]
                out.append(dict(
                    shape=list(a.shape), dtype=str(a.dtype), count=int(d.size),
                    mean=float(d.mean()), std=float(d.std()), min=float(d.min()), max=float(d.max()),
                    zerosPerColumn=[int(z) for z in (d == 0).sum(axis=0)] if d.ndim == 2 else [],
                    nonzeroStd=float(nz.std()) if nz.size else 0.0))
            print(json.dumps(out))
            """
        let output = try run(script, paths)
        return try JSONDecoder().decode([Summary].self, from: Data(output.utf8))
    }

    /// Evaluates each Python expression (with `numpy`, `load(name)` and the
    /// definitions of `prelude` available, names relative to `directory`) and
    /// returns `repr` of each result, in one python3 call.
    static func evaluate(_ expressions: [String], in directory: String, prelude: String = "") throws -> [String] {
        let script = """
            import sys, os, json, numpy
            os.chdir(sys.argv[1])
            load = lambda name: numpy.load(name, allow_pickle=False)
            exec(sys.argv[2])
            for e in sys.argv[3:]:
                print(json.dumps(repr(eval(e))))
            """
        let lines = try run(script, [directory, prelude] + expressions).split(separator: "\n")
        return try lines.map { try JSONDecoder().decode(String.self, from: Data($0.utf8)) }
    }
}
