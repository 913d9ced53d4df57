import Foundation
import Testing
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) @testable import WeightInitModels
import _WeightInitTestSupport

/// How rules are matched against a model's names: globs give the captures
/// the dynamic programming gave, names are decoded as `Character` would
/// classify them, literal text rejects a name before the regex VM runs,
/// and planning's work is bounded by limits that end in a ``ModelError``.
@Suite struct RuleMatchingTests {
    /// The glob matcher before the run-by-run one: dynamic programming over
    /// tokens × characters (`rest[i][j]`: tokens i… match characters j…),
    /// then each star the longest run after which the rest matches; a glob
    /// starting with `*.` also matches the rest alone, `$1` empty.
    static func reference(_ glob: String, _ name: String) -> [String]? {
        func match(_ tokens: [Character], _ name: [Character]) -> [String]? {
            let width = name.count + 1
            var rest = [Bool](repeating: false, count: (tokens.count + 1) * width)
            rest[tokens.count * width + name.count] = true
            for i in stride(from: tokens.count - 1, through: 0, by: -1) {
                for j in stride(from: name.count, through: 0, by: -1) {
                    let next = (i + 1) * width
                    switch tokens[i] {
                    case "*": rest[i * width + j] = rest[next + j] || (j < name.count && rest[i * width + j + 1])
                    case "?": rest[i * width + j] = j < name.count && rest[next + j + 1]
                    case let character: rest[i * width + j] = j < name.count && name[j] == character && rest[next + j + 1]
                    }
                }
            }
            guard rest[0] else { return nil }
            var captures = [String(name)], position = 0
            for (i, token) in tokens.enumerated() {
                if token == "*" {
                    var end = name.count
                    while !rest[(i + 1) * width + end] { end -= 1 }
                    captures.append(String(name[position ..< end]))
                    position = end
                } else {
                    position += 1
                }
            }
            return captures
        }
        let tokens = Array(glob), characters = Array(name)
        if let captures = match(tokens, characters) { return captures }
        guard glob.hasPrefix("*."), var captures = match(Array(tokens.dropFirst(2)), characters) else { return nil }
        captures.insert("", at: 1)
        return captures
    }

    /// 6000 random globs × 8 names, over characters that tell canonical
    /// equivalence apart (the Kelvin sign is K to `Character`; a decomposed
    /// é is not a precomposed one's base letter): the same matches and
    /// captures as the dynamic programming.
    @Test func globsMatchAsTheDynamicProgrammingDid() throws {
        var generator = SplitMix64(seed: 7)
        let globCharacters: [Character] = ["*", "*", "?", "a", "b", ".", "K", "\u{212A}", "e", "\u{E9}", "e\u{301}", "\r\n"]
        let nameCharacters = NameRegexTests.nameCharacters
        var (compared, matched) = (0, 0)
        for _ in 0 ..< 6000 {
            var glob = String((0 ..< Int.random(in: 0 ... 6, using: &generator)).map { _ in globCharacters.randomElement(using: &generator)! })
            if Int.random(in: 0 ..< 4, using: &generator) == 0 { glob = "*." + glob }
            let pattern = try NamePattern(glob: glob)
            for _ in 0 ..< 8 {
                let name = (0 ..< Int.random(in: 0 ... 8, using: &generator)).map { _ in nameCharacters.randomElement(using: &generator)! }.joined()
                let expected = Self.reference(glob, name)
                #expect(pattern.match(name) == expected, "\(glob.debugDescription) on \(name.debugDescription)")
                compared += 1
                if expected != nil { matched += 1 }
            }
        }
        #expect(matched > 1000 && compared - matched > 3000, "\(compared) compared, \(matched) matched")
    }

    /// Real globs on real names, and the cases each branch of the matcher takes.
    @Test(arguments: [
        ("*.bias", "layer1.0.bn1.bias"), ("*.bias", "bias"), ("*norm*.weight", "model.layers.0.input_layernorm.weight"),
        ("layer?.*.conv*.weight", "layer4.1.conv2.weight"), ("*", ""), ("**", "ab"), ("*a*a*", "banana"), ("*.*", "a.b.c"),
        ("fc.weight", "fc.weight"), ("fc.weight", "fc.weights"), ("*ab*ab", "abab"), ("a*a", "a"), ("*.x", ".x"),
    ])
    func globCases(glob: String, name: String) throws {
        #expect(try NamePattern(glob: glob).match(name) == Self.reference(glob, name))
    }

    /// The ASCII fast path of ``NameText`` classifies every ASCII character
    /// as `Character`'s properties do (the regex's `\d \w \s .`).
    @Test func asciiIsClassifiedAsCharacterDoes() {
        for value in 0 ..< 128 {
            let character = Character(Unicode.Scalar(UInt8(value)))
            let text = NameText(String(character))
            var kind: UInt8 = 0
            if character.isNumber { kind |= 1 }
            if character.isLetter || character.isNumber || character == "_" { kind |= 2 }
            if character.isWhitespace { kind |= 4 }
            if character.isNewline { kind |= 8 }
            #expect(text.kinds == [kind] && text.scalars == [UInt32(value)], "\(value)")
        }
    }

