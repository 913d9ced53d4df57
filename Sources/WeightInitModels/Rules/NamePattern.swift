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
/// take time that grows without bound: a glob is matched run by run
/// (``Glob``) in time proportional to its length times the name's,
/// whatever its stars; a regex (``NameRegex``: a subset of Swift's syntax,
/// with the same matches and captures) by a Pike VM, in time proportional
/// to its compiled size (at most ``NameRegex/maximumInstructions``) times
/// the name's length, whatever it repeats, after a check of the literal
/// text every match has; and no name is longer than
/// ``ModelManifest/maximumNameLength``. A name is decoded once
/// (``NameText``) for all of a set's rules, and the steps each match takes
/// are counted toward ``RuleSet/maximumWork``.
struct NamePattern: Sendable {
    /// As written, for messages.
    let text: String
    private let matcher: Matcher

    private enum Matcher: Sendable {
        /// `root`: the glob starts with `*.`, so the name may also be the
        /// rest alone (a top-level module's), matched by `root`.
        case glob(Glob, root: Glob?)
        case regex(NameRegex)
    }

    /// Longest glob or regex (real ones are a few dozen characters).
    static let maximumLength = 1024

    init(glob: String) throws {
        guard glob.count <= Self.maximumLength else {
            throw ModelError("glob \(TerminalText.quoted(glob)) is longer than \(Self.maximumLength) characters")
        }
        text = glob
        let characters = Array(glob)
        matcher = .glob(Glob(characters), root: glob.hasPrefix("*.") ? Glob(characters.dropFirst(2)) : nil)
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
        var work = 0, scratch = NameRegex.Scratch()
        return match(NameText(name), work: &work, scratch: &scratch)
    }

    /// ``match(_:)`` on a name decoded once for every rule; `work` grows by
    /// the steps taken (characters compared, instructions visited), at least
    /// one; `scratch` is the regex VM's memory, kept from match to match.
    func match(_ name: NameText, work: inout Int, scratch: inout NameRegex.Scratch) -> [String]? {
        work += 1
        switch matcher {
        case let .glob(glob, root):
            if let captures = glob.match(name, work: &work) { return captures }
            // `*.rest` at the root: the rest alone, the star's capture empty.
            guard let root, var captures = root.match(name, work: &work) else { return nil }
            captures.insert("", at: 1)
            return captures
        case let .regex(regex):
            return regex.match(name, work: &work, scratch: &scratch)
        }
    }

    /// A glob, compiled: the runs of literal characters and `?`s between
    /// its stars. A name matches if the first run matches at its start, the
    /// last at its end, and the ones between in order; each star takes the
    /// longest run of characters after which the rest still matches — the
    /// captures a greedy, backtracking `(.*)` gives. Found right to left:
    /// the last place run i can start is the last place it matches before
    /// the last place run i + 1 can start, less its length. Without a star
    /// a glob is compared character by character. In all, at most the
    /// glob's length times the name's comparisons, and no memory but the
    /// captures.
    struct Glob: Sendable {
        enum Unit: Sendable {
            /// `?`: any one character.
            case any
            /// The character, and its scalar if it is one ASCII scalar
            /// (compared as a number when the name's is ASCII too), else `UInt32.max`.
            case literal(Character, ascii: UInt32)
        }

        /// The runs between stars: one more than there are stars.
        let runs: [[Unit]]
        /// The runs' total length: the shortest name that can match.
        let length: Int

        init<C: Collection<Character>>(_ characters: C) {
            var runs: [[Unit]] = [[]]
            for character in characters {
                switch character {
                case "*": runs.append([])
                case "?": runs[runs.count - 1].append(.any)
                default:
                    let scalars = character.unicodeScalars
                    let ascii = scalars.count == 1 && scalars.first!.value < 128 ? scalars.first!.value : .max
                    runs[runs.count - 1].append(.literal(character, ascii: ascii))
                }
            }
            self.runs = runs
            length = runs.reduce(0) { $0 + $1.count }
        }

        /// Whether `run` matches `name`'s characters from `start`.
        private static func matches(_ run: [Unit], _ name: NameText, at start: Int, work: inout Int) -> Bool {
            for (offset, unit) in run.enumerated() {
                work += 1
                guard case let .literal(character, ascii) = unit else { continue }
                let scalar = name.scalars[start + offset]
                // Two ASCII scalars are equal only if they are the same; any
                // other pair is compared as Characters (canonical equivalence:
                // the Kelvin sign is K).
                if ascii < 128 && scalar < 128 ? scalar != ascii : name.characters[start + offset] != character { return false }
            }
            return true
        }

        func match(_ name: NameText, work: inout Int) -> [String]? {
            let count = name.characters.count
            let stars = runs.count - 1
            guard stars > 0 else {
                return count == length && Self.matches(runs[0], name, at: 0, work: &work) ? [name.text] : nil
            }
            // The first run at the start and the last at the end, before anything else.
            let last = count - runs[stars].count
            guard count >= length, Self.matches(runs[0], name, at: 0, work: &work), Self.matches(runs[stars], name, at: last, work: &work)
            else { return nil }
            return withUnsafeTemporaryAllocation(of: Int.self, capacity: stars + 1) { starts -> [String]? in
                // starts[i]: the last place run i can start with the rest matching after it.
                starts[stars] = last
                var i = stars - 1
                while i >= 1 {
                    var start = starts[i + 1] - runs[i].count
                    while start >= runs[0].count, !Self.matches(runs[i], name, at: start, work: &work) { start -= 1 }
                    guard start >= runs[0].count else { return nil }
                    starts[i] = start
                    i -= 1
                }
                // Star i runs from the end of run i - 1 to the start of run i.
                guard starts[1] >= runs[0].count else { return nil }
                var captures = [name.text]
                captures.reserveCapacity(stars + 1)
                var end = runs[0].count
                for i in 1 ... stars {
                    captures.append(String(name.characters[end ..< starts[i]]))
                    end = starts[i] + runs[i].count
                }
                return captures
            }
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
