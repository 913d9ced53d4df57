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
public struct RuleSet: Sendable {
    /// A built-in set's name, or the file (or name) the set came from.
    public let name: String
    /// The set's default variables.
    public let variables: [String: RuleValue]
    package let rules: [Rule]

    /// Largest rules file read.
    static let maximumSize = 16 << 20

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
        } catch let failure as JSONParser.Failure {
            throw ModelError(source: .rules(name), "not valid JSON: \(failure.reason)")
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

    /// The first rule that applies to `tensor`, with its captures.
    func rule(for tensor: ModelManifest.Tensor, ranks: [String: Int], variables: [String: RuleValue]) throws -> (Rule, [String])? {
        for rule in rules {
            do {
                if let captures = try rule.captures(for: tensor, ranks: ranks, variables: variables) { return (rule, captures) }
            } catch let error as ModelError {
                throw error.located(in: nil, context: "rules \(name), rule \(rule.number)")
            }
        }
        return nil
    }
}
