import Foundation
import Testing
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) @testable import WeightInitModels
import _WeightInitTestSupport

/// Rules' regexes (``NameRegex``): the matches and captures Swift's `Regex`
/// gives, for every pattern of the supported subset; work bounded by the
/// compiled size times the name's length, whatever the pattern; everything
/// else refused with the reason.
@Suite struct NameRegexTests {
    /// A random pattern of the subset: literals, escapes, classes, groups,
    /// alternations and every kind of repetition, nested up to `depth`.
    static func pattern(_ generator: inout SplitMix64, depth: Int) -> String {
        func atom() -> String {
            switch Int.random(in: 0 ..< 14, using: &generator) {
            case 0, 1, 2: return ["a", "b", "_", "-", " ", "1", "K", "e"].randomElement(using: &generator)!
            case 3: return "\\."
            case 4: return "."
            case 5: return ["\\d", "\\w", "\\s", "\\D", "\\W", "\\S"].randomElement(using: &generator)!
            case 6: return ["[ab]", "[^a]", "[a-c]", "[\\d_]", "[-a]", "[a-]", "[^\\w.]", "[A-Z]", "[\\S]", "[ -~]", "[^\\D]", "[.\\-]"].randomElement(using: &generator)!
            case 7 where depth > 0, 8 where depth > 0, 9 where depth > 0:
                let inner = (0 ..< Int.random(in: 1 ... 2, using: &generator)).map { _ in pattern(&generator, depth: depth - 1) }
                return (Bool.random(using: &generator) ? "(" : "(?:") + inner.joined(separator: "|") + ")"
            default: return "a"
            }
        }
        func quantifier() -> String {
            let base = ["", "", "", "*", "+", "?", "{2}", "{0,2}", "{1,}", "{1,3}", "{1}"].randomElement(using: &generator)!
            return base.isEmpty || Int.random(in: 0 ..< 4, using: &generator) != 0 ? base : base + "?"
        }
        return (0 ..< Int.random(in: 0 ... 3, using: &generator)).map { _ in atom() + quantifier() }.joined()
    }

    /// Names from characters that tell the classes apart: ASCII, a decomposed
    /// and a precomposed é, the Kelvin sign (canonically K), CR LF (one
    /// character), a line feed, an Arabic-Indic digit, a Roman numeral, NBSP.
    static let nameCharacters = ["a", "b", ".", "_", "1", "-", " ", "K", "e", "e\u{301}", "\u{E9}", "\u{212A}", "\r\n", "\n", "\u{663}", "\u{2160}", "\u{A0}"]

    static func swiftMatch(_ pattern: String, _ name: String, groups: Int) throws -> [String]? {
        guard let match = try Regex(pattern).wholeMatch(in: name) else { return nil }
        try #require(match.output.count == groups + 1, "\(pattern): Swift counts \(match.output.count - 1) groups, not \(groups)")
        return (0 ... min(groups, NameRegex.keptGroups)).map { match.output[$0].substring.map(String.init) ?? "" }
    }

    /// 4000 random patterns × 8 names: the same matches and captures as Swift's Regex.
    @Test func matchesAsSwiftRegexDoes() throws {
        var generator = SplitMix64(seed: 21)
        var (compared, matched, refused) = (0, 0, 0)
        for _ in 0 ..< 4000 {
            let pattern = (Bool.random(using: &generator) ? "^" : "") + Self.pattern(&generator, depth: 2)
            let regex: NameRegex
            do {
                regex = try NameRegex(pattern)
            } catch let error as ModelError {
                // The generator writes only the subset; the one thing it may
                // write that is refused is a repeated part that matches nothing.
                #expect(error.reason.contains("can match nothing"), "\(pattern): \(error.reason)")
                refused += 1
                continue
            }
            for _ in 0 ..< 8 {
                let name = (0 ..< Int.random(in: 0 ... 7, using: &generator)).map { _ in Self.nameCharacters.randomElement(using: &generator)! }.joined()
                let expected = try Self.swiftMatch(pattern, name, groups: regex.groupCount)
                #expect(regex.match(name) == expected, "\(pattern.debugDescription) on \(name.debugDescription)")
                compared += 1
                if expected != nil { matched += 1 }
            }
        }
        // The cases reach both outcomes, and refusals are rare.
        #expect(matched > 2000 && compared - matched > 2000 && refused < 600, "\(compared) compared, \(matched) matched, \(refused) refused")
    }

