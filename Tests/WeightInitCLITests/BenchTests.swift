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
            keys = {'scheme', 'path', 'shape', 'elements', 'bytes', 'seconds', 'gvalues_per_s', 'gb_per_s',
                    'bits_seconds', 'ratio_to_bits', 'memset_seconds', 'memset_gb_per_s', 'ratio_to_memset'}
            print(all(keys <= set(r) and r['seconds'] > 0 and r['gvalues_per_s'] > 0 and r['ratio_to_bits'] > 0
                      and r['path'] == d['machine']['kernel_path'] for r in d['results']))
            bits = d['results'][0]
            print(bits['ratio_to_bits'] == 1, bits['bits_seconds'] == bits['seconds'],
                  all(r['bits_seconds'] == bits['bits_seconds'] for r in d['results'][1:-1]))
            print(d['results'][0]['shape'], d['results'][-1]['shape'], d['results'][1]['bytes'], d['dtype'], d['threads'])
            c = d['machine']['calibration']
            print(c is None or (c['chosen'] in [x['path'] for x in c['candidates']] and c['total_seconds'] > 0))
            print(set(d['machine']['kernel_paths_available']) >= {'scalar', d['machine']['kernel_path']})
            """
        let lines = try Numpy.run(script, [result.stdout]).split(separator: "\n")
        #expect(lines == [
            "['calibration', 'cores', 'cpu_model', 'flags', 'kernel_path', 'kernel_paths_available']",
            "['bits', 'uniform', 'normal', 'truncated-normal', 'xavier-uniform', 'kaiming-normal', 'orthogonal']",
            "True",
            "True True True",
            "[64, 32] [16, 8] 8192 f32 1",
            "True",
            "True",
        ])
    }

    /// `--paths all` runs every scheme and the bits baseline on each path
    /// this machine has, and says which path each row ran on.
    @Test func everyPathSideBySide() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(Self.small + ["--paths", "all", "--json"], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let script = """
            import json, sys
            d = json.loads(sys.argv[1])
            paths = d['machine']['kernel_paths_available']
            rows = [(r['path'], r['scheme']) for r in d['results']]
            schemes = ['bits', 'uniform', 'normal', 'truncated-normal', 'xavier-uniform', 'kaiming-normal', 'orthogonal']
            print(rows == [(p, s) for p in paths for s in schemes])
            """
        #expect(try Numpy.run(script, [result.stdout]) == "True")
    }

    @Test(arguments: ["f32", "f64", "f16", "bf16"])
    func tableRunsForEveryDType(dtype: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(Self.small + ["--dtype", dtype], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("cpu: ") && result.stdout.contains("kernel path: "))
        #expect(result.stdout.contains("vs memset") && result.stdout.contains("vs bits"))
        #expect(result.stdout.split(separator: "\n").count == 3 + 7)
    }

    @Test(arguments: [["--repeat", "0"], ["--shape", "0,4"], ["--threads", "0"], ["--orthogonal-shape", "8"], ["--shape", "8"],
                            ["--paths", "avx9"], ["--paths", ""], ["--paths", "auto,"]])
    func badInputFailsWithOneLine(arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(Self.small + arguments, in: scratch)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("error: "), "\(result.stderr)")
    }
}
