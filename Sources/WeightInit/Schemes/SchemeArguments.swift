/// The parameters of one run, after defaults, read through typed accessors
/// that turn values outside the domain into one-line errors.
package struct SchemeArguments {
    /// The scheme's table name (for messages).
    let scheme: String
    package let values: [SchemeParameter: ParameterValue]
    /// Parameters given on the command line (not defaulted).
    let given: Set<SchemeParameter>

    func isGiven(_ parameter: SchemeParameter) -> Bool { given.contains(parameter) }

    /// A number the row declares with a default or as required.
    func number(_ parameter: SchemeParameter) -> Double { optionalNumber(parameter)! }

    func optionalNumber(_ parameter: SchemeParameter) -> Double? {
        guard case let .number(value)? = values[parameter] else { return nil }
        return value
    }

    func integer(_ parameter: SchemeParameter) -> Int {
        guard case let .integer(value)? = values[parameter] else { preconditionFailure("\(parameter) is not an integer") }
        return value
    }

    func flag(_ parameter: SchemeParameter) -> Bool { values[parameter] == .on }

    /// Whether `--fan-in` or `--fan-out` replaces the shape's fans.
    var hasExplicitFans: Bool { values[.fanIn] != nil || values[.fanOut] != nil }

    /// `--fan-in` or `--fan-out`, checked ≥ 1; nil when not given.
    func fan(_ parameter: SchemeParameter) throws -> Int? {
        guard case let .integer(value)? = values[parameter] else { return nil }
        guard value >= 1 else {
            throw WeightInitError.invalidParameter(parameter.rawValue, value: "\(value)", reason: "must be ≥ 1")
        }
        return value
    }

    /// The name given for a `.choice` parameter, checked against its choices.
    func choice(_ parameter: SchemeParameter) throws -> String {
        guard case let .text(given)? = values[parameter], case let .choice(names) = parameter.kind else {
            preconditionFailure("\(parameter) is not a choice")
        }
        let name = canonicalName(given)
        guard names.contains(name) else {
            throw WeightInitError.invalidScheme(
                scheme: scheme, reason: "unknown \(parameter.option) '\(TerminalText.escaped(given, limit: TerminalText.valueLimit))'; known: \(names.joined(separator: ", "))")
        }
        return name
    }

    func fanMode() throws -> FanMode { FanMode(rawValue: try choice(.mode))! }

    func distribution() throws -> VarianceDistribution { VarianceDistribution(rawValue: try choice(.distribution))! }

    func orthogonalMethod() throws -> OrthogonalMethod { OrthogonalMethod(rawValue: try choice(.method))! }

    /// `--nonlinearity` (any spelling `Nonlinearity(name:)` accepts) with
    /// `--negative-slope`, which only leaky-relu has.
    func nonlinearity() throws -> Nonlinearity {
        guard case let .text(name)? = values[.nonlinearity] else { preconditionFailure("no --nonlinearity") }
        let slope = optionalNumber(.negativeSlope)
        guard let nonlinearity = Nonlinearity(name: name, negativeSlope: slope) else {
            throw WeightInitError.invalidScheme(
                scheme: scheme, reason: "unknown --nonlinearity '\(TerminalText.escaped(name, limit: TerminalText.valueLimit))'; known: \(Nonlinearity.allCases.map(\.name).joined(separator: ", "))")
        }
        if slope != nil {
            guard case .leakyRelu = nonlinearity else {
                throw WeightInitError.invalidScheme(
                    scheme: scheme, reason: "--negative-slope applies only to --nonlinearity leaky-relu, not \(TerminalText.escaped(name, limit: TerminalText.valueLimit))")
            }
        }
        return nonlinearity
    }
}
