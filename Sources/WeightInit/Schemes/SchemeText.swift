/// A scheme with its parameters as text, the way every front end writes it:
/// `"normal --std 0.01"`, `"kaiming-uniform --mode fan-out --nonlinearity
/// leaky_relu --negative-slope 0.2"` — `propagate --scheme`, the C ABI's
/// `weightinit_scheme_parse` (and through it Python), and, word by word,
/// `weightinit generate <scheme> --option value …`.
///
/// The name is a row of the scheme table (``SchemeEntry``); each option is
/// `--name value` or `--name=value` (a flag, `--truncated`, takes no value),
/// named as the table's parameters. A value is the next word whatever it
/// looks like (`--low -2`), unless it starts with `--`. Numbers are decimal
/// (`0.02`, `2e-2`, `inf`), as Python's `float()` reads them: `0x10` is
/// refused, though Swift would read it as 16. An option given
/// twice is refused rather than one of its values silently dropped. Parsing
/// takes time linear in the text, and every parameter that does not depend
/// on the shape is checked here (``Initializer/validate()``).
package struct SchemeText: Sendable {
    /// The text as given, whitespace collapsed (used as the scheme's label).
    package let label: String
    package let entry: SchemeEntry
    /// The parameters given, as the scheme table expects them.
    package let given: [SchemeParameter: ParameterValue]

    /// Parses `text`; `what` names it in error messages ("invalid --scheme 'normal --foo': …").
    package init(parsing text: String, what: String = "scheme") throws {
        try self.init(words: text.split(whereSeparator: \.isWhitespace).map(String.init), what: what)
    }

    /// Parses the scheme's name and its options as separate words (a command line's).
    package init(words: [String], what: String = "scheme") throws {
        label = words.joined(separator: " ")
        let shown = TerminalText.escaped(label, limit: 256)
        guard let name = words.first, !name.hasPrefix("-") else {
            throw WeightInitError.invalidScheme(
                scheme: "", reason: "invalid \(what) '\(shown)': start with a scheme name, e.g. \"normal --std 0.01\"")
        }
        entry = try SchemeEntry.named(name)
        do {
            given = try Self.parameters(words.dropFirst(), of: entry)
        } catch let WeightInitError.invalidScheme(scheme, reason) {
            throw WeightInitError.invalidScheme(scheme: scheme, reason: "invalid \(what) '\(shown)': \(reason)")
        }
        // The table's checks: options this scheme takes, required ones, and
        // every value that does not depend on the shape.
        _ = try initializer()
    }

    /// The options `words` give (`--name value`, `--name=value`, a flag
    /// alone), typed by each parameter's kind, in one pass. Whether `entry`
    /// takes them is the table's to say (``SchemeEntry/arguments(given:)``).
    package static func parameters(
        _ words: ArraySlice<String>, of entry: SchemeEntry
    ) throws -> [SchemeParameter: ParameterValue] {
        func refuse(_ reason: String) -> WeightInitError { .invalidScheme(scheme: entry.name, reason: reason) }
        func shown(_ word: String) -> String { TerminalText.escaped(word, limit: TerminalText.valueLimit) }
        var given: [SchemeParameter: ParameterValue] = [:]
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else {
                throw refuse("unexpected '\(shown(word))': give options as --name value")
            }
            let option = word.dropFirst(2)
            let (name, attached) = option.firstIndex(of: "=").map { (option[..<$0], Optional(String(option[option.index(after: $0)...]))) }
                ?? (option, nil)
            guard let parameter = SchemeParameter(rawValue: String(name)) else {
                let takes = entry.parameters.isEmpty ? "it takes no options" : "it takes \(entry.parameters.map(\.0.option).joined(separator: ", "))"
                throw refuse("unknown option '--\(shown(String(name)))' for \(entry.name); \(takes)")
            }
            guard given[parameter] == nil else { throw refuse("\(parameter.option) is given twice; give it once") }
            if parameter.kind == .flag {
                guard attached == nil else { throw refuse("\(parameter.option) is a flag and takes no value") }
                given[parameter] = .on
                continue
            }
            let value: String
            if let attached {
                value = attached
            } else {
                guard index < words.endIndex, !words[index].hasPrefix("--") else { throw refuse("\(parameter.option) needs a value") }
                value = words[index]
                index += 1
            }
            switch parameter.kind {
            case .number:
                // Swift reads "0x10" as 16, which torch, numpy and Python's float() refuse.
                let digits = value.drop { $0 == "+" || $0 == "-" }
                guard !digits.lowercased().hasPrefix("0x") else {
                    throw refuse("\(parameter.option) takes a decimal number, not '\(shown(value))' (hexadecimal is not accepted)")
                }
                guard let number = Double(value) else { throw refuse("\(parameter.option) takes a number, not '\(shown(value))'") }
                given[parameter] = .number(number)
            case .integer:
                guard let integer = Int(value) else { throw refuse("\(parameter.option) takes an integer, not '\(shown(value))'") }
                given[parameter] = .integer(integer)
            case .choice:
                given[parameter] = .text(value)
            case .flag:
                preconditionFailure("handled above")
            }
        }
        return given
    }

    /// The initializer for a weight of `shape`, through the scheme table.
    package func initializer(shape: [Int]) throws -> Initializer {
        try entry.initializer(given: given, shape: shape)
    }

    /// The initializer before a shape is known; check each shape with
    /// ``SchemeEntry/checkRank(_:)`` of ``rankEntry()`` before filling it.
    package func initializer() throws -> Initializer {
        try entry.initializer(given: given)
    }

    /// The row whose rank rule applies: ``entry``, or with `--fan-in` /
    /// `--fan-out` the fan-free row they resolve to (a 1-D bias is then fine).
    package func rankEntry() throws -> SchemeEntry {
        try entry.rankEntry(given: given)
    }
}
