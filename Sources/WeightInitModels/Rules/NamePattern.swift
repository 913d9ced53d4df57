@_spi(Plumbing) import WeightInit

/// Which tensor names a rule applies to: a glob (`"match"`), where `*`
/// matches any run of characters, dots included, and `?` any one character;
/// or a regular expression (`"regex"`, Swift's syntax, matched against the
/// whole name). Either way the whole name must match. The text each `*` (or
/// each group of a regex) matched is `$1`, `$2`, … in the rule's templates
/// (`"fan-of": "$1.weight"`); a `*` takes as much as it can (as the regex
/// `(.*)` would).
///
/// Module paths have a root: a lone module's `state_dict()` keys carry no
/// prefix (`weight`, `bias_hh_l0`, `in_proj_weight`). So a glob that starts
/// with `*.` — any module's — also matches the name without that prefix,
/// `$1` then empty (`*.weight` matches `weight`); and in a template, an
/// empty `$n` followed by `.` drops the dot (``substitute(_:_:)``: `$1.weight`
/// names `weight` there). A regex says the same with an optional group,
/// `(?:(.*)\.)?bias_hh_l0`.
///
/// Names come from files (a checkpoint's header), so matching must not
/// take time that grows without bound: a glob is matched by dynamic
/// programming in time proportional to its length times the name's,
/// whatever its stars; a regex (``NameRegex``: a subset of Swift's syntax,
/// with the same matches and captures) by a Pike VM, in time proportional
/// to its compiled size (at most ``NameRegex/maximumInstructions``) times
/// the name's length, whatever it repeats; and no name is longer than
/// ``ModelManifest/maximumNameLength``.
struct NamePattern: Sendable {
    /// As written, for messages.
    let text: String
    private let matcher: Matcher

    private enum Matcher: Sendable {
        /// The tokens; `root`: the glob starts with `*.`, so the name may also
        /// be the rest alone (a top-level module's).
        case glob([GlobToken], root: Bool)
        case regex(NameRegex)
    }

    private enum GlobToken: Equatable {
        case star, any
        case literal(Character)
    }

    /// Longest glob or regex (real ones are a few dozen characters).
    static let maximumLength = 1024

    init(glob: String) throws {
        guard glob.count <= Self.maximumLength else {
            throw ModelError("glob \(TerminalText.quoted(glob)) is longer than \(Self.maximumLength) characters")
        }
        text = glob
        matcher = .glob(glob.map { $0 == "*" ? .star : $0 == "?" ? .any : .literal($0) }, root: glob.hasPrefix("*."))
    }

    init(regex text: String) throws {
        self.text = text
        guard text.count <= Self.maximumLength else {
            throw ModelError("regex \(TerminalText.quoted(text)) is longer than \(Self.maximumLength) characters")
        }
        matcher = .regex(try NameRegex(text))
    }

    /// The name and the captures (`$0`, `$1`, … — of a regex, its first
    /// nine groups) if the whole of `name` matches.
    func match(_ name: String) -> [String]? {
        switch matcher {
        case let .glob(tokens, root):
            let characters = Array(name)
            if let captures = Self.match(tokens, characters) { return captures }
            // `*.rest` at the root: the rest alone, the star's capture empty.
            guard root, var captures = Self.match(Array(tokens.dropFirst(2)), characters) else { return nil }
            captures.insert("", at: 1)
            return captures
        case let .regex(regex):
            return regex.match(name)
        }
    }

    /// A glob against `name`: `rest[i][j]` says whether tokens `i…` match
    /// characters `j…`; then each star, left to right, takes the longest
    /// run after which the rest still matches — the captures a greedy,
    /// backtracking `(.*)` gives, in O(tokens · characters).
    private static func match(_ tokens: [GlobToken], _ name: [Character]) -> [String]? {
        let width = name.count + 1
        var rest = [Bool](repeating: false, count: (tokens.count + 1) * width)
        rest[tokens.count * width + name.count] = true
        for i in stride(from: tokens.count - 1, through: 0, by: -1) {
            for j in stride(from: name.count, through: 0, by: -1) {
                let next = (i + 1) * width
                switch tokens[i] {
                case .star: rest[i * width + j] = rest[next + j] || (j < name.count && rest[i * width + j + 1])
                case .any: rest[i * width + j] = j < name.count && rest[next + j + 1]
                case let .literal(character): rest[i * width + j] = j < name.count && name[j] == character && rest[next + j + 1]
                }
            }
        }
        guard rest[0] else { return nil }
        var captures = [String(name)], position = 0
        for (i, token) in tokens.enumerated() {
            switch token {
            case .star:
                var end = name.count
                while !rest[(i + 1) * width + end] { end -= 1 }
                captures.append(String(name[position ..< end]))
                position = end
            case .any, .literal: position += 1
            }
        }
        return captures
    }

    /// `template` with `$1` … `$9` replaced by `captures` (from ``match(_:)``);
    /// an empty capture followed by `.` takes the dot with it — the root
    /// module's path is empty, so `$1.weight` of a top-level `bias` is `weight`.
    static func substitute(_ template: String, _ captures: [String]) throws -> String {
        var result = "", characters = Array(template), index = 0
        while index < characters.count {
            if characters[index] == "$", index + 1 < characters.count, let digit = characters[index + 1].wholeNumberValue {
                guard digit < captures.count else {
                    throw ModelError(
                        "template \(TerminalText.quoted(template)) uses $\(digit), but its pattern captures \(captures.count - 1)")
                }
                result += captures[digit]
                index += 2
                if captures[digit].isEmpty, index < characters.count, characters[index] == "." { index += 1 }
            } else {
                result.append(characters[index])
                index += 1
            }
        }
        return result
    }
}

/// A glob's or regex's match on one name, as a rule matches it — for the
/// fuzz target (`Tests/Fuzz`), which reaches it through SPI; not API.
@_spi(Plumbing) public enum NamePatternProbe {
    /// The captures (`$0` the name, then `$1` …) of `pattern` (a glob, or
    /// with `regex` a regular expression) on the whole of `name`, or nil if
    /// it does not match; a pattern a rule would refuse throws its
    /// ``ModelError``.
    @_spi(Plumbing) public static func match(pattern: String, regex: Bool, name: String) throws -> [String]? {
        try (regex ? NamePattern(regex: pattern) : NamePattern(glob: pattern)).match(name)
    }

    /// Like ``match(pattern:regex:name:)`` for a regex, with the work the
    /// matcher did (steps of its VM) and the bound it promises for this
    /// pattern and name (compiled size × (name length + 1)).
    @_spi(Plumbing) public static func regexWork(pattern: String, name: String) throws -> (captures: [String]?, work: Int, bound: Int) {
        try NameRegex(pattern).matchCountingWork(name)
    }
}
