@_spi(Plumbing) import WeightInit

/// A number written as arithmetic over variables, in a rule or spec: `"std":
/// "initializer_range / sqrt(2 * n_layer)"` (GPT-2's residual projections),
/// `"rows": ["pad_token_id", "pad_token_id + 1"]`.
///
/// Grammar: numbers, variable names, `+ - * /`, unary minus, parentheses and
/// `sqrt(…)`, with the usual precedence. A variable is a config's top-level
/// number (or boolean: 1 or 0), a rule set's default or a spec's
/// `"variables"`; an unknown or null variable is an error that names it.
struct RuleExpression {
    private let characters: [Character]
    private var position = 0
    private let variables: [String: RuleValue]
    private let text: String
    /// Parentheses, function calls and unary minuses open around the current point.
    private var depth = 0
    /// Deepest nesting parsed (as JSON's): the parser recurses, and a string
    /// of 100 000 "(" must be an error, not a stack overflow.
    static let maximumDepth = 64

    /// The value of `text`.
    static func evaluate(_ text: String, variables: [String: RuleValue]) throws -> Double {
        var parser = RuleExpression(characters: Array(text), variables: variables, text: text)
        let value = try parser.sum()
        parser.skipSpaces()
        guard parser.position == parser.characters.count else { throw parser.failure("unexpected \"\(parser.characters[parser.position])\"") }
        guard value.isFinite else { throw parser.failure("the value is not finite") }
        return value
    }

    private init(characters: [Character], variables: [String: RuleValue], text: String) {
        (self.characters, self.variables, self.text) = (characters, variables, text)
    }

    private func failure(_ reason: String) -> ModelError {
        ModelError("expression \(TerminalText.quoted(text)): \(reason)")
    }

    private mutating func skipSpaces() {
        while position < characters.count, characters[position] == " " { position += 1 }
    }

    private mutating func next(_ character: Character) -> Bool {
        skipSpaces()
        guard position < characters.count, characters[position] == character else { return false }
        position += 1
        return true
    }

    private mutating func sum() throws -> Double {
        var value = try product()
        while true {
            if next("+") { value += try product() } else if next("-") { value -= try product() } else { return value }
        }
    }

    private mutating func product() throws -> Double {
        var value = try factor()
        while true {
            if next("*") { value *= try factor() } else if next("/") { value /= try factor() } else { return value }
        }
    }

    private mutating func factor() throws -> Double {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
        if next("-") { return -(try factor()) }
        if next("(") {
            let value = try sum()
            guard next(")") else { throw failure("missing \")\"") }
            return value
        }
        skipSpaces()
        let start = position
        guard position < characters.count else { throw failure("ends where a number or variable should be") }
        if characters[position].isNumber || characters[position] == "." {
            while position < characters.count,
                  characters[position].isNumber || ".eE".contains(characters[position])
                    || ("+-".contains(characters[position]) && "eE".contains(characters[position - 1])) {
                position += 1
            }
            let literal = String(characters[start ..< position])
            guard let value = Double(literal) else { throw failure("\(TerminalText.quoted(literal)) is not a number") }
            return value
        }
        while position < characters.count, characters[position].isLetter || characters[position].isNumber || characters[position] == "_" {
            position += 1
        }
        let name = String(characters[start ..< position])
        guard !name.isEmpty else { throw failure("unexpected \"\(characters[position])\"") }
        if next("(") {
            let argument = try sum()
            guard next(")") else { throw failure("missing \")\"") }
            guard name == "sqrt" else { throw failure("unknown function \(name); known: sqrt") }
            return argument.squareRoot()
        }
        switch variables[name] {
        case let .number(value)?: return value
        case let .bool(value)?: return value ? 1 : 0
        case .null?: throw failure("\(name) is null")
        case nil:
            let known = variables.keys.sorted().prefix(12).joined(separator: ", ")
            throw failure("unknown variable \(name) (give it in the config or the spec's \"variables\"; known: \(known)\(variables.count > 12 ? ", …" : ""))")
        }
    }
}
