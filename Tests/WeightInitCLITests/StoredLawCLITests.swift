import Foundation
import Testing

/// `--check` and `stats` judge f16 and bf16 tensors against the scheme's law
/// rounded to the dtype: correct 4096² data passes, data whose scale is 2 %
/// off is rejected.
@Suite struct StoredLawCLITests {
    @Test(arguments: ["bf16", "f16"])
    func checkPassesCorrectHalfPrecisionData(dtype: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate", "xavier-uniform", "--shape", "4096,4096", "--dtype", dtype,
                                  "--output", "w.safetensors", "--check", "--quiet"], in: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Kolmogorov–Smirnov"), "\(result.stdout)")
    }

    @Test(arguments: ["bf16", "f16"])
    func statsRejectsAScaleTwoPercentOff(dtype: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let made = try CLI.run(["generate", "xavier-uniform", "--gain", "1.02", "--shape", "4096,4096", "--dtype", dtype,
                                "--output", "w.safetensors", "--quiet"], in: scratch)
        try #require(made.status == 0, "\(made.stderr)")
        let stats = try CLI.run(["stats", "w.safetensors", "--scheme", "xavier-uniform", "--json"], in: scratch)
        try #require(stats.status == 0, "\(stats.stderr)")
        let p = try Numpy.run("import json, sys; print(json.loads(sys.argv[1])['ks']['p_value'])", [stats.stdout])
        let value = try #require(Double(p.trimmingCharacters(in: .whitespacesAndNewlines)), "\(p)")
        #expect(value < 1e-6, "\(stats.stdout)")
    }
}
