import Foundation
import Testing
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) @testable import WeightInitCLI
@_spi(Plumbing) @testable import WeightInitModels

/// Hostile whole-model input — indexes, configs, rules, expressions and
/// parts written by an attacker — gets one `error:` line and status 64:
/// never a crash (stack overflow, arithmetic trap), a hang (exponential
/// backtracking, a layout of 10⁹ layers) or a file.
@Suite struct ModelHardeningTests {
    static var llama: [String: Any] { [
        "model_type": "llama", "vocab_size": 32, "hidden_size": 16, "num_hidden_layers": 2,
        "intermediate_size": 32, "num_attention_heads": 4,
    ] }
    static var gpt2: [String: Any] { ["model_type": "gpt2", "vocab_size": 32, "n_positions": 8, "n_embd": 16, "n_layer": 2, "n_head": 4] }
    static var bert: [String: Any] { [
        "model_type": "bert", "vocab_size": 32, "hidden_size": 16, "num_hidden_layers": 2, "intermediate_size": 32,
        "num_attention_heads": 4, "max_position_embeddings": 8,
    ] }

    static func json(_ object: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func config(_ base: [String: Any], _ changes: [String: Any]) -> String {
        json(base.merging(changes) { $1 })
    }

    /// A spec of one 4×4 tensor named `name`, whose scheme the rule `rule` gives.
    static func ruled(_ rule: [String: Any], name: String = String(repeating: "a", count: 40) + "!") -> String {
        json(["tensors": [["name": name, "shape": [4, 4]]], "rules": ["rules": [rule]]])
    }

    static func tensor(_ entry: [String: Any]) -> String {
        json(["tensors": [["name": "t", "shape": [8, 4]].merging(entry) { $1 }]])
    }

    /// Each fails on the code before these checks: a crash (139: stack
    /// overflow, 132: trap) or a hang.
    @Test(arguments: [
        // An index whose weight_map names the index itself recursed until the stack overflowed.
        ("an index naming itself", [#"{"weight_map": {"w": "f0.index.json"}}"#], ["--like", "F0"], "must name a .safetensors shard file beside the index"),
        ("an index naming a file outside .safetensors", [#"{"weight_map": {"w": "passwd"}}"#], ["--like", "F0"], "must name a .safetensors shard file"),
        ("an index naming a shard with a NUL", ["{\"weight_map\": {\"w\": \"a\\u0000.safetensors\"}}"], ["--like", "F0"], "must name a .safetensors shard file"),
        // Config arithmetic trapped on overflow.
        ("llama head_dim overflowing", [config(llama, ["head_dim": 1 << 62])], ["--config", "F0"], "num_attention_heads × head_dim = 4 × 4611686018427387904 overflows"),
        ("gpt2 n_embd overflowing", [config(gpt2, ["n_embd": 1 << 62, "n_head": 1])], ["--config", "F0"], "n_inner (4 × n_embd) = 4 × 4611686018427387904 overflows"),
        // A billion layers built a layout until memory or patience ran out.
        ("llama with 10⁸ layers", [config(llama, ["num_hidden_layers": 100_000_000])], ["--config", "F0"], "100000000 layers of 9 tensors is more than the 262144 tensors"),
        ("gpt2 with 2⁶² layers", [config(gpt2, ["n_layer": 1 << 62])], ["--config", "F0"], "layers of 12 tensors is more than the 262144 tensors"),
        ("bert with 10⁸ layers", [config(bert, ["num_hidden_layers": 100_000_000])], ["--config", "F0"], "layers of 16 tensors is more than the 262144 tensors"),
        // Heads the modeling code refuses (or, for Llama, a head_dim of 0).
        ("llama with more heads than width", [config(llama, ["num_attention_heads": 32])], ["--config", "F0"], "num_attention_heads 32 does not divide hidden_size 16"),
        ("gpt2 heads not dividing", [config(gpt2, ["n_head": 5])], ["--config", "F0"], "n_head 5 does not divide n_embd 16"),
        ("bert heads not dividing", [config(bert, ["num_attention_heads": 5])], ["--config", "F0"], "num_attention_heads 5 does not divide hidden_size 16"),
        // The expression parser recursed once per "(" or "-".
        ("100 000 parentheses", [ruled(["match": "*", "scheme": "normal", "std": String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)])],
         ["--spec", "F0"], "nested deeper than 64 levels"),
        ("100 000 minuses", [ruled(["match": "*", "scheme": "normal", "std": String(repeating: "-", count: 100_000) + "1"])], ["--spec", "F0"], "nested deeper than 64 levels"),
        // Reversed "ranges" made a Range with lowerBound > upperBound: a trap.
        ("reversed ranges", [tensor(["scheme": "zeros", "parts": [["ranges": [[6, 2], [0, 4]], "scheme": "ones"]]])], ["--spec", "F0"], "\"ranges\" [6, 2] is empty"),
        // 20 000 parts: 2·10⁸ overlap checks.
        ("20 000 parts", [json(["tensors": [["name": "t", "shape": [20000], "scheme": "zeros", "parts": (0 ..< 20000).map { ["rows": [$0, $0 + 1], "scheme": "ones"] }]]])],
         ["--spec", "F0"], "20000 parts; a tensor has at most 1024"),
        // Backtracking: exponential in the name's length (the first four were
        // refused by a check of the pattern, the next three passed it and
        // took minutes to hours); a Pike VM now, linear in the name's length.
        ("a nested repetition", [ruled(["regex": "(a+)+$", "scheme": "zeros"])], ["--spec", "F0"], "no rule of the spec's rules applies to it"),
        ("a repeated alternation", [ruled(["regex": "(a|aa)*b", "scheme": "zeros"])], ["--spec", "F0"], "no rule of the spec's rules applies to it"),
        ("a repetition of what matches nothing", [ruled(["regex": "((a*)){2,}", "scheme": "zeros"])], ["--spec", "F0"], "can match nothing"),
        ("many unbounded repetitions", [ruled(["regex": ".*a.*a.*a.*b", "scheme": "zeros"])], ["--spec", "F0"], "no rule of the spec's rules applies to it"),
        ("bounded repetitions, 4 × 250, on a 1000-byte name", [ruled(["regex": "a{0,250}a{0,250}a{0,250}a{0,250}b", "scheme": "zeros"], name: String(repeating: "a", count: 1000))],
         ["--spec", "F0"], "no rule of the spec's rules applies to it"),
        ("bounded repetitions, 4 × 1000", [ruled(["regex": "a{0,1000}a{0,1000}a{0,1000}a{0,1000}b", "scheme": "zeros"], name: String(repeating: "a", count: 200))],
         ["--spec", "F0"], "compiles to more than 4096 steps"),
        ("three stars on 1001-byte names", [json(["tensors": (0 ..< 10).map { ["name": String(repeating: "a", count: 1000) + String($0), "shape": [2]] },
                                                  "rules": ["rules": [["regex": "a*a*a*b", "scheme": "zeros"]]]])],
         ["--spec", "F0"], "no rule of the spec's rules applies to it"),
        ("a glob of 3000 stars", [ruled(["match": String(repeating: "*", count: 3000) + "b", "scheme": "zeros"])], ["--spec", "F0"], "is longer than 1024 characters"),
        // 30 stars as (.*) groups: polynomial of degree 30 by backtracking, linear per star here.
        ("a glob of 30 stars that fails late", [ruled(["match": String(repeating: "*a", count: 30) + "b", "scheme": "zeros"], name: String(repeating: "a", count: 60) + "!")],
         ["--spec", "F0"], "no rule of the spec's rules applies to it"),
        ("a name of 2000 bytes", [json(["tensors": [["name": String(repeating: "n", count: 2000), "shape": [2], "scheme": "zeros"]]])], ["--spec", "F0"],
         "the name is 2000 bytes long; at most 1024"),
    ] as [(String, [String], [String], String)])
    func hostileModelInput(name: String, files: [String], arguments: [String], mentions: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var paths: [String: String] = [:]
        for (index, text) in files.enumerated() {
            let path = scratch.root + "/f\(index)" + (text.contains("weight_map") ? ".index.json" : ".json")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            paths["F\(index)"] = path
        }
        let rules = arguments.contains("--like") ? ["--rules", "torch-defaults"] : []
        let result = try CLI.run(["generate"] + arguments.map { paths[$0] ?? $0 } + rules + ["--output", "m.safetensors"], in: scratch)
        #expect(result.status == 64, "\(name): \(result.stderr.prefix(2000))")
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("error: "), "\(name): \(result.stderr.prefix(2000))")
        #expect(result.stderr.contains(mentions), "\(name): \(result.stderr.prefix(2000))")
        #expect(result.stderr.utf8.count < 4096, "\(name): the message is clipped")
        #expect(try scratch.contents().isEmpty, "\(name): no file written")
    }

    /// The glob matcher gives the captures a backtracking `(.*)` regex gives.
    @Test func globCapturesAreTheGreedyRegexs() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "b", "."]
        for _ in 0 ..< 2000 {
            let glob = String((0 ..< Int.random(in: 0 ... 6, using: &generator)).map { _ in
                (alphabet + ["*", "*", "?"]).randomElement(using: &generator)!
            })
            let name = String((0 ..< Int.random(in: 0 ... 8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            // A leading `*.` is any module's path, or the root's: an optional group.
            var pattern = glob.hasPrefix("*.") ? "(?:(.*)\\.)?" : ""
            for character in glob.hasPrefix("*.") ? glob.dropFirst(2) : Substring(glob) {
                switch character {
                case "*": pattern += "(.*)"
                case "?": pattern += "."
                case ".": pattern += "\\."
                default: pattern.append(character)
                }
            }
            let regex = try Regex(pattern)
            let expected = (try regex.wholeMatch(in: name)).map { match in
                (0 ..< match.output.count).map { match.output[$0].substring.map(String.init) ?? "" }
            }
            #expect(try NamePattern(glob: glob).match(name) == expected, "glob \(glob) on \(name)")
        }
    }

    /// A header no reader accepts (over safetensors' 100 MB) is refused, not written.
    @Test func headersOverTheLimitAreRefused() throws {
        let name = String(repeating: "n", count: 1000)
        let tensors = (0 ..< 101_000).map { TensorEntry(name: name + String($0), shape: [1], dtype: .u8) }
        #expect(throws: WeightInitError.self) { try Safetensors.header(tensors: tensors) }
        #expect(try Safetensors.header(tensors: Array(tensors.prefix(1000))).count < Safetensors.maximumHeaderLength)
    }
}
