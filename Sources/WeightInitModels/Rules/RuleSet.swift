@_spi(Plumbing) import WeightInit

/// Ordered rules from tensor names to schemes: the first rule that applies
/// to a tensor gives its scheme and parameters. A built-in set
/// (``builtinNames``: `torch-defaults`, `hf-llama`, `hf-gpt2`, `hf-bert`,
/// `torchvision-resnet`, each reproducing a reference initialisation and
/// citing the code it mirrors) or a rules file of the same format:
///
/// ```json
/// {"description": "…",
///  "variables": {"std": 0.02},
///  "rules": [
///    {"match": "*.bias", "scheme": "zeros"},
///    {"match": "*norm*.weight", "scheme": "ones"},
///    {"match": "*.weight", "rank": 2, "scheme": "normal", "std": "std"}
///  ]}
/// ```
///
/// ```swift
/// let rules = try RuleSet(named: "hf-llama")
/// let custom = try RuleSet(json: Array(text.utf8), name: "my-rules.json")
/// ```
///
/// `variables` are defaults, which a config's fields and the plan's own
/// variables override. The README's "Rules files" section is the reference.
///
/// A set holds at most ``maximumRules`` rules, and planning bounds its work
/// (``maximumPairs`` rules × tensors, ``maximumWork`` steps of matching):
/// past a limit it is a ``ModelError`` about the set, not hours of work.
public struct RuleSet: Sendable {
    /// A built-in set's name, or the file (or name) the set came from.
    public let name: String
    /// The set's default variables.
    public let variables: [String: RuleValue]
    package let rules: [Rule]

    /// Largest rules file read.
    static let maximumSize = 16 << 20
    /// Most rules a set holds.
    public static let maximumRules = 10_000
    /// Most steps one plan's matching of tensor names against rules may
    /// take (a rule tried, a character compared, a regex instruction
    /// visited, a byte of an `if-exists` name): planning a model ends in
    /// seconds whatever the rules and names, or with a ``ModelError``.
    public static let maximumWork = 1 << 27
    /// Most (rule, tensor) pairs one plan may try: rules × tensors, counted
    /// before matching.
    public static let maximumPairs = 1 << 24

    /// The names of the built-in sets.
    public static var builtinNames: [String] { BuiltinRuleSets.names }

    /// A built-in set by name (``builtinNames``).
    public init(named name: String) throws {
        guard let text = BuiltinRuleSets.text(name) else {
            throw ModelError(
                key: name,
                "unknown rule set '\(TerminalText.escaped(name, limit: 256))'; built-in: \(BuiltinRuleSets.names.joined(separator: ", ")), or a .json file")
        }
        try self.init(json: Array(text.utf8), name: name)
    }

    /// The rules file whose JSON text is `json`; `name` names it in messages.
    public init(json: [UInt8], name: String) throws {
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(json)
        } catch {  // typed throws: error is a JSONParser.Failure
            throw ModelError(source: .rules(name), "not valid JSON: \(error.reason)")
        }
        try self.init(parsed, name: name)
    }

    /// The rules file at `path` (a regular file of at most 16 MiB; a file
    /// that cannot be read is the engine's `WeightInitError`).
    public init(contentsOfFile path: String) throws {
        try self.init(json: try TensorFile.readWholeFile(path, maximumSize: Self.maximumSize), name: path)
    }

    /// A parsed rules object (a spec's inline `"rules"`).
    init(_ json: JSONValue, name: String) throws {
        do {
            let fields = try SpecFields(json, what: "the rule set")
            try fields.allow(["name", "description", "source", "variables", "rules"])
            variables = try fields["variables"].map { try RuleValue.parse($0, what: "\"variables\"") } ?? [:]
            guard case let .array(items)? = fields["rules"], !items.isEmpty else {
                throw ModelError("\"rules\" must be a non-empty array of rule objects")
            }
            guard items.count <= Self.maximumRules else {
                throw ModelError("\(items.count) rules, more than the \(Self.maximumRules) a rule set may hold")
            }
            rules = try items.enumerated().map { try Rule($1, number: $0 + 1) }
        } catch let error as ModelError {
            throw error.located(in: .rules(name))
        }
        self.name = name
    }

    /// A built-in set by name, or the rules file at `nameOrPath` (relative
    /// to `directory` unless absolute): what `--rules` and a spec's
    /// `"rules"` take.
    package static func load(_ nameOrPath: String, relativeTo directory: String = "") throws -> RuleSet {
        if BuiltinRuleSets.text(nameOrPath) != nil { return try RuleSet(named: nameOrPath) }
        guard nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") else { return try RuleSet(named: nameOrPath) }
        return try RuleSet(contentsOfFile: nameOrPath.hasPrefix("/") ? nameOrPath : directory + nameOrPath)
    }

    /// The work one plan's matching has done, and the VM's memory it reuses.
    struct Matching {
        /// Steps so far: a rule tried, a character compared, a regex
        /// instruction visited, a byte of a condition's name.
        var work = 0
        var scratch = NameRegex.Scratch()
        /// ``maximumWork``, smaller in tests.
        var budget = RuleSet.maximumWork
    }

    /// Refuses to match this set's rules against `tensors` tensors when the
    /// (rule, tensor) pairs that could be tried pass ``maximumPairs`` —
    /// before any work.
    func checkPairs(tensors: Int) throws {
        guard tensors.multipliedReportingOverflow(by: rules.count).partialValue <= Self.maximumPairs else {
            throw ModelError(
                source: .rules(name),
                "\(rules.count) rules against \(tensors) tensors: more than the \(Self.maximumPairs) (rule, tensor) pairs a plan may try, so that planning ends in seconds; use fewer rules, or give the tensors their schemes in a spec")
        }
    }

    /// The first rule that applies to `tensor`, with its captures; refused
    /// once the plan's matching passes ``maximumWork`` steps.
    func rule(for tensor: ModelManifest.Tensor, ranks: [String: Int], variables: [String: RuleValue],
              matching: inout Matching) throws -> (Rule, [String])? {
        let text = NameText(tensor.name)
        for rule in rules {
            do {
                if let captures = try rule.captures(for: tensor, name: text, ranks: ranks, variables: variables, matching: &matching) {
                    return (rule, captures)
                }
            } catch let error as ModelError {
                throw error.located(in: nil, context: "rules \(name), rule \(rule.number)")
            }
            guard matching.work <= matching.budget else {
                throw ModelError(
                    source: .rules(name),
                    "matching its \(rules.count) rules against the model's \(ranks.count) tensors takes more than \(matching.budget) steps (the limit, so that planning ends in seconds); use fewer rules, or globs and regexes that start or end with literal text")
            }
        }
        return nil
    }
}
