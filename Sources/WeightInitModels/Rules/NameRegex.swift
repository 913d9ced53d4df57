@_spi(Plumbing) import WeightInit

/// A rule's `"regex"`: a small regular-expression language matched against
/// a whole tensor name in time proportional to the compiled pattern's size
/// times the name's length, whatever the pattern — no backtracking.
///
/// The language is a subset of Swift's `Regex` syntax, and within it a
/// match and its captures are exactly what `Regex.wholeMatch(in:)` gives
/// (leftmost-first: each alternation tries its left side first, each
/// repetition takes as much as it can, or with `?` after it as little):
///
/// - a pattern is printable ASCII; a name may hold any characters, each
///   (a grapheme cluster, as a Swift `Character`) matched as a whole;
/// - any printable character but `\ . [ ] ( ) { } | * + ? ^ $` is itself;
///   `\` before any other printable ASCII character that is not a letter or
///   digit is that character (`\.`, `\$`);
/// - `.` is any character but a line break; `\d`, `\w`, `\s` (and `\D`,
///   `\W`, `\S`, their complements) are Swift's: `Character.isNumber`,
///   letters, numbers and `_`, `Character.isWhitespace`;
/// - `[…]` and `[^…]`: characters, escapes as above, and ranges `a-z`; a
///   `-` first or last is itself;
/// - `(…)` captures (`$1` … `$9` in templates, numbered by their opening
///   parentheses), `(?:…)` does not, `|` alternates;
/// - `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (1 ≤ m, n ≤ m ≤ ``maximumCount``),
///   each lazy with a `?` after it; a part repeated more than once must not
///   match the empty name (`(a*)*` is refused: it adds nothing to `(a*)`,
///   and there backtracking engines disagree about the captures), and none
///   is repeated zero times (Swift drops the groups of `(a){0}` from its
///   numbering);
/// - `^` first and `$` last are allowed, and change nothing (the whole name
///   must match anyway).
///
/// Anything else — backreferences, lookaround, atomic groups, possessive
/// repetitions, options, Unicode properties, nested classes and class set
/// operations, `\b` and other escapes — is refused with the reason.
///
/// Matching is a Pike VM (Thompson's construction with captures): the
/// pattern compiles to at most ``maximumInstructions`` instructions (each
/// counted repetition written out), and every instruction is visited at
/// most once per character of the name, in the order a backtracking matcher
/// would try them, so the first path to reach the end is the one
/// backtracking finds. Before it runs, a name is checked for what every
/// match has — a length within the pattern's, its literal start and end,
/// the longest literal text of its top-level sequence — so a rule that
/// cannot apply costs a few comparisons; the VM's memory (``Scratch``) is
/// kept from match to match.
struct NameRegex: Sendable {
    /// Largest repetition count in `{n,m}`.
    static let maximumCount = 1000
    /// Most instructions a pattern compiles to (a character, a class, a
    /// split or jump of an alternation or repetition, a group's two capture
    /// marks; each counted repetition written out): with names of at most
    /// ``ModelManifest/maximumNameLength`` bytes, a match visits at most
    /// 4096 × 1025 instructions — as many as a glob's dynamic programming
    /// at 4 times its longest pattern.
    static let maximumInstructions = 4096
    /// Groups whose captures are kept: templates name `$1` … `$9`.
    static let keptGroups = 9

    /// How many capturing groups the pattern has.
    let groupCount: Int
    private let program: [Instruction]
    /// Capture slots (begin and end of groups 1 … min(groupCount, 9)).
    private let slots: Int
    /// What every name the pattern matches has, checked before the VM runs.
    private let required: Required

    /// What every matching name has: a length (in characters) within
    /// bounds, and literal characters at its start and at its end
    /// (`layers\.[0-9]+\.weight`: `layers.` and `.weight`).
    private struct Required: Sendable {
        var minimum = 0, maximum = Int.max
        var prefix: [UInt32] = [], suffix: [UInt32] = []
        /// Literal text every match contains somewhere (`.*unused.*`: `unused`).
        var infix: [UInt32] = []
    }

