import Foundation
import Testing

/// Scheme parameters checked against the output dtype: values that would be
/// infinite in it are refused (status 64, nothing written); values that fit
/// are written.
@Suite struct DTypeRangeTests {
    /// Refused before as well: uniform, normal and sparse bounds (kept here
    /// so the table is whole); the constants, gains and truncated normals
    /// were written as infinities (or clamped) before.
    static let refused: [[String]] = [
        ["constant", "--value", "1e39"],
        ["constant", "--value", "70000", "--dtype", "f16"],
        ["constant", "--value", "65520", "--dtype", "f16"],
        ["constant", "--value", "-3.4e38", "--dtype", "bf16", "--format", "safetensors"],
        ["eye", "--gain", "1e39"],
        ["eye", "--gain", "70000", "--dtype", "f16"],
        ["orthogonal", "--gain", "1e39"],
        ["orthogonal", "--gain", "70000", "--dtype", "f16"],
        ["uniform", "--high", "1e5", "--dtype", "f16"],
        ["normal", "--mean", "65500", "--dtype", "f16"],
        ["truncated-normal", "--std", "1e5", "--dtype", "f16"],
        ["truncated-normal", "--mean", "60000", "--std", "10000", "--dtype", "f16"],
        ["truncated-normal", "--mean", "0", "--std", "1e38", "--sigmas", "4"],
        ["sparse", "--sparsity", "0.5", "--std", "1e38"],
    ]

    @Test(arguments: refused)
    func valuesBeyondTheDTypeAreRefused(_ scheme: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate"] + scheme + ["--shape", "4,4", "--output", "w.npy"], in: scratch)
        #expect(result.status == 64, "\(scheme): \(result.stderr)")
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("error: invalid "), "\(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }

    /// The largest values that still round to a finite one, and bounds far
    /// outside the range that no value can reach.
    @Test(arguments: [
        ["constant", "--value", "65519", "--dtype", "f16"],
        ["constant", "--value", "3.4e38"],
        ["eye", "--gain", "65504", "--dtype", "f16"],
        ["orthogonal", "--gain", "60000", "--dtype", "f16"],
        ["truncated-normal", "--low", "-1e6", "--high", "1e6", "--dtype", "f16"],
        ["uniform", "--low", "-65504", "--high", "65504", "--dtype", "f16"],
    ])
    func valuesThatFitAreWritten(_ scheme: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate"] + scheme + ["--shape", "4,4", "--output", "w.npy"], in: scratch)
        #expect(result.status == 0, "\(scheme): \(result.stderr)")
        let (_, _, values) = try Numpy.load(scratch.file("w.npy"), ["numpy.isfinite(a).all()"])
        #expect(values == [1])
    }

    /// A spec names its dtype per tensor: the check follows it.
    @Test func specTensorInF16() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let spec = scratch.root + "/spec.json"
        try #"{"tensors": [{"name": "b", "shape": [4], "scheme": "constant", "value": 70000, "dtype": "f16"}]}"#
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try CLI.run(["generate", "--spec", spec, "--output", "m.safetensors"], in: scratch)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix(#"error: invalid --spec '"#) && result.stderr.contains(#"tensor "b": invalid value 70000.0"#),
                "\(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }
}
