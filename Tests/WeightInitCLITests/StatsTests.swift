import Foundation
import Testing

/// `weightinit stats` and `generate --check`.
@Suite struct StatsTests {
    func json(_ line: Substring) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// stats --json agrees with numpy on the moments, and with the scheme
    /// given by flags: KS p-value not tiny for the right std, tiny for a wrong one.
    @Test func npyWithSchemeFlags() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try #require(try CLI.run(["generate", "kaiming-normal", "--shape", "200,100", "--seed", "8", "--output", "w.npy"],
                                 in: scratch).status == 0)
        let right = try CLI.run(["stats", "w.npy", "--json", "--scheme", "kaiming-normal", "--nonlinearity", "relu"], in: scratch)
        try #require(right.status == 0, "stderr: \(right.stderr)")
        let object = try json(right.stdout.split(separator: "\n")[0])
        let (_, _, numpy) = try Numpy.load(scratch.file("w.npy"), ["d.mean()", "d.std()", "d.min()", "d.max()"])
        #expect(object["shape"] as? [Int] == [200, 100])
        #expect(object["dtype"] as? String == "f32")
        for (key, value) in zip(["mean", "std", "min", "max"], numpy) {
            #expect(abs((object[key] as? Double ?? .nan) - value) <= 1e-12 * max(1, abs(value)), "\(key)")
        }
        let expected = try #require(object["expected"] as? [String: Any])
        #expect(abs((expected["std"] as? Double ?? 0) - (2.0 / 100).squareRoot()) < 1e-12)
        let ks = try #require(object["ks"] as? [String: Any])
        #expect((ks["p_value"] as? Double ?? 0) > 1e-4)

        let wrong = try CLI.run(["stats", "w.npy", "--json", "--scheme", "normal", "--std", "0.2"], in: scratch)
        let wrongKS = try #require(try json(wrong.stdout.split(separator: "\n")[0])["ks"] as? [String: Any])
        #expect((wrongKS["p_value"] as? Double ?? 1) < 1e-10)
    }

    @Test func textBlocksPerTensorAndTensorSelection() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try #require(try CLI.run(["generate", "--spec", SpecTests.example, "--output", "m.safetensors"], in: scratch).status == 0)
        let all = try CLI.run(["stats", "m.safetensors"], in: scratch)
        #expect(all.status == 0)
        #expect(all.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.count == 9)
        let one = try CLI.run(["stats", "m.safetensors", "--tensor", "lstm.weight_hh_l0"], in: scratch)
        #expect(one.stdout.hasPrefix("lstm.weight_hh_l0: shape 1024,256, dtype f32"))
        #expect(one.stdout.contains("scheme orthogonal (from metadata)"))
        #expect(one.stdout.contains("orthogonality"))
        let missing = try CLI.run(["stats", "m.safetensors", "--tensor", "nope"], in: scratch)
        #expect(missing.status == 64 && missing.stderrLines.count == 1 && missing.stderr.contains("fc1.weight"))
    }

    /// --check reads the file back and judges it against each kind of
    /// expectation (support + KS, truncated bounds, orthogonality, constant).
    /// Only its passing path is reachable from the CLI: the tool cannot be
    /// made to write wrong values; the judging itself is TensorStatisticsTests'.
    @Test(arguments: [
        ["uniform", "--low", "-3", "--high", "-1"], ["truncated-normal", "--std", "2", "--sigmas", "1.5"],
        ["orthogonal", "--gain", "0.5"], ["constant", "--value", "0.1"], ["xavier-normal", "--truncated"],
    ])
    func checkPassesForEachKindOfScheme(_ scheme: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate"] + scheme + ["--shape", "64,48", "--output", "w.npy", "--check"], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("scheme \(scheme[0]) (from generate)"), "\(result.stdout)")
    }

    /// Stacked LSTM gate blocks are each orthogonal (QᵀQ of the whole is
    /// 4·I): --check judges block by block, and passes.
    @Test func checkJudgesStackedBlocksOneByOne() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate", "orthogonal", "--blocks", "4", "--shape", "128,32", "--output", "w.npy", "--check"],
                                 in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let stats = try CLI.run(["stats", "w.npy", "--json", "--scheme", "orthogonal", "--blocks", "4"], in: scratch)
        let object = try json(stats.stdout.split(separator: "\n")[0])
        #expect((object["orthogonality_error"] as? Double ?? 1) < 1e-5)
        let whole = try CLI.run(["stats", "w.npy", "--json", "--scheme", "orthogonal"], in: scratch)
        #expect((try json(whole.stdout.split(separator: "\n")[0])["orthogonality_error"] as? Double ?? 0) > 1)
    }

    /// Each bad file: exit 1, one stderr line naming the file and the problem.
    @Test(arguments: [
        ("notes.txt", Array("just some text, not a tensor file".utf8), "neither a .npy nor a .safetensors"),
        ("short.npy", [0x93] + Array("NUMPY".utf8) + [1, 0, 0x40], "not a valid file"),
        ("int.safetensors", Self.safetensors(#"{"w":{"dtype":"I16","shape":[2],"data_offsets":[0,4]}}"#, data: 4), "unsupported dtype"),
        ("cut.safetensors", Self.safetensors(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: 5), "truncated"),
        ("empty.safetensors", [], "neither"),
    ])
    func badFiles(name: String, bytes: [UInt8], mentions: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = FileManager.default.createFile(atPath: scratch.file(name), contents: Data(bytes))
        let result = try CLI.run(["stats", name], in: scratch)
        #expect(result.status == 64, "a malformed input is a wrong input")
        #expect(result.stderrLines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(name) && result.stderr.contains(mentions), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func missingFileAndUnwritableOutput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let missing = try CLI.run(["stats", "nope.npy"], in: scratch)
        #expect(missing.status == 64 && missing.stderrLines.count == 1 && missing.stderr.contains("cannot open"))
        try FileManager.default.createDirectory(atPath: scratch.file("locked"), withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: scratch.file("locked"))
        var output = "locked/m.safetensors"
        // root ignores permission bits; then use /proc, where nobody can create files.
        if FileManager.default.createFile(atPath: scratch.file("locked/probe"), contents: nil) {
            try FileManager.default.removeItem(atPath: scratch.file("locked/probe"))
            output = "/proc/m.safetensors"
        }
        let locked = try CLI.run(["generate", "--spec", SpecTests.example, "--output", output], in: scratch)
        #expect(locked.status != 0 && locked.stderrLines.count == 1, "stderr: \(locked.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.file("locked")).isEmpty)
        let wrongExtension = try CLI.run(["generate", "zeros", "--shape", "3", "--output", "w.txt"], in: scratch)
        #expect(wrongExtension.status == 64 && wrongExtension.stderr.contains(".safetensors"))
        let bf16 = try CLI.run(["generate", "zeros", "--shape", "3", "--dtype", "bf16", "--output", "w.npy"], in: scratch)
        #expect(bf16.status == 64 && bf16.stderrLines.count == 1 && bf16.stderr.contains("bf16"))
        #expect(try scratch.contents() == ["locked"])
    }

    /// A tensor with a zero dimension (valid safetensors) gets statistics of
    /// nothing, not a crash — also with a scheme that checks orthogonality.
    @Test func zeroSizeTensor() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bytes = Self.safetensors(#"{"z":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]}}"#, data: 0)
        _ = FileManager.default.createFile(atPath: scratch.file("zero.safetensors"), contents: Data(bytes))
        let result = try CLI.run(["stats", "zero.safetensors", "--json", "--scheme", "orthogonal"], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains(#""shape":[0,5]"#) && result.stdout.contains(#""mean":null"#))
    }

    static func safetensors(_ json: String, data: Int) -> [UInt8] {
        let header = Array(json.utf8)
        return (0 ..< 8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) } + header + [UInt8](repeating: 0, count: data)
    }
}
