import Foundation
import Testing

/// Reads `.safetensors` files back with the `safetensors` Python package
/// (installed with pip on first use; its checks are skipped with a printed
/// message if pip cannot get it).
enum SafetensorsPython {
    /// Whether `import safetensors` works, installing it once if needed.
    static let available: Bool = {
        let probe = "import safetensors.numpy"
        if (try? Numpy.run(probe, [])) != nil { return true }
        for extra in [[], ["--break-system-packages"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-m", "pip", "install", "--quiet", "safetensors"] + extra
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { break }
            process.waitUntilExit()
            if process.terminationStatus == 0, (try? Numpy.run(probe, [])) != nil { return true }
        }
        print("note: the safetensors Python package is not available (pip install safetensors failed); skipping its checks")
        return false
    }()
}

/// `generate` into `.safetensors`, checked against numpy and the reference reader.
@Suite struct SafetensorsCLITests {
    /// The same tensor as .npy and as .safetensors: the reference reader's
    /// array equals numpy's, element for element, and the metadata records
    /// the scheme, parameters, seed, stream, layout and format version.
    @Test(arguments: [["normal", "--std", "0.5"], ["orthogonal", "--gain", "2"], ["uniform", "--low", "-1", "--high", "2"]])
    func safetensorsEqualsNpyForTheSameSeed(_ scheme: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let common = ["--shape", "48,40", "--seed", "9", "--stream", "3"]
        for output in ["w.npy", "w.safetensors"] {
            let result = try CLI.run(["generate"] + scheme + common + ["--output", output], in: scratch)
            try #require(result.status == 0, "stderr: \(result.stderr)")
        }
        #expect(try scratch.contents() == ["w.npy", "w.safetensors"])
        guard SafetensorsPython.available else { return }
        let script = """
            import sys, json, numpy
            from safetensors.numpy import load_file
            from safetensors import safe_open
            t = load_file(sys.argv[2])
            n = numpy.load(sys.argv[1])
            print(list(t.keys()), t["weight"].dtype, t["weight"].shape, bool(numpy.array_equal(t["weight"], n)))
            m = safe_open(sys.argv[2], "np").metadata()
            print(m["weightinit.stream_format_version"])
            print(json.dumps(json.loads(m["weightinit.tensor.weight"]), sort_keys=True))
            """
        let lines = try Numpy.run(script, [scratch.file("w.npy"), scratch.file("w.safetensors")]).split(separator: "\n")
        #expect(lines.first == "['weight'] float32 (48, 40) True")
        #expect(lines.dropFirst().first == "3")  // stream format 3 (StreamFormatSpecification.md)
        let record = String(lines.last ?? "")
        #expect(record.contains("\"scheme\": \"\(scheme[0])\"") && record.contains("\"seed\": 9")
            && record.contains("\"stream\": 3") && record.contains("\"layout\": \"torch\""), "\(record)")
    }

