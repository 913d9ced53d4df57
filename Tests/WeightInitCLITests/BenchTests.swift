import Foundation
import Testing

/// `weightinit bench`: runs and reports what it promises. No timing is
/// asserted — the machine is shared — only the shape of the report.
@Suite struct BenchTests {
    static let small = ["bench", "--shape", "64,32", "--orthogonal-shape", "16,8", "--repeat", "1", "--threads", "1"]

    @Test func jsonHasTheMachineAndEveryScheme() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(Self.small + ["--json"], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let script = """
            import json, sys
            d = json.loads(sys.argv[1])
            print(sorted(d['machine']))
            print([r['scheme'] for r in d['results']])
            keys = {'scheme', 'shape', 'elements', 'bytes', 'seconds', 'gvalues_per_s', 'gb_per_s',
                    'memset_seconds', 'memset_gb_per_s', 'ratio_to_memset'}
            print(all(keys <= set(r) and r['seconds'] > 0 and r['gvalues_per_s'] > 0 for r in d['results']))
            print(d['results'][0]['shape'], d['results'][-1]['shape'], d['results'][0]['bytes'], d['dtype'], d['threads'])
            """
        let lines = try Numpy.run(script, [result.stdout]).split(separator: "\n")
        #expect(lines == [
            "['cores', 'cpu_model', 'flags', 'kernel_path']",
            "['uniform', 'normal', 'truncated-normal', 'xavier-uniform', 'kaiming-normal', 'orthogonal']",
            "True",
            "[64, 32] [16, 8] 8192 f32 1",
        ])
    }

    @Test(arguments: ["f32", "f64", "f16", "bf16"])
    func tableRunsForEveryDType(dtype: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(Self.small + ["--dtype", dtype], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("cpu: ") && result.stdout.contains("kernel path: "))
        #expect(result.stdout.contains("vs memset"))
        #expect(result.stdout.split(separator: "\n").count == 3 + 6)
    }

    @Test(arguments: [["--repeat", "0"], ["--shape", "0,4"], ["--threads", "0"], ["--orthogonal-shape", "8"], ["--shape", "8"]])
    func badInputFailsWithOneLine(arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(Self.small + arguments, in: scratch)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("error: "), "\(result.stderr)")
    }
}
