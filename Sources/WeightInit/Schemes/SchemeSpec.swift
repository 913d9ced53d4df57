import ArgumentParser
@_spi(Plumbing) import WeightInit

/// A scheme with its parameters in one argument, as `propagate --scheme` takes
/// them: `"normal --std 0.01"`, `"kaiming-normal --nonlinearity relu"` —
/// and as the C ABI's `weightinit_scheme_parse` does.
///
/// The words after the name are parsed by the same ``SchemeOptions`` as
/// `generate`'s options and go through the same scheme table, so a scheme
/// means exactly what it means to `generate`.
package struct SchemeSpec {
    /// The text as given, whitespace collapsed (used as the scheme's label).
    let label: String
    package let entry: SchemeEntry
    /// The parameters given, as the scheme table expects them.
    let given: [SchemeParameter: ParameterValue]

    /// Parses `text`; `what` names it in error messages ("invalid --scheme 'normal --foo': …").
    package init(parsing text: String, what: String = "--scheme") throws {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        label = words.joined(separator: " ")
        guard let name = words.first, !name.hasPrefix("-") else {
            throw CommandLineError.usage("invalid \(what) '\(text)': start with a scheme name, e.g. \"normal --std 0.01\"")
        }
        entry = try SchemeEntry.named(name)
        do {
            given = try SchemeOptions.parse(Array(words.dropFirst())).given
        } catch {
            // ArgumentParser's message; its first line says what was wrong.
            let message = SchemeOptions.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init)
            throw CommandLineError.usage("invalid \(what) '\(label)': \(message ?? "\(error)")")
        }
    }

    /// The initializer for a weight of `shape`, through the scheme table.
    func initializer(shape: [Int]) throws -> Initializer {
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