    /// bf16 goes into safetensors as real BF16 (numpy cannot hold it, so the
    /// bytes are read with the header by hand): the upper half of each
    /// float32 value of the same stream, rounded to nearest even.
    @Test func bf16IsRealBFloat16() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        for (dtype, output) in [("bf16", "b.safetensors"), ("f32", "f.npy")] {
            let result = try CLI.run(["generate", "normal", "--shape", "64,32", "--dtype", dtype, "--output", output], in: scratch)
            try #require(result.status == 0, "stderr: \(result.stderr)")
        }
        let script = """
            import sys, json, struct, numpy
            raw = open(sys.argv[1], "rb").read()
            n = struct.unpack("<Q", raw[:8])[0]
            h = json.loads(raw[8:8 + n])
            e = h["weight"]
            bits = numpy.frombuffer(raw[8 + n + e["data_offsets"][0]: 8 + n + e["data_offsets"][1]], dtype="<u2")
            f = numpy.load(sys.argv[2]).view(numpy.uint32).ravel().astype(numpy.uint64)
            # Round to nearest even on the upper 16 bits.
            r = ((f + 0x7FFF + ((f >> 16) & 1)) >> 16).astype(numpy.uint16)
            print(e["dtype"], e["shape"], (8 + n) % 8, bool(numpy.array_equal(bits, r)))
            """
        #expect(try Numpy.run(script, [scratch.file("b.safetensors"), scratch.file("f.npy")]) == "BF16 [64, 32] 0 True")
    }

    /// A file written by the reference implementation (its own key order,
    /// padding and metadata placement) is read by `stats`, values and all.
    @Test func statsReadsFilesFromTheReferenceWriter() throws {
        guard SafetensorsPython.available else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let script = """
            import sys, numpy
            from safetensors.numpy import save_file
            save_file({"b.f64": numpy.arange(5, dtype=numpy.float64) - 2,
                       "a.f16": numpy.full((3, 2), 0.5, dtype=numpy.float16),
                       "c": numpy.zeros((2, 2, 2), dtype=numpy.float32)}, sys.argv[1], metadata={"format": "np"})
            """
        _ = try Numpy.run(script, [scratch.file("ref.safetensors")])
        let result = try CLI.run(["stats", "ref.safetensors", "--json"], in: scratch)
        try #require(result.status == 0, "stderr: \(result.stderr)")
        // In data order, which the reference writer chooses (by alignment); sorted here by name.
        let objects = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }.sorted { ($0["name"] as? String ?? "") < ($1["name"] as? String ?? "") }
        #expect(objects.map { $0["name"] as? String } == ["a.f16", "b.f64", "c"])
        #expect(objects.map { $0["dtype"] as? String } == ["f16", "f64", "f32"])
        #expect(objects[0]["mean"] as? Double == 0.5)
        #expect(objects[1]["min"] as? Double == -2 && objects[1]["max"] as? Double == 2)
        #expect(objects[2]["zero_fraction"] as? Double == 1)
    }

    @Test func formatFlagOverridesTheExtension() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate", "ones", "--shape", "3", "--format", "safetensors", "--output", "w.bin"], in: scratch)
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let stats = try CLI.run(["stats", "w.bin", "--json"], in: scratch)
        #expect(stats.status == 0)
        #expect(stats.stdout.contains("\"scheme\":\"ones\""))
    }

    /// The progress bar appears on a terminal for a long (≥ 64 MiB) write,
    /// never with --quiet, and never when stderr is not a terminal. The
    /// terminal is `script(1)`'s pseudo-terminal; skipped without it.
    @Test func progressBarOnlyOnATerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            print("note: /usr/bin/script is missing; skipping the terminal progress-bar check")
            return
        }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let command = try CLI.executable() + " generate uniform --shape 4096,4096 --output big.safetensors"
        for (extra, expectBar) in [("", true), (" --quiet", false)] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", command + extra, "/dev/null"]
            process.currentDirectoryURL = URL(fileURLWithPath: scratch.output)
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let screen = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(screen)")
            #expect(screen.contains("% of 64.0 MiB") == expectBar, "\(screen.prefix(200))")
            #expect(screen.contains("wrote big.safetensors") == expectBar)
        }
        // Not a terminal (the test harness's files): no bar, stderr empty.
        let plain = try CLI.run(["generate", "uniform", "--shape", "4096,4096", "--output", "big.safetensors"], in: scratch)
        #expect(plain.status == 0 && plain.stderr.isEmpty)
    }

    /// A tensor streamed in 7-byte chunks (`WEIGHTINIT_WRITE_CHUNK_BYTES`)
    /// is the same file as one written in a single chunk.
    @Test func streamedFileEqualsSingleChunk() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let arguments = ["generate", "truncated-normal", "--shape", "33,17", "--std", "0.1", "--seed", "5"]
        try #require(try CLI.run(arguments + ["--output", "whole.safetensors"], in: scratch).status == 0)
        // The knob goes to this one process only: setenv would reach every
        // test running in parallel.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CLI.executable())
        process.arguments = arguments + ["--output", "chunked.safetensors"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.output)
        process.environment = ProcessInfo.processInfo.environment.merging(["WEIGHTINIT_WRITE_CHUNK_BYTES": "7"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let whole = try Data(contentsOf: URL(fileURLWithPath: scratch.file("whole.safetensors")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.file("chunked.safetensors"))) == whole)
    }
}
