@_spi(Plumbing) import WeightInit

/// A variable rules and expressions read: a config's top-level number,
/// boolean or null (`initializer_range`, `tie_word_embeddings`,
/// `pad_token_id`), a rule set's default, or a spec's `"variables"`.
public enum RuleValue: Sendable, Equatable {
    case number(Double)
    /// In an expression, 1 or 0.
    case bool(Bool)
    /// Set but empty: a `"when"` on it does not hold, an expression that reads it fails.
    case null

    /// The variable a JSON value gives, if it is a number, boolean or null.
    package init?(_ json: JSONValue) {
        switch json {
        case let .bool(value): self = .bool(value)
        case .null: self = .null
        case .number:
            guard let value = json.doubleValue else { return nil }
            self = .number(value)
        default: return nil
        }
    }

    /// Whether `"when": name` holds: set, and neither null nor false (so a
    /// `pad_token_id` of 0 counts as set).
    package var isSet: Bool {
        switch self {
        case .null, .bool(false): false
        case .number, .bool(true): true
        }
    }

    /// The variables of a JSON object's text — a config's, or any object of
    /// fields: its top-level numbers, booleans and nulls, as a config gives
    /// them to rules (members of other kinds, strings and lists, are not
    /// variables and are left out). Throws a ``ModelError`` for text that is
    /// not a JSON object.
    ///
    /// ```swift
    /// let variables = try RuleValue.variables(json: Array(#"{"initializer_range": 0.01, "model_type": "mistral"}"#.utf8))
    /// // ["initializer_range": .number(0.01)]
    /// ```
    public static func variables(json: [UInt8]) throws -> [String: RuleValue] {
        guard case let .object(members)? = try? JSONParser.parse(json) else {
            throw ModelError("variables are a JSON object of numbers, booleans and nulls")
        }
        var variables: [String: RuleValue] = [:]
        for (key, value) in members {
            if let value = RuleValue(value) { variables[key] = value }
        }
        return variables
    }

    /// What a JSON value that is no variable is, for messages: its kind, or
    /// for a number past the largest finite double, the number as written.
    package static func unusable(_ json: JSONValue) -> String {
        guard case let .number(text) = json else { return json.kindDescription }
        return "\(TerminalText.escaped(text, limit: TerminalText.valueLimit)), which is past the largest finite number (±1.8e308)"
    }

    /// `variables` read from a JSON object's members (other kinds of value are refused).
    package static func parse(_ json: JSONValue, what: String) throws -> [String: RuleValue] {
        guard case let .object(members) = json else {
            throw ModelError("\(what) must be an object of numbers, booleans or nulls")
        }
        var variables: [String: RuleValue] = [:]
        for (key, value) in members {
            guard let variable = RuleValue(value) else {
                throw ModelError("\(what): \(TerminalText.quoted(key)) must be a number, a boolean or null, not \(unusable(value))")
            }
            variables[key] = variable
        }
        return variables
    }
}
