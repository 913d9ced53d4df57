import Foundation
import Testing

/// The package's paths and the built C library, for tests that compile and
/// run C and C++ programs against `weightinit.h`.
enum Build {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// Tests/WeightInitCTests/Support.swift → the package root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let includeDirectory = root.appendingPathComponent("Sources/CWeightInit/include").path
    static let header = includeDirectory + "/weightinit.h"
    static let programs = root.appendingPathComponent("Tests/WeightInitCTests/Programs").path

    /// The directory holding the built `libWeightInitC.so`: beside the test
    /// runner (so debug tests use the debug build), else under `.build`, or
    /// the directory of `$WEIGHTINIT_LIBRARY`.
    static func libraryDirectory() throws -> String {
        if let path = ProcessInfo.processInfo.environment["WEIGHTINIT_LIBRARY"] {
            return URL(fileURLWithPath: path).deletingLastPathComponent().path
        }
        var directories: [URL] = []
        if let runner = Bundle.main.executableURL { directories.append(runner.resolvingSymlinksInPath().deletingLastPathComponent()) }
        directories += Bundle.allBundles.map { $0.bundleURL.resolvingSymlinksInPath().deletingLastPathComponent() }
        directories += ["debug", "release"].map { root.appendingPathComponent(".build/\($0)") }
        guard let found = directories.first(where: {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("libWeightInitC.so").path)
        }) else {
            throw Missing(description: "libWeightInitC.so was not found (build it with `swift build --build-tests`, "
                + "or set WEIGHTINIT_LIBRARY); looked in: \(directories.map(\.path).joined(separator: ", "))")
        }
        return found.path
    }
}

/// A process run to completion.
struct Run {
    let status: Int32
    let stdout: String
    let stderr: String

    /// Runs `executable` with `arguments`; output goes through files, so a
    /// chatty program cannot block on a full pipe.
    init(_ executable: String, _ arguments: [String], in scratch: Scratch) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let (out, err) = (scratch.path("stdout-\(UUID().uuidString)"), scratch.path("stderr-\(UUID().uuidString)"))
        for path in [out, err] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        process.waitUntilExit()
        status = process.terminationStatus
        // Lenient: the error checks print the invalid UTF-8 they pass.
        stdout = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self)
        stderr = String(decoding: try Data(contentsOf: URL(fileURLWithPath: err)), as: UTF8.self)
    }

    /// `executable` found on PATH.
    static func which(_ executable: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(executable)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A temporary directory, removed when the value goes away.
final class Scratch {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("weightinit-c-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ name: String) -> String { root + "/" + name }
}

/// The compilers and the flags the issue asks for: strict C99 and C++17.
enum Compiler {
    static let cFlags = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]
    static let cxxFlags = ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic"]

    /// Compiles `source` (in Programs/) into an executable in `scratch`,
    /// linked to the built library; the compiler's messages on failure.
    static func build(_ source: String, cxx: Bool = false, in scratch: Scratch) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        // $CC / $CXX, else the system's cc / c++, else the Swift toolchain's clang.
        let names = (cxx ? [environment["CXX"], "c++", "clang++"] : [environment["CC"], "cc", "clang"]).compactMap { $0 }
        guard let name = names.first(where: { $0.hasPrefix("/") || Run.which($0) != nil }) else {
            throw Build.Missing(description: "no \(cxx ? "C++" : "C") compiler on PATH (tried \(names.joined(separator: ", ")); set \(cxx ? "CXX" : "CC"))")
        }
        let compiler = name.hasPrefix("/") ? name : Run.which(name)!
        let library = try Build.libraryDirectory()
        let output = scratch.path((source as NSString).deletingPathExtension)
        let arguments = (cxx ? cxxFlags : cFlags) + [
            "-pthread", "-I", Build.includeDirectory, Build.programs + "/" + source, "-o", output,
            "-L", library, "-lWeightInitC", "-Wl,-rpath," + library,
        ]
        let run = try Run(compiler, arguments, in: scratch)
        guard run.status == 0 else {
            throw Build.Missing(description: "\(name) \(arguments.joined(separator: " ")) failed:\n\(run.stdout)\(run.stderr)")
        }
        return output
    }
}