    /// A regex's literal start, end and inner text reject a name before
    /// the VM runs (no instruction visited); a name that has them still
    /// matches as Swift's Regex does.
    @Test(arguments: [
        ("layers\\.[0-9]+\\.weight", "x" + String(repeating: "a", count: 1000)),
        ("(.*)\\.unused7", String(repeating: "a", count: 1000) + ".bias"),
        (".*unused7.*", String(repeating: "a", count: 1000)),
        ("(?:(.*)\\.)?(weight|bias)_(ih|hh)_l([0-9]+)_reverse", "encoder.lstm.weight_ih_l2_reversed"),
        ("a{3}b", "aab"),
    ])
    func literalTextRejectsBeforeTheVM(pattern: String, name: String) throws {
        let (captures, work, _) = try NameRegex(pattern).matchCountingWork(name)
        #expect(captures == nil)
        // The search for inner text counts its comparisons, but runs no instruction.
        #expect(work <= 2 * (name.count + 1), "\(pattern): \(work)")
        let matching = name.replacingOccurrences(of: "x" + String(repeating: "a", count: 1000), with: "layers.12.weight")
            .replacingOccurrences(of: "_reversed", with: "_reverse")
        let regex = try NameRegex(pattern)
        #expect(regex.match(matching) == (try NameRegexTests.swiftMatch(pattern, matching, groups: regex.groupCount)))
    }

    static func rules(_ rules: [String], name: String = "hostile.json") throws -> RuleSet {
        try RuleSet(json: Array("{\"rules\": [\(rules.joined(separator: ", "))]}".utf8), name: name)
    }

    /// More rules than a set may hold: refused as the file is read.
    @Test func tooManyRulesAreRefused() throws {
        let error = try #require(throws: ModelError.self) {
            try Self.rules(Array(repeating: #"{"match": "*.unused", "scheme": "zeros"}"#, count: RuleSet.maximumRules + 1))
        }
        #expect(error.source == .rules("hostile.json"))
        #expect(error.reason.contains("10001 rules, more than the 10000"), "\(error)")
        #expect(throws: Never.self) { try Self.rules(Array(repeating: #"{"match": "*", "scheme": "zeros"}"#, count: RuleSet.maximumRules)) }
    }

    /// The hostile case — the most rules a set may hold against the most
    /// tensors a manifest may hold, hours of matching — refused before any.
    @Test func rulesTimesTensorsAreBounded() throws {
        let rules = try Self.rules((0 ..< 64).map { #"{"match": "*.unused\#($0)", "scheme": "zeros"}"# } + [#"{"match": "*", "scheme": "zeros"}"#])
        let manifest = ModelManifest((0 ..< ModelManifest.maximumCount).map { ModelManifest.Tensor(name: "t\($0).weight", shape: [1]) })
        let error = try #require(throws: ModelError.self) { try ModelPlan(manifest: manifest, rules: rules) }
        #expect(error.source == .rules("hostile.json"))
        #expect(error.reason.contains("65 rules against 262144 tensors: more than the 16777216 (rule, tensor) pairs"), "\(error)")
        // Within the bound, the same rules plan.
        let small = ModelManifest((0 ..< 100).map { ModelManifest.Tensor(name: "t\($0).weight", shape: [1]) })
        #expect(try ModelPlan(manifest: small, rules: rules).tensors.count == 100)
    }

    /// Rules that each cost the most a match may (a regex of 1000
    /// instructions that keeps every thread alive to the last character of
    /// a long name): matching stops at the work budget with a typed error
    /// naming the rules, not after hours. The budget is made small here so
    /// that the test is quick; ``RuleSet/maximumWork`` is the same code path.
    @Test func workPastTheBudgetIsRefused() throws {
        let pattern = "[0-9]{4}" + String(repeating: "a?", count: 500) + "[XY]d"
        let rules = try Self.rules(Array(repeating: "{\"regex\": \"\(pattern)\", \"scheme\": \"zeros\"}", count: 8) + [#"{"match": "*", "scheme": "zeros"}"#])
        // Every name has the length and the last character the pattern needs, and fails only at its "Z".
        let names = (0 ..< 64).map { String(1000 + $0) + String(repeating: "a", count: 500) + "Zd" }
        let ranks = Dictionary(uniqueKeysWithValues: names.map { ($0, 1) })
        var matching = RuleSet.Matching()
        matching.budget = 1 << 24
        let error = try #require(throws: ModelError.self) {
            for name in names {
                _ = try rules.rule(for: ModelManifest.Tensor(name: name, shape: [1]), ranks: ranks, variables: [:], matching: &matching)
            }
        }
        #expect(error.source == .rules("hostile.json"))
        #expect(error.reason.contains("matching its 9 rules against the model's 64 tensors takes more than 16777216 steps"), "\(error)")
        // Each match visits about 1000 instructions per character: the budget ran out within a few tensors.
        #expect(matching.work > 1 << 24 && matching.work < (1 << 24) + 2_000_000)
    }
}
