import WeightInit

/// A numeric scheme parameter, given on the command line as `--<name>`.
enum SchemeParameter: String, CaseIterable, Sendable {
    case gain, mean, std, low, high, value
}

/// The parameters of one run, after defaults: `arguments[.gain]`.
struct SchemeArguments {
    let values: [SchemeParameter: Double]

    subscript(_ parameter: SchemeParameter) -> Double { values[parameter]! }

    /// `parameter`, checked finite and ≥ 0 (gains, which scale every value).
    func nonNegative(_ parameter: SchemeParameter) throws -> Double {
        let value = self[parameter]
        guard value.isFinite, value >= 0 else {
            throw WeightInitError.invalidParameter(parameter.rawValue, value: "\(value)", reason: "must be finite and ≥ 0")
        }
        return value
    }
}

/// One row of the scheme table: everything the CLI knows about a scheme.
/// Adding a scheme to the CLI means adding one entry to ``SchemeEntry/all``.
struct SchemeEntry: Sendable {
    /// The name given as `weightinit generate <name>`.
    let name: String
    /// One line for `--help`.
    let summary: String
    /// The parameters the scheme takes, each with its default (`nil`: required).
    let parameters: [(SchemeParameter, default: Double?)]
    /// Fewest dimensions the shape may have.
    let minimumRank: Int
    /// The initializer for checked arguments; throws for values outside the domain.
    let make: @Sendable (SchemeArguments) throws -> Initializer

    init(
        _ name: String, _ summary: String, parameters: [(SchemeParameter, default: Double?)] = [],
        minimumRank: Int = 1, make: @escaping @Sendable (SchemeArguments) throws -> Initializer
    ) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.minimumRank = minimumRank
        self.make = make
    }

    static let all: [SchemeEntry] = [
        SchemeEntry(
            "orthogonal", "gain × Haar-random orthogonal rows or columns (≥ 2-D)",
            parameters: [(.gain, default: 1)], minimumRank: 2
        ) { .orthogonal(gain: try $0.nonNegative(.gain)) },
        SchemeEntry("zeros", "every value 0") { _ in .zeros },
        SchemeEntry("ones", "every value 1") { _ in .ones },
        SchemeEntry("constant", "every value --value", parameters: [(.value, default: nil)]) { .constant($0[.value]) },
        SchemeEntry(
            "uniform", "U[low, high)", parameters: [(.low, default: 0), (.high, default: 1)]
        ) { .uniform(low: $0[.low], high: $0[.high]) },
        SchemeEntry(
            "normal", "N(mean, std²)", parameters: [(.mean, default: 0), (.std, default: 1)]
        ) { .normal(mean: $0[.mean], std: $0[.std]) },
    ]

    static func named(_ name: String) throws -> SchemeEntry {
        guard let entry = all.first(where: { $0.name == name }) else {
            throw CommandLineError.usage(
                "unknown scheme '\(name)'; known schemes: \(all.map(\.name).joined(separator: ", "))")
        }
        return entry
    }

    /// The initializer for the options the user gave: rejects parameters this
    /// scheme does not take and missing required ones, fills in defaults.
    func initializer(given: [SchemeParameter: Double], shape: [Int]) throws -> Initializer {
        let accepted = Set(parameters.map(\.0))
        if let stray = SchemeParameter.allCases.first(where: { given[$0] != nil && !accepted.contains($0) }) {
            let takes = parameters.isEmpty
                ? "it takes no parameters"
                : "it takes \(parameters.map { "--\($0.0.rawValue)" }.joined(separator: ", "))"
            throw CommandLineError.usage("--\(stray.rawValue) does not apply to \(name); \(takes)")
        }
        var values: [SchemeParameter: Double] = [:]
        for (parameter, defaultValue) in parameters {
            guard let value = given[parameter] ?? defaultValue else {
                throw CommandLineError.usage("\(name) needs --\(parameter.rawValue)")
            }
            values[parameter] = value
        }
        guard shape.count >= minimumRank else {
            throw WeightInitError.invalidShape(shape, reason: "\(name) needs at least \(minimumRank) dimensions")
        }
        return try make(SchemeArguments(values: values))
    }

    /// The scheme list shown by `weightinit generate --help`.
    static var helpText: String {
        let width = all.map(\.name.count).max() ?? 0
        return all.map { entry in
            let padded = entry.name + String(repeating: " ", count: width - entry.name.count)
            let parameters = entry.parameters.map { parameter, defaultValue in
                "--\(parameter.rawValue) " + (defaultValue.map { "\($0)" } ?? "(required)")
            }
            let suffix = parameters.isEmpty ? "" : " [\(parameters.joined(separator: ", "))]"
            return "  \(padded)  \(entry.summary)\(suffix)"
        }.joined(separator: "\n")
    }
}
