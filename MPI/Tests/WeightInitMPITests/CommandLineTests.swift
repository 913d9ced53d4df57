import Foundation
import Testing

/// The contract of the command line: reproducible bytes, one-line errors
/// from rank 0 only, exit statuses, and no file left behind on failure.
@Suite(.enabled(if: MPIRun.isAvailable, "mpirun is not on PATH: weightinit-mpi cannot be run"))
struct CommandLineTests {
    @Test("The same command twice gives the same bytes", arguments: [1, 4])
    func reproducible(ranks: Int) throws {
        let directory = try Scratch()
        let arguments = ["orthogonal", "--shape", "130,70", "--seed", "99", "--stream", "1", "--block", "16"]
        for name in ["a.npy", "b.npy"] {
            let result = try MPIRun.run(ranks: ranks, arguments + ["--output", name], in: directory)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let (a, b) = (try Data(contentsOf: URL(fileURLWithPath: directory.file("a.npy"))),
                      try Data(contentsOf: URL(fileURLWithPath: directory.file("b.npy"))))
        #expect(a == b)
        #expect(a.count == 128 + 130 * 70 * 4)   // a 128-byte header, then the data
        #expect(try directory.contents() == ["a.npy", "b.npy"], "no temporary file left")
    }

    static let badArguments: [(arguments: [String], message: String)] = [
        (["--shape", "12"], "invalid --shape '12': orthogonal needs ≥ 2 dimensions"),
        (["--shape", "12,0"], "invalid --shape '12,0': dimension 2 is 0; every dimension must be ≥ 1"),
        (["--shape", "12,x"], "invalid --shape '12,x': dimension 2 'x' is not an integer"),
        (["--shape", "8,8", "--gain", "-1"], "invalid gain -1.0: must be finite and ≥ 0"),
        (["--shape", "8,8", "--block", "0"], "invalid --block 0: must be ≥ 1"),
        (["--shape", "8,8", "--count", "0"], "invalid --count 0: must be ≥ 1"),
        (["--shape", "8,8", "--dtype", "bf16"],
         "invalid dtype bf16: numpy has no bfloat16 dtype, so .npy cannot hold it; use f32, f64 or f16"),
        (["--shape", "8,8", "--dtype", "f8"], "The value 'f8' is invalid for '--dtype <dtype>'."),
        (["--shape", "8,8", "--dtype", "i64"], "invalid dtype i64: a .npy file here holds f32, f64 or f16; integer dtypes go in .safetensors"),
        (["--shape", "8,8", "--bogus"], "Unknown option '--bogus'"),
        // More than this machine's memory (or, with more, than a 2 × 2 grid's
        // 32-bit local indexing): too large either way, and said so.
        (["--shape", "200000,200000"], "shape 200000,200000 is too large: "),
        // gain·Q would be infinite in f16.
        (["--shape", "8,8", "--gain", "70000", "--dtype", "f16"], "invalid gain 70000.0: the values would be infinite in f16"),
    ]

    @Test("Bad arguments: one error line from rank 0, status 64, no file", arguments: 0 ..< badArguments.count)
    func badArgument(index: Int) throws {
        let (arguments, message) = Self.badArguments[index]
        let directory = try Scratch()
        let result = try MPIRun.run(ranks: 4, ["orthogonal"] + arguments + ["--output", "w.npy"], in: directory)
        #expect(result.status == 64)
        #expect(result.stderrLines.count == 1, "exactly one line, from rank 0 only: \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: " + message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try directory.contents().isEmpty)
    }

    @Test("A destination that names no usable file: status 64, one line, nothing left")
    func unusableDestination() throws {
        let directory = try Scratch()
        try FileManager.default.createDirectory(atPath: directory.file("taken.npy"), withIntermediateDirectories: false)
        #expect(mkfifo(directory.file("pipe.npy"), 0o644) == 0)
        for output in ["missing/w.npy", "taken.npy", "pipe.npy"] {
            let result = try MPIRun.run(ranks: 2, ["orthogonal", "--shape", "8,8", "--output", output], in: directory)
            #expect(result.status == 64)
            #expect(result.stderrLines.count == 1, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("error: \(output): "), "\(result.stderr)")
        }
        #expect(try directory.contents() == ["pipe.npy", "taken.npy"])
    }

    @Test("One rank failing while writing: rank 0 reports it, status 1, no file and no temporary left",
          arguments: [0, 3])
    func failureOnOneRank(rank: Int) throws {
        let directory = try Scratch()
        let result = try MPIRun.run(ranks: 4, ["orthogonal", "--shape", "64,64", "--output", "w.npy"], in: directory,
                                    environment: ["WEIGHTINIT_MPI_TEST_FAIL_RANK": "\(rank)"])
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        let origin = rank == 0 ? "" : "rank \(rank): "
        #expect(result.stderr == "error: \(origin)w.npy: injected failure (WEIGHTINIT_MPI_TEST_FAIL_RANK=\(rank))\n")
        #expect(result.stdout.isEmpty)
        #expect(try directory.contents().isEmpty)
    }

    @Test("--help is printed once, by rank 0")
    func help() throws {
        let directory = try Scratch()
        let result = try MPIRun.run(ranks: 2, ["orthogonal", "--help"], in: directory)
        #expect(result.status == 0)
        #expect(result.stdout.components(separatedBy: "OVERVIEW:").count == 2, "\(result.stdout)")
        #expect(result.stderr.isEmpty)
    }
}
