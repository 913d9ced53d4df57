import Foundation
import Testing

/// WEIGHTINIT_ISA end to end: `weightinit generate` writes the same bytes on
/// every kernel path this CPU runs (the library's chunking and threads
/// included, not only the kernels, which KernelPathTests and
/// Tests/KernelTests compare), and refuses a path it cannot run with one line
/// and status 1, writing nothing.
@Suite struct KernelPathCLITests {
    /// The paths this machine must run, from the CPU's flags (not from the
    /// library's own answer): the scalar reference always; SSE2 on x86-64;
    /// AVX2 with fma and f16c; AVX-512 with F, BW, DQ and VL; NEON on arm64.
    static let expectedPaths: Set<String> = {
        var paths: Set<String> = ["scalar"]
        #if arch(x86_64)
        paths.insert("sse2")
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let flags = Set(line.split(separator: " ").map(String.init))
        if flags.isSuperset(of: ["avx2", "fma", "f16c"]) { paths.insert("avx2") }
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl"]) { paths.insert("avx512") }
        #elseif arch(arm64)
        paths.insert("neon")
        #endif
        return paths
    }()

    static let allPaths = ["scalar", "sse2", "avx2", "avx512", "neon"]

    /// Every sampled law in every float dtype, sizes that split into several
    /// chunks and end inside a Philox block; sparse reads its rank keys
    /// through the strided-word and scan kernels.
    static let runs: [[String]] = [
        ["normal", "--shape", "700,1501", "--mean", "0.5", "--std", "2"],
        ["truncated-normal", "--shape", "333,777", "--std", "0.02", "--dtype", "bf16"],
        ["trunc-normal", "--shape", "3001", "--mean", "1", "--a", "1.5", "--b", "9"],
        ["kaiming-normal", "--shape", "129,257", "--dtype", "f64"],
        ["xavier-uniform", "--shape", "1000,99", "--dtype", "f16"],
        ["uniform", "--shape", "513,3", "--low", "-0.3", "--high", "0.7", "--dtype", "f64"],
        ["sparse", "--shape", "4099,6", "--sparsity", "0.9"],
    ]

    func bytes(_ arguments: [String], path: String, in scratch: Scratch) throws -> (ToolResult, Data?) {
        var environment = ProcessInfo.processInfo.environment
        environment["WEIGHTINIT_ISA"] = path
        let output = "\(path)-\(arguments[0]).safetensors"  // bf16 needs safetensors
        let result = try ToolRun.run(try CLI.executable(), ["generate"] + arguments + ["--seed", "7", "--output", output],
                                     in: scratch, environment: environment)
        return (result, FileManager.default.contents(atPath: scratch.file(output)))
    }

    @Test func everyPathWritesTheScalarReferencesBytes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var ran: Set<String> = []
        for arguments in Self.runs {
            let (reference, expected) = try bytes(arguments, path: "scalar", in: scratch)
            try #require(reference.status == 0 && expected != nil, "scalar \(arguments): \(reference.stderr)")
            for path in Self.allPaths.dropFirst() {
                let (result, written) = try bytes(arguments, path: path, in: scratch)
                if Self.expectedPaths.contains(path) {
                    #expect(result.status == 0, "\(path) \(arguments): \(result.stderr)")
                    #expect(written == expected, "WEIGHTINIT_ISA=\(path) \(arguments[0]): bytes differ from scalar's")
                    ran.insert(path)
                } else {
                    #expect(result.status == 1 && written == nil, "\(path) \(arguments): \(result.status)")
                    #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("'\(path)'"),
                            "\(result.stderr)")
                }
            }
        }
        #expect(ran == Self.expectedPaths.subtracting(["scalar"]))
        #expect(!ran.isEmpty, "no vector path was compared")
    }

    @Test func anUnknownPathIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (result, written) = try bytes(["normal", "--shape", "4"], path: "avx1024", in: scratch)
        #expect(result.status == 1 && written == nil)
        #expect(result.stderr == "error: kernel path 'avx1024' is unknown or not supported by this CPU (scalar, sse2, avx2, avx512, neon)\n")
        #expect(try scratch.contents().isEmpty)
    }
}