    private enum Instruction: Sendable {
        /// One character that is the single Unicode scalar `value` (ASCII).
        case scalar(UInt32)
        case any
        case property(Property, negated: Bool)
        case set(CharacterSet)
        /// Try `first`, then `second`.
        case split(Int, Int)
        case jump(Int)
        case save(Int)
        case match
    }

    private enum Property: Sendable {
        case digit, word, space

        /// Its bit in ``NameText/kinds``.
        var kind: UInt8 {
            switch self {
            case .digit: 1
            case .word: 2
            case .space: 4
            }
        }
    }

    /// A bracketed class, answered in constant time whatever its size.
    private struct CharacterSet: Sendable {
        var negated = false
        /// The ASCII scalars listed, one bit each (a pattern is ASCII, so every member and range is).
        var scalars: (UInt64, UInt64) = (0, 0)
        /// A character is a member if it has any of these ``NameText`` kinds (`\d`, `\w`, `\s`) …
        var anyKind: UInt8 = 0
        /// … or lacks any of these (`\D`, `\W`, `\S`).
        var notKind: UInt8 = 0

        mutating func insert(_ range: ClosedRange<UInt32>) {
            for scalar in range where scalar < 128 {
                if scalar < 64 { scalars.0 |= 1 << UInt64(scalar) } else { scalars.1 |= 1 << UInt64(scalar - 64) }
            }
        }

        mutating func insert(_ property: Property, negated: Bool) {
            if negated { notKind |= property.kind } else { anyKind |= property.kind }
        }

        func contains(scalar: UInt32, kind: UInt8) -> Bool {
            let listed = scalar < 64 ? scalars.0 >> UInt64(scalar) & 1 != 0 : scalar < 128 && scalars.1 >> UInt64(scalar - 64) & 1 != 0
            return (listed || kind & anyKind != 0 || ~kind & notKind != 0) != negated
        }
    }

