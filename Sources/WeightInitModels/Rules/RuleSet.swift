@_spi(Plumbing) import WeightInit

/// Ordered rules from tensor names to scheme entries: the first rule that
/// applies to a tensor gives its scheme. `--rules NAME|FILE`, or a spec's
/// `"rules"` (a name, a file, or the object inline).
///
/// ```json
/// {"description": "…",
///  "variables": {"std": 0.02},
///  "rules": [
///    {"match": "*.bias", "scheme": "zeros"},
///    {"match": "*norm*.weight", "scheme": "ones"},
///    {"match": "*.weight", "rank": 2, "scheme": "kaiming-normal", "nonlinearity": "relu"}
///  ]}
/// ```
///
/// `variables` are defaults, which a config's fields and a spec's
/// `"variables"` override. Built-in sets (``BuiltinRuleSets``) are files of
/// this format; `weightinit rules NAME` prints one to copy and edit.
package struct RuleSet {
    /// A built-in set's name, or the file the set came from.
    package let name: String
    package let variables: [String: RuleValue]
    package let rules: [Rule]

    /// Largest rules file read.
    static let maximumSize = 16 << 20

    init(_ json: JSONValue, name: String) throws {
        do {
            let fields = try Fields(json, what: "the rule set")
            try fields.allow(["name", "description", "source", "variables", "rules"])
            variables = try fields["variables"].map { try RuleValue.parse($0, what: "\"variables\"") } ?? [:]
            guard case let .array(items)? = fields["rules"], !items.isEmpty else {
                throw ModelError("\"rules\" must be a non-empty array of rule objects")
            }
            rules = try items.enumerated().map { try Rule($1, number: $0 + 1) }
        } catch let error as ModelError {
            throw ModelError("invalid --rules '\(TerminalText.escaped(name, limit: 512))': \(error.description)")
        }
        self.name = name
    }

    /// A built-in set by name, or the rules file at `path` (relative to
    /// `directory` unless absolute).
    package static func load(_ nameOrPath: String, relativeTo directory: String = "") throws -> RuleSet {
        if let text = BuiltinRuleSets.text(nameOrPath) {
            return try RuleSet(try JSONParser.parse(Array(text.utf8)), name: nameOrPath)
        }
        guard nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") else {
            throw ModelError(
                "unknown rule set '\(TerminalText.escaped(nameOrPath, limit: 256))'; built-in: \(BuiltinRuleSets.names.joined(separator: ", ")), or a .json file")
        }
        let path = nameOrPath.hasPrefix("/") ? nameOrPath : directory + nameOrPath
        let json: JSONValue
        do {
            json = try JSONParser.parse(try TensorFile.readWholeFile(path, maximumSize: maximumSize))
        } catch let failure as JSONParser.Failure {
            throw ModelError("invalid --rules '\(TerminalText.escaped(path, limit: 512))': not valid JSON: \(failure.reason)")
        }
        return try RuleSet(json, name: path)
    }

    /// The first rule that applies to `tensor`, with its captures.
    func rule(for tensor: LayoutTensor, ranks: [String: Int], variables: [String: RuleValue]) throws -> (Rule, [String])? {
        for rule in rules {
            do {
                if let captures = try rule.captures(for: tensor, ranks: ranks, variables: variables) { return (rule, captures) }
            } catch let error as ModelError {
                throw ModelError("rules \(name), rule \(rule.number): \(error.description)")
            }
        }
        return nil
    }
}
