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

    /// The sanitizer the built library is instrumented with (`swift test
    /// --sanitize=…`, as `.ci/sanitize` runs it): "address" or "thread",
    /// read from the symbols it imports (`__asan_init`, `__tsan_init`), or
    /// nil for a plain build. The programs are then built with the same
    /// `-fsanitize=` by the Swift toolchain's clang, whose runtime the
    /// library's instrumentation was made for: the runtime is linked into
    /// the program (a library never carries it), so a plain `cc` link
    /// fails on the undefined `__asan_*` symbols.
    static let sanitizer: String? = {
        guard let library = try? Build.libraryDirectory() + "/libWeightInitC.so",
              let nm = BuiltExecutable.onPath("nm"),
              let run = try? ToolRun.run(nm, ["-D", "--undefined-only", library], in: Scratch())
        else { return nil }
        let imported = Set(run.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) })
        return imported.contains("__asan_init") ? "address" : imported.contains("__tsan_init") ? "thread" : nil
    }()

    /// Compiles `source` (in Programs/) into an executable in `scratch`,
    /// linked to the built library, with the library's sanitizer if it has
    /// one (``sanitizer``); the compiler's messages on failure.
    static func build(_ source: String, cxx: Bool = false, in scratch: Scratch) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        // $CC / $CXX, else the system's cc / c++, else the Swift toolchain's clang;
        // under a sanitizer the toolchain's clang first (see `sanitizer`).
        let plain = (cxx ? [environment["CXX"], "c++", "clang++"] : [environment["CC"], "cc", "clang"]).compactMap { $0 }
        let names = sanitizer == nil ? plain : (cxx ? ["clang++"] : ["clang"]).map { toolchainClang($0) ?? $0 }
        guard let name = names.first(where: { $0.hasPrefix("/") || BuiltExecutable.onPath($0) != nil }) else {
            throw Build.Missing(description: "no \(cxx ? "C++" : "C") compiler on PATH (tried \(names.joined(separator: ", ")); set \(cxx ? "CXX" : "CC"))")
        }
        let compiler = name.hasPrefix("/") ? name : BuiltExecutable.onPath(name)!
        let library = try Build.libraryDirectory()
        let output = scratch.file((source as NSString).deletingPathExtension)
        var sanitize = sanitizer.map { ["-fsanitize=\($0)", "-fno-omit-frame-pointer", "-g"] } ?? []
        if sanitizer == "thread", let runtime = toolchainClang("clang").map({
            URL(fileURLWithPath: $0).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lib/swift/linux").path
        }) {
            // The toolchain's ThreadSanitizer runtime intercepts libdispatch,
            // so it is linked with the toolchain's libdispatch and blocks runtime.
            sanitize += ["-L", runtime, "-ldispatch", "-lBlocksRuntime", "-Wl,-rpath," + runtime]
        }
        let arguments = (cxx ? cxxFlags : cFlags) + sanitize + [
            "-pthread", "-I", Build.includeDirectory, Build.programs + "/" + source, "-o", output,
            "-L", library, "-lWeightInitC", "-Wl,-rpath," + library,
        ]
        let run = try run(compiler, arguments, in: scratch)
        guard run.status == 0 else {
            throw Build.Missing(description: "\(name) \(arguments.joined(separator: " ")) failed:\n\(run.stdout)\(run.stderr)")
        }
        return output
    }

    /// `name` (clang, clang++) beside the `swift` on PATH, symbolic links
    /// resolved: the toolchain that built the library.
    static func toolchainClang(_ name: String) -> String? {
        guard let swift = BuiltExecutable.onPath("swift") else { return nil }
        let directory = URL(fileURLWithPath: swift).resolvingSymlinksInPath().deletingLastPathComponent()
        let path = directory.appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
}