    private indirect enum Node {
        case empty
        case scalar(UInt32)
        case any
        case property(Property, negated: Bool)
        case set(CharacterSet)
        case group(Node, capture: Int?)
        case sequence([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?, lazy: Bool)
    }

    init(_ text: String) throws {
        var parser = Parser(text: text)
        let node = try parser.parse()
        groupCount = parser.groups
        slots = 2 * min(parser.groups, Self.keptGroups)
        let size = try Self.size(of: node, text: text)
        guard size < Self.maximumInstructions else {
            throw ModelError("regex \(TerminalText.quoted(text)) compiles to more than \(Self.maximumInstructions) steps; use smaller counts in {n,m}")
        }
        let (minimum, maximum) = Self.lengths(node)
        required = Required(minimum: minimum, maximum: maximum, prefix: Self.affix(node, suffix: false), suffix: Self.affix(node, suffix: true),
                            infix: Self.infix(node))
        var program: [Instruction] = []
        program.reserveCapacity(size + 1)
        Self.emit(node, into: &program)
        program.append(.match)
        self.program = program
    }

    // MARK: Parsing

    private struct Parser {
        let text: String
        let characters: [Character]
        var position = 0
        var groups = 0

        init(text: String) {
            self.text = text
            characters = Array(text)
        }

        func failure(_ reason: String) -> ModelError {
            ModelError("regex \(TerminalText.quoted(text)): \(reason)")
        }

        var next: Character? { position < characters.count ? characters[position] : nil }

        mutating func parse() throws -> Node {
            if let bad = characters.first(where: { !($0.isASCII && $0.unicodeScalars.count == 1 && (0x20 ... 0x7E).contains($0.unicodeScalars.first!.value)) }) {
                throw failure(
                    "\(TerminalText.quoted(String(bad))) is not printable ASCII; a pattern is written in printable ASCII (match other characters with . or a class such as [^.])")
            }
            if next == "^" { position += 1 }
            let node = try alternation(depth: 0)
            if next == "$" && position == characters.count - 1 { position += 1 }
            guard position == characters.count else {
                switch characters[position] {
                case ")": throw failure("unbalanced \")\" at character \(position + 1)")
                case "$": throw failure("\"$\" is allowed only at the end (character \(position + 1)); write \\$ for a dollar sign")
                default: throw failure("unexpected \(TerminalText.quoted(String(characters[position]))) at character \(position + 1)")
                }
            }
            return node
        }

        /// Deepest nesting of groups (the parser recurses once per level).
        static let maximumDepth = 64

        mutating func alternation(depth: Int) throws -> Node {
            guard depth <= Self.maximumDepth else { throw failure("groups nested deeper than \(Self.maximumDepth) levels") }
            var branches = [try sequence(depth: depth)]
            while next == "|" {
                position += 1
                branches.append(try sequence(depth: depth))
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func sequence(depth: Int) throws -> Node {
            var items: [Node] = []
            while let character = next, character != "|", character != ")" {
                if character == "$", position == characters.count - 1, depth == 0 { break }
                let atom = try self.atom(depth: depth)
                items.append(try quantified(atom))
            }
            return items.isEmpty ? .empty : items.count == 1 ? items[0] : .sequence(items)
        }

        mutating func atom(depth: Int) throws -> Node {
            let character = characters[position]
            let start = position
            position += 1
            switch character {
            case ".": return .any
            case "(":
                var capture: Int?
                if next == "?" {
                    guard position + 1 < characters.count, characters[position + 1] == ":" else {
                        throw failure("\"(?\" at character \(start + 1): of the group kinds only (…) and (?:…) are supported (no lookaround, named, atomic or option groups)")
                    }
                    position += 2
                } else {
                    groups += 1
                    capture = groups
                }
                let inner = try alternation(depth: depth + 1)
                guard next == ")" else { throw failure("the \"(\" at character \(start + 1) is not closed") }
                position += 1
                return .group(inner, capture: capture)
            case "[": return .set(try characterSet(start: start))
            case "\\": return try escape(inClass: false).node
            case "*", "+", "?", "{":
                throw failure("\(TerminalText.quoted(String(character))) at character \(start + 1) repeats nothing\(character == "{" ? " (write \\{ for a brace)" : "")")
            case "}": throw failure("unmatched \"}\" at character \(start + 1) (write \\} for a brace)")
            case "]": throw failure("unmatched \"]\" at character \(start + 1) (write \\] for a bracket)")
            case "^": throw failure("\"^\" is allowed only at the start (character \(start + 1)); write \\^ for a caret")
            case "$": throw failure("\"$\" is allowed only at the end (character \(start + 1)); write \\$ for a dollar sign")
            default: return .scalar(character.unicodeScalars.first!.value)
            }
        }

        /// What follows a `\`: a punctuation character itself, or a class.
        mutating func escape(inClass: Bool) throws -> (node: Node, scalar: UInt32?) {
            guard let character = next else { throw failure("ends with a lone \"\\\"") }
            position += 1
            let scalar = character.unicodeScalars.first!.value
            switch character {
            case "d": return (.property(.digit, negated: false), nil)
            case "D": return (.property(.digit, negated: true), nil)
            case "w": return (.property(.word, negated: false), nil)
            case "W": return (.property(.word, negated: true), nil)
            case "s": return (.property(.space, negated: false), nil)
            case "S": return (.property(.space, negated: true), nil)
            default:
                guard !character.isLetter, !character.isNumber else {
                    throw failure(
                        "\\\(character) is not supported; escapes are \\d \\w \\s \\D \\W \\S and \\ before punctuation (\\. \\$ \\\\)")
                }
                return (.scalar(scalar), scalar)
            }
        }

        /// A bracketed class; `position` is just past its `[`.
        mutating func characterSet(start: Int) throws -> CharacterSet {
            var set = CharacterSet()
            if next == "^" {
                set.negated = true
                position += 1
            }
            let first = position
            while true {
                guard let character = next else { throw failure("the \"[\" at character \(start + 1) is not closed") }
                if character == "]" {
                    guard position > first else { throw failure("empty class at character \(start + 1) (write \\] for a bracket)") }
                    position += 1
                    return set
                }
                // One member: a character (maybe the start of a range) or a class escape.
                let memberStart = position
                let low: UInt32
                switch character {
                case "[": throw failure("\"[\" inside a class at character \(position + 1): nested classes and [:name:] are not supported; write \\[")
                case "\\":
                    position += 1
                    let (node, scalar) = try escape(inClass: true)
                    guard let scalar else {
                        if case let .property(property, negated) = node { set.insert(property, negated: negated) }
                        if next == "-", position + 1 < characters.count, characters[position + 1] != "]" {
                            throw failure("a range at character \(memberStart + 1) must go from one character to another")
                        }
                        continue
                    }
                    low = scalar
                default:
                    if position + 1 < characters.count, "&~-".contains(character), characters[position + 1] == character {
                        throw failure(
                            "\(TerminalText.quoted(String(repeating: character, count: 2))) inside a class at character \(position + 1): class set operations are not supported; escape the character")
                    }
                    if character == "-", position > first, position + 1 < characters.count, characters[position + 1] != "]" {
                        throw failure("\"-\" at character \(position + 1) is neither a range nor first or last in its class; write \\-")
                    }
                    position += 1
                    low = character.unicodeScalars.first!.value
                }
                if next == "-", position + 1 < characters.count, characters[position + 1] == "-" {
                    throw failure("\"--\" inside a class at character \(position + 1): class set operations are not supported; escape the character")
                }
                // A range: low-high, unless the "-" is the class's last character.
                guard next == "-", position + 1 < characters.count, characters[position + 1] != "]" else {
                    set.insert(low ... low)
                    continue
                }
                position += 1
                let highCharacter = characters[position]
                let high: UInt32
                if highCharacter == "\\" {
                    position += 1
                    guard let scalar = try escape(inClass: true).scalar else {
                        throw failure("a range at character \(memberStart + 1) must go from one character to another")
                    }
                    high = scalar
                } else {
                    guard highCharacter != "[" else {
                        throw failure("\"[\" inside a class at character \(position + 1): nested classes are not supported; write \\[")
                    }
                    position += 1
                    high = highCharacter.unicodeScalars.first!.value
                }
                guard low <= high else { throw failure("the range at character \(memberStart + 1) runs backwards") }
                if next == "-", position + 1 < characters.count, characters[position + 1] != "]" {
                    throw failure("\"-\" at character \(position + 1) is neither a range nor first or last in its class; write \\-")
                }
                set.insert(low ... high)
            }
        }

        /// `atom` with the repetition that follows it, if any.
        mutating func quantified(_ atom: Node) throws -> Node {
            let start = position
            var (low, high): (Int, Int?)
            switch next {
            case "*": (low, high) = (0, nil); position += 1
            case "+": (low, high) = (1, nil); position += 1
            case "?": (low, high) = (0, 1); position += 1
            case "{":
                guard let close = characters[position...].firstIndex(of: "}") else {
                    throw failure("the \"{\" at character \(position + 1) is not closed (write \\{ for a brace)")
                }
                let inside = String(characters[position + 1 ..< close])
                let parts = inside.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
                func count(_ text: Substring) throws -> Int {
                    guard !text.isEmpty, text.count <= 4, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text),
                          value <= NameRegex.maximumCount else {
                        throw failure(
                            "{\(inside)} at character \(start + 1): write {n}, {n,} or {n,m} with 0 ≤ n ≤ m ≤ \(NameRegex.maximumCount)")
                    }
                    return value
                }
                low = try count(parts[0])
                high = parts.count == 1 ? low : parts[1].isEmpty ? nil : try count(parts[1])
                if let high, high < low { throw failure("{\(inside)} at character \(start + 1) has its bounds reversed") }
                position = close + 1
            default: return atom
            }
            var lazy = false
            if next == "?" {
                lazy = true
                position += 1
            }
            if let following = next, "*+?{".contains(following) {
                throw failure(following == "+"
                    ? "possessive repetition at character \(position + 1) is not supported"
                    : "\(TerminalText.quoted(String(following))) at character \(position + 1) repeats a repetition; put the inner one in a group")
            }
            if high == 0 {
                throw failure("the repetition at character \(start + 1) repeats nothing zero times; leave the part out")
            }
            if NameRegex.matchesEmpty(atom), high.map({ $0 > 1 }) ?? true {
                throw failure(
                    "the part repeated at character \(start + 1) can match nothing, so repeating it adds nothing; write it without the repetition")
            }
            return .repetition(atom, min: low, max: high, lazy: lazy)
        }
    }

    /// Whether `node` can match the empty name.
    private static func matchesEmpty(_ node: Node) -> Bool {
        switch node {
        case .empty: true
        case .scalar, .any, .property, .set: false
        case let .group(inner, _): matchesEmpty(inner)
        case let .sequence(items): items.allSatisfy(matchesEmpty)
        case let .alternation(branches): branches.contains(where: matchesEmpty)
        case let .repetition(inner, low, _, _): low == 0 || matchesEmpty(inner)
        }
    }

    // MARK: Compiling

    /// The fewest and most characters `node` matches (`Int.max`: no bound).
    private static func lengths(_ node: Node) -> (minimum: Int, maximum: Int) {
        func add(_ a: Int, _ b: Int) -> Int { a == .max || b == .max ? .max : a + b }
        func multiply(_ a: Int, _ b: Int) -> Int { a == 0 || b == 0 ? 0 : a == .max || b == .max ? .max : a * b }
        switch node {
        case .empty: return (0, 0)
        case .scalar, .any, .property, .set: return (1, 1)
        case let .group(inner, _): return lengths(inner)
        case let .sequence(items):
            return items.map(lengths).reduce((0, 0)) { (add($0.0, $1.0), add($0.1, $1.1)) }
        case let .alternation(branches):
            let each = branches.map(lengths)
            return (each.map(\.0).min() ?? 0, each.map(\.1).max() ?? 0)
        case let .repetition(inner, low, high, _):
            let (minimum, maximum) = lengths(inner)
            return (multiply(minimum, low), multiply(maximum, high ?? .max))
        }
    }

    /// The scalars of the only text `node` matches, if it matches just one.
    private static func literal(_ node: Node) -> [UInt32]? {
        switch node {
        case .empty: return []
        case let .scalar(value): return [value]
        case .any, .property, .set, .alternation: return nil
        case let .group(inner, _): return literal(inner)
        case let .sequence(items):
            var text: [UInt32] = []
            for item in items {
                guard let part = literal(item) else { return nil }
                text += part
            }
            return text
        case let .repetition(inner, low, high, _):
            guard high == low, let part = literal(inner) else { return nil }
            return Array([[UInt32]](repeating: part, count: low).joined())
        }
    }

    /// The longest run of literal text in `node`'s top-level sequence: every
    /// match contains it.
    private static func infix(_ node: Node) -> [UInt32] {
        switch node {
        case let .group(inner, _): return infix(inner)
        case let .repetition(inner, low, _, _) where low >= 1: return infix(inner)
        case let .sequence(items):
            var longest: [UInt32] = [], run: [UInt32] = []
            for item in items {
                if let part = literal(item) {
                    run += part
                } else {
                    let inner = infix(item)
                    if inner.count > longest.count { longest = inner }
                    run = []
                }
                if run.count > longest.count { longest = run }
            }
            return longest
        default: return literal(node) ?? []
        }
    }

    /// The scalars every text `node` matches starts with (or with `suffix`, ends with).
    private static func affix(_ node: Node, suffix: Bool) -> [UInt32] {
        if let text = literal(node) { return text }
        switch node {
        case let .group(inner, _): return affix(inner, suffix: suffix)
        case let .repetition(inner, low, _, _) where low >= 1: return affix(inner, suffix: suffix)
        case let .sequence(items):
            var text: [UInt32] = []
            for item in suffix ? items.reversed() : items {
                if let part = literal(item) {
                    text += suffix ? part.reversed() : part
                    continue
                }
                let part = affix(item, suffix: suffix)
                text += suffix ? part.reversed() : part
                break
            }
            return suffix ? text.reversed() : text
        default: return []
        }
    }

    /// The instructions `node` compiles to, refused past the limit (counted
    /// with overflow checked: `(a{1000}){1000}` must be an error, not a trap).
    private static func size(of node: Node, text: String) throws -> Int {
        func checked(_ value: (partialValue: Int, overflow: Bool)) throws -> Int {
            guard !value.overflow, value.partialValue < maximumInstructions else {
                throw ModelError("regex \(TerminalText.quoted(text)) compiles to more than \(maximumInstructions) steps; use smaller counts in {n,m}")
            }
            return value.partialValue
        }
        switch node {
        case .empty: return 0
        case .scalar, .any, .property, .set: return 1
        case let .group(inner, capture):
            return try checked(try size(of: inner, text: text).addingReportingOverflow(capture.map { $0 <= keptGroups ? 2 : 0 } ?? 0))
        case let .sequence(items):
            return try items.reduce(0) { try checked($0.addingReportingOverflow(try size(of: $1, text: text))) }
        case let .alternation(branches):
            // A split and a jump around every branch but the last.
            return try branches.reduce(2 * (branches.count - 1)) { try checked($0.addingReportingOverflow(try size(of: $1, text: text))) }
        case let .repetition(inner, low, high, _):
            let body = try size(of: inner, text: text)
            // low copies, then a loop (split, body, jump) or high - low optional copies (split, body).
            let required = try checked(body.multipliedReportingOverflow(by: low))
            let optional = try high.map { try checked((body + 1).multipliedReportingOverflow(by: $0 - low)) } ?? (body + 2)
            return try checked(required.addingReportingOverflow(optional))
        }
    }

    private static func emit(_ node: Node, into program: inout [Instruction]) {
        switch node {
        case .empty: break
        case let .scalar(value): program.append(.scalar(value))
        case .any: program.append(.any)
        case let .property(property, negated): program.append(.property(property, negated: negated))
        case let .set(set): program.append(.set(set))
        case let .group(inner, capture):
            let kept = capture.flatMap { $0 <= keptGroups ? $0 : nil }
            if let kept { program.append(.save(2 * (kept - 1))) }
            emit(inner, into: &program)
            if let kept { program.append(.save(2 * (kept - 1) + 1)) }
        case let .sequence(items):
            for item in items { emit(item, into: &program) }
        case let .alternation(branches):
            // split(b1, next) b1 jump(end) split(b2, next) b2 jump(end) … bn
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index == branches.count - 1 {
                    emit(branch, into: &program)
                } else {
                    let split = program.count
                    program.append(.split(split + 1, -1))
                    emit(branch, into: &program)
                    jumps.append(program.count)
                    program.append(.jump(-1))
                    program[split] = .split(split + 1, program.count)
                }
            }
            for jump in jumps { program[jump] = .jump(program.count) }
        case let .repetition(inner, low, high, lazy):
            for _ in 0 ..< low { emit(inner, into: &program) }
            func split(_ body: Int, _ exit: Int) -> Instruction { lazy ? .split(exit, body) : .split(body, exit) }
            if let high {
                // Each optional copy may be skipped to the end: e{0,3} = split e split e split e.
                var splits: [Int] = []
                for _ in low ..< high {
                    splits.append(program.count)
                    program.append(.jump(-1))
                    emit(inner, into: &program)
                }
                for index in splits { program[index] = split(index + 1, program.count) }
            } else {
                let loop = program.count
                program.append(.jump(-1))
                emit(inner, into: &program)
                program.append(.jump(loop))
                program[loop] = split(loop + 1, program.count)
            }
        }
    }

    // MARK: Matching

    private func consumes(_ instruction: Instruction, _ text: NameText, at index: Int) -> Bool {
        switch instruction {
        case let .scalar(value): return text.scalars[index] == value
        case .any: return text.kinds[index] & 8 == 0
        case let .property(property, negated): return (text.kinds[index] & property.kind != 0) != negated
        case let .set(set): return set.contains(scalar: text.scalars[index], kind: text.kinds[index])
        case .split, .jump, .save, .match: return false
        }
    }

    /// The VM's memory: kept from match to match, so a rule set's matches
    /// allocate only while the largest program and name grow it.
    struct Scratch {
        // Threads in priority order: their instructions and, `slots` apiece, their captures.
        fileprivate var current: (pcs: [Int], captures: [Int]) = ([], [])
        fileprivate var following: (pcs: [Int], captures: [Int]) = ([], [])
        /// Per instruction: the last (stamp + position) whose threads visited it.
        fileprivate var visited: [Int] = []
        /// Added to positions so that marks of an earlier match are never current.
        fileprivate var stamp = 0
        // Capture blocks made while following one thread's splits and saves, and the instructions left to visit.
        fileprivate var blocks: [Int] = []
        fileprivate var stack: [(pc: Int, block: Int)] = []
    }

    /// Whether `name` can match at all, by what every match needs — its
    /// length, its first and last characters, text it contains — without
    /// running the VM; `work` grows by the characters compared in the search.
    private func admits(_ name: NameText, work: inout Int) -> Bool {
        let count = name.scalars.count
        guard count >= required.minimum, count <= required.maximum else { return false }
        for (offset, scalar) in required.prefix.enumerated() where name.scalars[offset] != scalar { return false }
        for (offset, scalar) in required.suffix.enumerated() where name.scalars[count - required.suffix.count + offset] != scalar { return false }
        let infix = required.infix
        guard let first = infix.first, infix.count <= count else { return true }
        var start = 0
        while start + infix.count <= count {
            work += 1
            if name.scalars[start] == first {
                work += infix.count
                if name.scalars[start ..< start + infix.count].elementsEqual(infix) { return true }
            }
            start += 1
        }
        return false
    }

    /// The name and the captures of groups 1 … min(groupCount, 9) if the
    /// whole of `name` matches (a group that took no part is empty).
    func match(_ name: String) -> [String]? {
        var work = 0, scratch = Scratch()
        return match(NameText(name), work: &work, scratch: &scratch)
    }

    /// ``match(_:)``, and how many instructions it visited: at most the
    /// program's size times the name's length in characters plus one.
    func matchCountingWork(_ name: String) -> (captures: [String]?, work: Int, bound: Int) {
        var work = 0, scratch = Scratch()
        let text = NameText(name)
        let captures = match(text, work: &work, scratch: &scratch)
        return (captures, work, program.count * (text.characters.count + 1))
    }

    /// ``match(_:)`` on a decoded name; `work` grows by the instructions
    /// visited (none when the name lacks what every match needs).
    func match(_ name: NameText, work: inout Int, scratch: inout Scratch) -> [String]? {
        guard admits(name, work: &work) else { return nil }
        let slots = self.slots, program = self.program
        let count = name.scalars.count
        if scratch.visited.count < program.count { scratch.visited += [Int](repeating: -1, count: program.count - scratch.visited.count) }
        // A new range of marks for this match, so no mark of an earlier one counts.
        if scratch.stamp > Int.max / 2 {
            scratch.stamp = 0
            for index in scratch.visited.indices { scratch.visited[index] = -1 }
        }
        let stamp = scratch.stamp
        scratch.stamp += count + 1
        var steps = 0
        defer { work += steps }

        /// Adds the threads reached from `start` without consuming, at `position`, to `list`.
        func add(_ start: Int, captures source: ArraySlice<Int>, at position: Int, to list: inout (pcs: [Int], captures: [Int]),
                 scratch: inout Scratch) {
            scratch.blocks.removeAll(keepingCapacity: true)
            scratch.blocks.append(contentsOf: source)
            scratch.stack.append((start, 0))
            let mark = stamp + position
            while let (pc, block) = scratch.stack.popLast() {
                guard scratch.visited[pc] != mark else { continue }
                scratch.visited[pc] = mark
                steps += 1
                switch program[pc] {
                case let .jump(target): scratch.stack.append((target, block))
                case let .split(first, second):
                    scratch.stack.append((second, block))
                    scratch.stack.append((first, block))
                case let .save(slot):
                    // Element by element: appending a slice of the array itself would copy all of it.
                    let copy = scratch.blocks.count
                    for offset in 0 ..< slots { scratch.blocks.append(scratch.blocks[block + offset]) }
                    scratch.blocks[copy + slot] = position
                    scratch.stack.append((pc + 1, copy))
                default:
                    list.pcs.append(pc)
                    for offset in 0 ..< slots { list.captures.append(scratch.blocks[block + offset]) }
                }
            }
        }

        var current = scratch.current, following = scratch.following
        scratch.current = ([], [])
        scratch.following = ([], [])
        defer { (scratch.current, scratch.following) = (current, following) }
        current.pcs.removeAll(keepingCapacity: true)
        current.captures.removeAll(keepingCapacity: true)
        add(0, captures: ArraySlice(repeating: -1, count: slots), at: 0, to: &current, scratch: &scratch)
        for index in 0 ..< count {
            guard !current.pcs.isEmpty else { break }
            following.pcs.removeAll(keepingCapacity: true)
            following.captures.removeAll(keepingCapacity: true)
            for (thread, pc) in current.pcs.enumerated() where consumes(program[pc], name, at: index) {
                add(pc + 1, captures: current.captures[thread * slots ..< (thread + 1) * slots], at: index + 1, to: &following, scratch: &scratch)
            }
            swap(&current, &following)
        }
        // The first thread at the match, in priority order, is the match backtracking finds.
        guard let thread = current.pcs.firstIndex(where: { if case .match = program[$0] { true } else { false } }) else { return nil }
        var captures = [name.text]
        for group in 0 ..< min(groupCount, Self.keptGroups) {
            let (begin, end) = (current.captures[thread * slots + 2 * group], current.captures[thread * slots + 2 * group + 1])
            captures.append(begin >= 0 && end >= begin ? String(name.characters[begin ..< end]) : "")
        }
        return captures
    }
}

/// A tensor name as rules match it, decoded once for all of a set's rules:
/// its characters (grapheme clusters, as Swift's `Character`), and what
/// each is.
struct NameText {
    let text: String
    let characters: [Character]
    /// The character's scalar if it is a single one, else `UInt32.max`.
    let scalars: [UInt32]
    /// Bits: 1 a number, 2 a word character, 4 whitespace, 8 a line break.
    let kinds: [UInt8]

    init(_ text: String) {
        self.text = text
        characters = Array(text)
        var scalars: [UInt32] = [], kinds: [UInt8] = []
        scalars.reserveCapacity(characters.count)
        kinds.reserveCapacity(characters.count)
        for character in characters {
            let unicodeScalars = character.unicodeScalars
            // ASCII answers without Unicode's tables.
            if let first = unicodeScalars.first, first.value < 128, unicodeScalars.count == 1 {
                let value = UInt8(first.value)
                scalars.append(first.value)
                let digit = value >= 0x30 && value <= 0x39
                let letter = (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A
                var kind: UInt8 = digit ? 1 : 0
                if digit || letter || value == 0x5F { kind |= 2 }
                if value == 0x20 || (value >= 0x09 && value <= 0x0D) { kind |= 4 }
                if value >= 0x0A && value <= 0x0D { kind |= 8 }
                kinds.append(kind)
                continue
            }
            scalars.append(unicodeScalars.count == 1 ? unicodeScalars.first!.value : .max)
            var kind: UInt8 = 0
            if character.isNumber { kind |= 1 }
            if character.isLetter || character.isNumber || character == "_" { kind |= 2 }
            if character.isWhitespace { kind |= 4 }
            if character.isNewline { kind |= 8 }
            kinds.append(kind)
        }
        (self.scalars, self.kinds) = (scalars, kinds)
    }
}
