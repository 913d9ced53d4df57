@_spi(Plumbing) import WeightInit

/// One rule of a rule set: which tensors it applies to, and the spec entry
/// it gives them.
///
/// ```json
/// {"match": "*.bias", "if-exists": {"name": "$1.weight", "rank": 1}, "scheme": "zeros"}
/// {"regex": "(.*)\\.(weight|bias)_(ih|hh)_l([0-9]+)(_reverse)?", "scheme": "uniform-fan-in",
///  "fan-of": "$1.weight_hh_l$4$5"}
/// ```
///
/// Conditions, all of which must hold: `match` (a glob) or `regex`; `rank`
/// (the tensor's number of dimensions, or a list of them); `when` (a
/// variable, or a list: each set and neither null nor false); `if-exists`
/// and `unless-exists` (a tensor name template, or `{"name": …, "rank": …}`,
/// or a list of either: such a tensor is, or is not, in the model). `dtype`
/// is the element type for tensors whose source fixes none (a spec's list).
/// Every other key is the entry's: `scheme` and its parameters (numbers may
/// be expressions over variables), `fan-of`, `parts`, `layout`. `source`
/// cites the code the rule mirrors.
package final class Rule: Sendable {
    /// 1-based position in its set, for messages.
    let number: Int
    let pattern: NamePattern
    let ranks: [Int]?
    let when: [String]
    let ifExists: [Condition]
    let unlessExists: [Condition]
    let dtype: DType?
    /// The entry, templates and expressions unresolved.
    let entry: [(key: String, value: JSONValue)]

    /// A tensor that must (or must not) exist: a name template and, optionally, its rank.
    struct Condition: Sendable {
        let template: String
        let rank: Int?
    }

    /// The keys that select tensors; the rest make the entry.
    static let selectionKeys = ["match", "regex", "rank", "when", "if-exists", "unless-exists", "dtype", "source"]
    /// Entry keys a rule may give besides scheme parameters.
    static let entryKeys = ["scheme", "fan-of", "parts", "layout"]

    init(_ json: JSONValue, number: Int) throws {
        let fields = try SpecFields(json, what: "rule \(number)")
        if let stray = fields.members.first(where: {
            !(Self.selectionKeys + Self.entryKeys).contains($0.key) && SchemeParameter(rawValue: canonicalName($0.key)) == nil
        }) {
            throw ModelError(
                "rule \(number): unknown key \(TerminalText.quoted(stray.key)); known: \((Self.selectionKeys + Self.entryKeys).joined(separator: ", ")) and scheme parameters")
        }
        self.number = number
        switch (fields["match"], fields["regex"]) {
        case let (.string(glob)?, nil): pattern = try NamePattern(glob: glob)
        case let (nil, .string(regex)?): pattern = try NamePattern(regex: regex)
        default: throw ModelError("rule \(number): give \"match\" (a glob) or \"regex\", a string, not both")
        }
        switch fields["rank"] {
        case nil: ranks = nil
        case let .array(items)?: ranks = try items.map { try Self.rank($0, number) }
        case let value?: ranks = [try Self.rank(value, number)]
        }
        when = try Self.strings(fields["when"], what: "rule \(number): \"when\"")
        ifExists = try Self.conditions(fields["if-exists"], what: "rule \(number): \"if-exists\"")
        unlessExists = try Self.conditions(fields["unless-exists"], what: "rule \(number): \"unless-exists\"")
        dtype = try fields.dtype()
        guard case .string? = fields["scheme"] else { throw ModelError("rule \(number): \"scheme\" must be a string") }
        entry = fields.members.filter { !Self.selectionKeys.contains($0.key) }
    }

    private static func rank(_ value: JSONValue, _ number: Int) throws -> Int {
        guard let rank = value.integerValue, rank >= 0 else {
            throw ModelError("rule \(number): \"rank\" must be an integer ≥ 0 or a list of them")
        }
        return rank
    }

    static func strings(_ value: JSONValue?, what: String) throws -> [String] {
        switch value {
        case nil: return []
        case let .string(text)?: return [text]
        case let .array(items)?:
            return try items.map {
                guard case let .string(text) = $0 else { throw ModelError("\(what) must be a string or a list of strings") }
                return text
            }
        default: throw ModelError("\(what) must be a string or a list of strings")
        }
    }

    private static func conditions(_ value: JSONValue?, what: String) throws -> [Condition] {
        func condition(_ item: JSONValue) throws -> Condition {
            switch item {
            case let .string(template): return Condition(template: template, rank: nil)
            case .object:
                let fields = try SpecFields(item, what: what)
                try fields.allow(["name", "rank"])
                guard case let .string(template)? = fields["name"] else { throw ModelError("\(what): \"name\" must be a string") }
                let rank = try fields["rank"].map { value -> Int in
                    guard let rank = value.integerValue, rank >= 0 else { throw ModelError("\(what): \"rank\" must be an integer ≥ 0") }
                    return rank
                }
                return Condition(template: template, rank: rank)
            default:
                throw ModelError("\(what) must be a name, {\"name\": …, \"rank\": …}, or a list of them")
            }
        }
        switch value {
        case nil: return []
        case let .array(items)?: return try items.map(condition)
        case let value?: return [try condition(value)]
        }
    }

    /// The captures of `tensor`'s name (`name`, decoded) if this rule
    /// applies to it in a model whose tensors have the ranks `ranks` (by
    /// name), with `variables`; `matching` counts the work.
    func captures(for tensor: ModelManifest.Tensor, name: NameText, ranks modelRanks: [String: Int], variables: [String: RuleValue],
                  matching: inout RuleSet.Matching) throws -> [String]? {
        if let ranks, !ranks.contains(tensor.shape.count) { return nil }
        guard let captures = pattern.match(name, work: &matching.work, scratch: &matching.scratch) else { return nil }
        guard when.allSatisfy({ variables[$0]?.isSet ?? false }) else { return nil }
        func holds(_ condition: Condition) throws -> Bool {
            let name = try NamePattern.substitute(condition.template, captures)
            matching.work += 1 + name.utf8.count
            guard let rank = modelRanks[name] else { return false }
            return condition.rank.map { $0 == rank } ?? true
        }
        for condition in ifExists where !(try holds(condition)) { return nil }
        for condition in unlessExists where try holds(condition) { return nil }
        return captures
    }

    /// The entry for a tensor whose name gave `captures`: `fan-of`
    /// templates filled in, at the top and in parts.
    func entry(captures: [String]) throws -> [(key: String, value: JSONValue)] {
        func fill(_ members: [(key: String, value: JSONValue)]) throws -> [(key: String, value: JSONValue)] {
            try members.map { key, value in
                switch (key, value) {
                case let ("fan-of", .string(template)): return (key, .string(try NamePattern.substitute(template, captures)))
                case let ("parts", .array(parts)):
                    return (key, .array(try parts.map { part in
                        guard case let .object(members) = part else { return part }
                        return .object(try fill(members))
                    }))
                default: return (key, value)
                }
            }
        }
        return try fill(entry)
    }
}
