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

    /// `variables` read from a JSON object's members (other kinds of value are refused).
    package static func parse(_ json: JSONValue, what: String) throws -> [String: RuleValue] {
        guard case let .object(members) = json else {
            throw ModelError("\(what) must be an object of numbers, booleans or nulls")
        }
        var variables: [String: RuleValue] = [:]
        for (key, value) in members {
            guard let variable = RuleValue(value) else {
                throw ModelError("\(what): \(TerminalText.quoted(key)) must be a number, a boolean or null, not \(value.kindDescription)")
            }
            variables[key] = variable
        }
        return variables
    }
}
