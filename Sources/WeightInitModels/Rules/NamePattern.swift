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
/// whatever its stars; a regex — which Swift matches by backtracking — may
/// not repeat a group that itself repeats or alternates (`(a+)+`, `(a|ab)*`:
/// exponential time on a name that almost matches) and may hold at most
/// ``maximumUnboundedRepetitions`` unbounded repetitions; and no name is
/// longer than ``ModelManifest/maximumNameLength``.
struct NamePattern: Sendable {
    /// As written, for messages.
    let text: String
    private let matcher: Matcher

    private enum Matcher: @unchecked Sendable {
        /// The tokens; `root`: the glob starts with `*.`, so the name may also
        /// be the rest alone (a top-level module's).
        case glob([GlobToken], root: Bool)
        case regex(Regex<AnyRegexOutput>)
    }

    private enum GlobToken: Equatable {
        case star, any
        case literal(Character)
    }

    /// Longest glob or regex (real ones are a few dozen characters).
    static let maximumLength = 1024
    /// Most `*`, `+` and `{n,}` a regex may hold: each one more multiplies
    /// the time a backtracking match can take on a name that fails late.
    static let maximumUnboundedRepetitions = 3

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
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(text)
        } catch {
            throw ModelError("invalid regex \(TerminalText.quoted(text)): \(TerminalText.escaped(String(describing: error), limit: 256))")
        }
        try Self.checkRepetitions(text)
        matcher = .regex(regex)
    }

    /// The name and the captures (`$0`, `$1`, …) if the whole of `name` matches.
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
            guard let match = try? regex.wholeMatch(in: name) else { return nil }
            return (0 ..< match.output.count).map { index in match.output[index].substring.map(String.init) ?? "" }
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

    /// Refuses a regex whose backtracking can take exponential time — a
    /// repeated group (`*`, `+`, `{n,}`, `{n,m}` with m > 1) holding a
    /// repetition or an alternation — or more than
    /// ``maximumUnboundedRepetitions`` unbounded repetitions.
    private static func checkRepetitions(_ text: String) throws {
        let characters = Array(text)
        // Per open group: whether it holds a repetition or an alternation.
        var groups: [Bool] = [false]
        var lastGroupRisky = false, unbounded = 0, index = 0
        func refuse(_ reason: String) -> ModelError {
            ModelError("regex \(TerminalText.quoted(text)): \(reason); backtracking could take exponential time on a long name — write it another way (or use a glob)")
        }
        /// The repetition at `index`, if any: (repeats more than once, unbounded, length).
        func repetition(at index: Int) -> (repeats: Bool, unbounded: Bool, length: Int)? {
            guard index < characters.count else { return nil }
            var length: Int, repeats: Bool, unbounded: Bool
            switch characters[index] {
            case "*", "+": (length, repeats, unbounded) = (1, true, true)
            case "?": (length, repeats, unbounded) = (1, false, false)
            case "{":
                guard let close = characters[index...].firstIndex(of: "}") else { return nil }
                let inside = String(characters[index + 1 ..< close]).split(separator: ",", omittingEmptySubsequences: false)
                guard (1 ... 2).contains(inside.count), inside.allSatisfy({ $0.allSatisfy(\.isNumber) }), !inside[0].isEmpty || inside.count == 2
                else { return nil }
                let upper = inside.count == 2 ? Int(inside[1]) : Int(inside[0])
                length = close - index + 1
                unbounded = inside.count == 2 && inside[1].isEmpty
                repeats = unbounded || (upper ?? 2) > 1
            default: return nil
            }
            // A lazy or possessive marker belongs to the repetition.
            if index + length < characters.count, "?+".contains(characters[index + length]) { length += 1 }
            return (repeats, unbounded, length)
        }
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\\":
                index += 2
            case "[":
                // A class is one atom: skip to its closing bracket (a leading ] or ^] is literal).
                var end = index + 1
                if end < characters.count, characters[end] == "^" { end += 1 }
                if end < characters.count, characters[end] == "]" { end += 1 }
                while end < characters.count, characters[end] != "]" { end += characters[end] == "\\" ? 2 : 1 }
                index = end + 1
            case "(":
                groups.append(false)
                index += 1
                continue
            case ")":
                lastGroupRisky = groups.count > 1 ? groups.removeLast() : false
                // A group holding a risky group is risky too: ((a+))+.
                if lastGroupRisky { groups[groups.count - 1] = true }
                index += 1
            case "|":
                groups[groups.count - 1] = true
                index += 1
                continue
            default:
                index += 1
            }
            guard let found = repetition(at: index) else { continue }
            if found.unbounded { unbounded += 1 }
            if found.repeats, character == ")", lastGroupRisky {
                throw refuse("a repeated group holds a repetition or an alternation")
            }
            // The enclosing group now holds a repetition.
            groups[groups.count - 1] = true
            index += found.length
        }
        guard unbounded <= maximumUnboundedRepetitions else {
            throw refuse("more than \(maximumUnboundedRepetitions) unbounded repetitions (*, +, {n,})")
        }
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