    /// Names that tell greedy from lazy, first alternative from longest,
    /// and a repeated group's last iteration from its first.
    @Test(arguments: [
        ("(a|ab)(c|bcd)(d*)", "abcd"), ("(a*)(a*)", "aaa"), ("(a*?)(a*)", "aaa"), ("(a{0,2}?)(a*)", "aaa"),
        ("((a)|b)+", "ab"), ("(a|b(c)?)+", "bca"), ("(?:(.*)\\.)?(weight|bias)_(ih|hh)_l([0-9]+)(_reverse)?", "rnn.weight_hh_l10_reverse"),
        ("(?:(.*)\\.)?(weight|bias)_(ih|hh)_l([0-9]+)(_reverse)?", "bias_ih_l0"), ("(.*)\\.(.*)", "a.b.c"), ("(.*?)\\.(.*)", "a.b.c"),
        ("(a+)+b", "aaab"), ("(a|aa)*b", "aaaab"), ("((a)|(b)|(c)|(d)|(e)|(f)|(g)|(h)|(i)|(j))+", "jihgfedcba"),
        ("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "abcdefghijk"), ("x{3}y{2,}z{1,2}?", "xxxyyyz"), ("[^.]+(\\.[^.]+)*", "a.bb.c"),
        ("^layers\\.([0-9]{1,3})\\.(q|k|v)_proj\\.weight$", "layers.12.k_proj.weight"), ("a|", ""), ("(|a)", "a"), ("(a?)", ""),
    ])
    func capturesAsSwiftRegex(pattern: String, name: String) throws {
        let regex = try NameRegex(pattern)
        let expected = try Self.swiftMatch(pattern, name, groups: regex.groupCount)
        #expect(expected != nil)
        #expect(regex.match(name) == expected)
    }

    /// The patterns that backtracking took exponential or high-polynomial
    /// time on: each match visits at most (instructions) × (characters + 1)
    /// instructions, for a name of the longest length a manifest allows.
    @Test(arguments: [
        "a{0,500}a{0,500}a{0,500}a{0,500}b", "a*a*a*b", "(a+)+b", "(a|aa)*b", "(a|a)*b", "(.*a){20}b", "(a*b)*c", ".*a.*a.*a.*a.*a.*b",
        "((a+)+)+b", "(?:a|a?a){50}b", "(a{1,1000})*b", "(((a{1,10}){1,10}){1,10})*b",
    ])
    func workIsBounded(pattern: String) throws {
        let regex = try NameRegex(pattern)
        let name = String(repeating: "a", count: ModelManifest.maximumNameLength)
        let (captures, work, bound) = regex.matchCountingWork(name)
        #expect(captures == nil)
        #expect(work <= bound, "\(pattern): \(work) visits, more than \(bound)")
        #expect(bound <= NameRegex.maximumInstructions * (ModelManifest.maximumNameLength + 1))
    }

    /// Everything outside the subset is refused, with the reason, rather
    /// than matched some other way.
    @Test(arguments: [
        ("(a)\\1", "\\1 is not supported"), ("(?=a)a", "of the group kinds only"), ("(?<n>a)", "of the group kinds only"), ("(?i)a", "of the group kinds only"),
        ("(?>a+)", "of the group kinds only"), ("a*+", "possessive repetition"), ("a++", "possessive repetition"), ("\\bx", "\\b is not supported"),
        ("\\p{L}", "\\p is not supported"), ("\\x41", "\\x is not supported"), ("[[:alpha:]]", "nested classes"), ("[a&&b]", "class set operations"),
        ("[a--b]", "class set operations"), ("[a~~b]", "class set operations"), ("[a-c-e]", "is neither a range nor first or last"), ("[z-a]", "runs backwards"),
        ("[]a]", "empty class"), ("[a", "is not closed"), ("(a", "is not closed"), ("a)", "unbalanced"), ("*a", "repeats nothing"), ("a**", "repeats a repetition"),
        ("a{1001}", "0 ≤ n ≤ m ≤ 1000"), ("a{,3}", "write {n}, {n,} or {n,m}"), ("a{3,2}", "bounds reversed"), ("a{", "is not closed"), ("a}", "unmatched \"}\""),
        ("a^b", "allowed only at the start"), ("a$b", "allowed only at the end"), ("(a*)*", "can match nothing"), ("(a|)+", "can match nothing"),
        ("(a?){2}", "can match nothing"), ("(a){0}(b)", "zero times"), ("a{0,0}", "zero times"), ("(a{1000}){1000}", "more than 4096 steps"), ("a{0,1000}a{0,1000}a{0,1000}a{0,1000}b", "more than 4096 steps"),
        (String(repeating: "[^a-z]{1000}", count: 5), "more than 4096 steps"),
        ("é", "is not printable ASCII"), ("a\tb", "is not printable ASCII"), ("a\u{1B}[31m", "is not printable ASCII"),
        (String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100), "nested deeper than 64 levels"),
    ])
    func outsideTheSubsetIsRefused(pattern: String, reason: String) {
        #expect {
            _ = try NameRegex(pattern)
        } throws: { error in
            guard let error = error as? ModelError else { return false }
            return error.reason.contains(reason) && !error.description.unicodeScalars.contains(where: TerminalText.isUnsafe)
        }
    }

    /// The built-in sets' regexes and torch-defaults' captures on the names it is for.
    @Test func builtinRegexesCaptureAsBefore() throws {
        for name in BuiltinRuleSets.names { _ = try RuleSet.load(name) }
        let rnn = try NamePattern(regex: "(?:(.*)\\.)?(weight|bias)_(ih|hh)_l([0-9]+)(_reverse)?")
        #expect(rnn.match("encoder.lstm.weight_ih_l2_reverse") == ["encoder.lstm.weight_ih_l2_reverse", "encoder.lstm", "weight", "ih", "2", "_reverse"])
        #expect(rnn.match("bias_hh_l0") == ["bias_hh_l0", "", "bias", "hh", "0", ""])
        #expect(rnn.match("lstm.weight_hh_l") == nil)
        #expect(try NamePattern(regex: "(?:(.*)\\.)?[qkv]_proj_weight").match("attn.k_proj_weight") == ["attn.k_proj_weight", "attn"])
        #expect(try NamePattern(regex: "(?:(.*)\\.)?bias_[kv]").match("bias_k") == ["bias_k", ""])
    }
}
