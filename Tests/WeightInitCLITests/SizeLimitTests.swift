import Foundation
import Testing
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) @testable import WeightInitCLI

/// Sizes that cannot be had — overflowing, larger than any memory, or more
/// work than an experiment may take — end in one line and status 64 before
/// any work, never a trap (SIGILL) or a run without end.
@Suite struct SizeLimitTests {
    static let huge = String(Int.max)

    /// Each was a SIGILL (a byte count converted to Int, or `depth + 1`
    /// overflowing) or, for --epochs, a run of years.
    static let refused: [(arguments: [String], mentions: String)] = [
        (["propagate", "--width", "1000000000"], "multiply-adds per scheme"),
        (["propagate", "--depth", "1000000000000000000"], "multiply-adds per scheme"),
        (["propagate", "--depth", huge], "multiply-adds per scheme"),
        (["propagate", "--batch", "1000000000000"], "multiply-adds per scheme"),
        (["propagate", "--batch", huge, "--width", huge, "--depth", huge], "multiply-adds per scheme"),
        (["propagate", "--depth", "1", "--width", "30000", "--batch", "30000"], "an experiment may take at most 1e+13"),
        (["train", "--width", "1000000000"], "multiply-adds per scheme"),
        (["train", "--width", huge], "multiply-adds per scheme"),
        (["train", "--depth", huge], "multiply-adds per scheme"),
        (["train", "--samples", huge], "multiply-adds per scheme"),
        (["train", "--samples", "1000000000000"], "multiply-adds per scheme"),
        (["train", "--epochs", "1000000000"], "invalid --epochs 1000000000: must be at most 10000"),
        (["train", "--epochs", huge], "must be at most 10000"),
        (["train", "--samples", "100000", "--width", "1024", "--depth", "20", "--epochs", "100"], "an experiment may take at most 1e+13"),
    ]

    @Test(arguments: refused.indices)
    func hugeExperimentSizesFailWithOneLine(_ index: Int) throws {
        let (arguments, mentions) = Self.refused[index]
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(arguments + ["--plot", "p.svg"], in: scratch)
        #expect(result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("error: "), "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(mentions), "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try scratch.contents().isEmpty)
    }

    /// The memory check itself: products that overflow 64 bits, or exceed
    /// the machine's memory, are wrong input (64), never a trap.
    @Test func memoryBeyondTheMachineIsWrongInput() throws {
        for terms: [[UInt64]] in [[[1 << 40, 1 << 40]], [[UInt64.max], [1]], [[Shape.physicalMemory, 2]]] {
            #expect(throws: CommandLineError.self) { try ExperimentLimits.checkMemory(terms, what: "--sizes") }
        }
        try ExperimentLimits.checkMemory([[8, 8]], what: "--sizes")
    }

    /// The default runs are far inside the work bound (the bound's message
    /// compares with the default training run).
    @Test func defaultRunsAreWithinTheWorkBound() {
        #expect(ExperimentLimits.defaultTrainingWork * 1000 < ExperimentLimits.work)
        #expect(ExperimentLimits.propagationWork(depth: 50, width: 256, batch: 256) * 1000 < ExperimentLimits.work)
    }

    // MARK: --max-shard-size

    static let sizes: [(text: String, bytes: Int)] = [
        ("5GB", 5_000_000_000), ("500MB", 500_000_000), ("2GiB", 2 << 30), ("1KiB", 1024), ("3TB", 3_000_000_000_000),
        ("1TiB", 1 << 40), ("500", 500), ("500B", 500), ("5gb", 5_000_000_000), (" 5 GB ", 5_000_000_000),
        // Decimals with a unit, as huggingface_hub reads them; exact, rounded down to whole bytes.
        ("1.5GB", 1_500_000_000), ("0.29KB", 290), ("0.5KiB", 512), ("1.0000001KB", 1000), ("0.001KB", 1),
        ("1.000000000001TB", 1_000_000_000_001),
    ]

    @Test(arguments: sizes.indices)
    func documentedSizesParse(_ index: Int) throws {
        let (text, bytes) = Self.sizes[index]
        #expect(try ShardSizeArgument.parse(text) == bytes, "\(text)")
    }

    /// Signs, hexadecimal, exponents, non-numbers, fractions of a byte,
    /// zero and sizes from 2⁶² up.
    static let badSizes = ["-5", "0x10", "+5", "1e3", "1E3GB", "inf", "nan", "1.5", "1.5B", ".5GB", "5.GB", "", "GB",
                           "5XB", "5 000", "0", "0GB", "0.0001KB", "4611686018427387904", "4611686018427387903.5KB",
                           "99999999999999999999999", "5EB", "٣GB", "1_000"]

    @Test(arguments: badSizes)
    func otherSizesAreRefusedNamingTheValue(_ text: String) {
        #expect {
            try ShardSizeArgument.parse(text)
        } throws: { error in
            "\(error)".hasPrefix("invalid --max-shard-size '\(TerminalText.escaped(text, limit: 64))': ")
        }
    }

    /// `-5` was read as a missing value, `0x10` as 16 bytes.
    @Test(arguments: ["-5", "0x10", "-1GB"])
    func theCommandLineNamesABadSize(_ size: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = scratch.root + "/config.json"
        try #"{"model_type": "gpt2", "vocab_size": 8, "n_positions": 4, "n_embd": 8, "n_layer": 1, "n_head": 2}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let result = try CLI.run(["generate", "--config", config, "--max-shard-size", size, "--output", "model"], in: scratch)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("error: invalid --max-shard-size '\(size)': "),
                "\(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }
}
