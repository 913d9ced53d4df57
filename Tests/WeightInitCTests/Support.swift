import Foundation
import Testing
@_exported import _WeightInitTestSupport

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

    /// The directory holding the built `libWeightInitC.so` (see
    /// `BuiltExecutable`), or the directory of `$WEIGHTINIT_LIBRARY`.
    static func libraryDirectory() throws -> String {
        let library = try BuiltExecutable.find("libWeightInitC.so", variable: "WEIGHTINIT_LIBRARY", package: root,
                                               hint: "build it with `swift build --build-tests`", executable: false)
        return URL(fileURLWithPath: library).deletingLastPathComponent().path
    }
}

/// A program run to completion in a scratch directory.
func run(_ executable: String, _ arguments: [String], in scratch: Scratch) throws -> ToolResult {
    try ToolRun.run(executable, arguments, in: scratch)
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
        guard let name = names.first(where: { $0.hasPrefix("/") || BuiltExecutable.onPath($0) != nil }) else {
            throw Build.Missing(description: "no \(cxx ? "C++" : "C") compiler on PATH (tried \(names.joined(separator: ", ")); set \(cxx ? "CXX" : "CC"))")
        }
        let compiler = name.hasPrefix("/") ? name : BuiltExecutable.onPath(name)!
        let library = try Build.libraryDirectory()
        let output = scratch.file((source as NSString).deletingPathExtension)
        let arguments = (cxx ? cxxFlags : cFlags) + [
            "-pthread", "-I", Build.includeDirectory, Build.programs + "/" + source, "-o", output,
            "-L", library, "-lWeightInitC", "-Wl,-rpath," + library,
        ]
        let run = try run(compiler, arguments, in: scratch)
        guard run.status == 0 else {
            throw Build.Missing(description: "\(name) \(arguments.joined(separator: " ")) failed:\n\(run.stdout)\(run.stderr)")
        }
        return output
    }
}
