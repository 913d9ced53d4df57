/// One row of the scheme table: a scheme as every front end names it — its
/// name and aliases, its parameters with their defaults, the fewest
/// dimensions it takes, and the ``Initializer`` its parameters make. Adding a
/// scheme means adding one entry to ``SchemeEntry/all``; scheme text
/// (``SchemeText``), model specs and rules, `weightinit generate`'s
/// `--help` and error messages, the C ABI and through it Python all read it.
package struct SchemeEntry: Sendable {
    /// The name given as `weightinit generate <name>` (PyTorch's).
    package let name: String
    /// Other names for the same scheme (Keras').
    package let aliases: [String]
    /// One line for `--help`: formula and source.
    package let summary: String
    /// The parameters the scheme takes, each with what happens when it is not given.
    package let parameters: [(SchemeParameter, ParameterDefault)]
    /// Fewest dimensions the shape may have.
    package let minimumRank: Int
    /// The initializer for the arguments; throws for values outside the domain.
    let make: @Sendable (SchemeArguments) throws -> Initializer

    init(
        _ name: String, aliases: [String] = [], _ summary: String,
        parameters: [(SchemeParameter, ParameterDefault)] = [], minimumRank: Int = 1,
        make: @escaping @Sendable (SchemeArguments) throws -> Initializer
    ) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.parameters = parameters
        self.minimumRank = minimumRank
        self.make = make
    }

    package var names: [String] { [name] + aliases }

    // Parameters shared by several rows.
    private static let fanMode: (SchemeParameter, ParameterDefault) = (.mode, .value(.text(FanMode.fanIn.rawValue)))
    private static let truncated: (SchemeParameter, ParameterDefault) = (.truncated, .absent("off"))
    /// Explicit fans, taken by every scheme that reads fans: then the shape
    /// need not carry them (a 1-D bias, a scalar).
    private static let fans: [(SchemeParameter, ParameterDefault)] = [
        (.fanIn, .absent("from the shape")), (.fanOut, .absent("from the shape")),
    ]
    private static let kaiming: [(SchemeParameter, ParameterDefault)] = [
        fanMode, (.nonlinearity, .value(.text("relu"))), (.negativeSlope, .absent("0.01")),
        (.gain, .absent("recommended for --nonlinearity")),
    ] + fans

    package static let all: [SchemeEntry] = [
        SchemeEntry("zeros", "every value 0") { _ in .zeros },
        SchemeEntry("ones", "every value 1") { _ in .ones },
        SchemeEntry("constant", "every value --value", parameters: [(.value, .required)]) { .constant($0.number(.value)) },
        SchemeEntry(
            "uniform", "U[low, high)", parameters: [(.low, .value(.number(0))), (.high, .value(.number(1)))]
        ) { .uniform(low: $0.number(.low), high: $0.number(.high)) },
        SchemeEntry(
            "uniform-fan-in", "U(±1/√fan_in): PyTorch's default for Linear and Conv weights, and with --fan-in their biases",
            parameters: fans, minimumRank: 2
        ) { _ in .uniformFanIn },
        SchemeEntry(
            "normal", "N(mean, std²)", parameters: [(.mean, .value(.number(0))), (.std, .value(.number(1)))]
        ) { .normal(mean: $0.number(.mean), std: $0.number(.std)) },
        SchemeEntry(
            "truncated-normal", "N(mean, std²) truncated to [low, high]",
            parameters: [
                (.mean, .value(.number(0))), (.std, .value(.number(1))),
                (.low, .absent("mean − 2·std")), (.high, .absent("mean + 2·std")), (.sigmas, .absent("2")),
            ], make: truncatedNormal),
        SchemeEntry(
            "trunc-normal",
            "PyTorch trunc_normal_(mean, std, a, b): N(mean, std²) truncated to the absolute bounds [a, b] (so std 0.02 is effectively untruncated)",
            parameters: [
                (.mean, .value(.number(0))), (.std, .value(.number(1))), (.a, .value(.number(-2))), (.b, .value(.number(2))),
            ]
        ) { .truncatedNormal(mean: $0.number(.mean), std: $0.number(.std), low: $0.number(.a), high: $0.number(.b)) },
        SchemeEntry(
            "xavier-uniform", aliases: ["glorot-uniform"],
            "Glorot & Bengio (2010): U(±gain·√(6/(fan_in + fan_out)))",
            parameters: [(.gain, .value(.number(1)))] + fans, minimumRank: 2
        ) { .xavierUniform(gain: $0.number(.gain)) },
        SchemeEntry(
            "xavier-normal", aliases: ["glorot-normal"],
            "Glorot & Bengio (2010): N(0, σ²), σ = gain·√(2/(fan_in + fan_out)); Keras' glorot_normal is --truncated",
            parameters: [(.gain, .value(.number(1))), truncated] + fans, minimumRank: 2
        ) { .xavierNormal(gain: $0.number(.gain), truncated: $0.flag(.truncated)) },
        SchemeEntry(
            "kaiming-uniform", aliases: ["he-uniform"], "He et al. (2015): U(±gain·√(3/fan))",
            parameters: kaiming, minimumRank: 2
        ) { .kaimingUniform(mode: try $0.fanMode(), nonlinearity: try $0.nonlinearity(), gain: $0.optionalNumber(.gain)) },
        SchemeEntry(
            "kaiming-normal", aliases: ["he-normal"],
            "He et al. (2015): N(0, σ²), σ = gain/√fan; Keras' he_normal is --truncated",
            parameters: kaiming + [truncated], minimumRank: 2
        ) {
            .kaimingNormal(mode: try $0.fanMode(), nonlinearity: try $0.nonlinearity(), gain: $0.optionalNumber(.gain),
                           truncated: $0.flag(.truncated))
        },
        SchemeEntry("lecun-uniform", "LeCun et al. (1998): U(±√(3/fan_in))", parameters: fans, minimumRank: 2) { _ in .lecunUniform },
        SchemeEntry(
            "lecun-normal", "LeCun et al. (1998): N(0, 1/fan_in); Keras' lecun_normal is --truncated",
            parameters: [truncated] + fans, minimumRank: 2
        ) { .lecunNormal(truncated: $0.flag(.truncated)) },
        SchemeEntry(
            "variance-scaling", "Keras VarianceScaling: variance scale/fan",
            parameters: [
                (.scale, .value(.number(1))), fanMode,
                (.distribution, .value(.text(VarianceDistribution.truncatedNormal.rawValue))),
            ] + fans, minimumRank: 2
        ) { .varianceScaling(scale: $0.number(.scale), mode: try $0.fanMode(), distribution: try $0.distribution()) },
        SchemeEntry(
            "orthogonal", "Saxe et al. (2014): gain × Haar-random orthogonal rows or columns",
            parameters: [
                (.gain, .value(.number(1))), (.method, .value(.text(OrthogonalMethod.default.rawValue))),
                (.blocks, .value(.integer(1))),
            ], minimumRank: 2
        ) { .orthogonal(gain: $0.number(.gain), method: try $0.orthogonalMethod(), blocks: $0.integer(.blocks)) },
        SchemeEntry(
            "delta-orthogonal", "Xiao et al. (2018): zero but the kernel centre, gain × orthonormal columns (out ≥ in)",
            parameters: [(.gain, .value(.number(1)))], minimumRank: 3
        ) { .deltaOrthogonal(gain: $0.number(.gain)) },
        SchemeEntry(
            "eye", aliases: ["identity"], "gain × the identity matrix (2-D)", parameters: [(.gain, .value(.number(1)))]
        ) { .eye(gain: $0.number(.gain)) },
        SchemeEntry(
            "dirac", "Dirac delta: a convolution (3-, 4- or 5-D) that passes its input channels through",
            parameters: [(.groups, .value(.integer(1)))]
        ) { .dirac(groups: $0.integer(.groups)) },
        SchemeEntry(
            "sparse", "Martens (2010): N(0, std²) with ⌈sparsity·rows⌉ zeros in every column (2-D)",
            parameters: [(.sparsity, .required), (.std, .value(.number(0.01)))]
        ) { .sparse(sparsity: $0.number(.sparsity), std: $0.number(.std)) },
    ]

    /// `truncated-normal`: absolute bounds (PyTorch `trunc_normal_`) or a
    /// number of standard deviations either side of the mean, not both.
    private static func truncatedNormal(_ arguments: SchemeArguments) throws -> Initializer {
        let (mean, std) = (arguments.number(.mean), arguments.number(.std))
        guard let sigmas = arguments.optionalNumber(.sigmas) else {
            return .truncatedNormal(mean: mean, std: std, low: arguments.optionalNumber(.low),
                                    high: arguments.optionalNumber(.high))
        }
        guard !arguments.isGiven(.low), !arguments.isGiven(.high) else {
            throw WeightInitError.invalidScheme(
                scheme: "truncated-normal", reason: "--sigmas and --low/--high both set the bounds; give one or the other")
        }
        guard sigmas.isFinite, sigmas > 0 else {
            throw WeightInitError.invalidParameter("sigmas", value: "\(sigmas)", reason: "must be finite and > 0")
        }
        return .truncatedNormal(mean: mean, std: std, low: mean - sigmas * std, high: mean + sigmas * std)
    }

    /// Every accepted name, aliases after each scheme's name.
    package static var allNames: [String] { all.flatMap(\.names) }

    package static func named(_ name: String) throws -> SchemeEntry {
        guard let entry = all.first(where: { $0.names.contains(canonicalName(name)) }) else {
            throw WeightInitError.invalidScheme(
                scheme: name,
                reason: "unknown scheme '\(TerminalText.escaped(name, limit: TerminalText.valueLimit))'; known schemes: \(allNames.joined(separator: ", "))")
        }
        return entry
    }

    /// The initializer for the options the user gave: rejects parameters this
    /// scheme does not take and missing required ones, fills in defaults,
    /// and checks the shape's rank.
    package func initializer(given: [SchemeParameter: ParameterValue], shape: [Int]) throws -> Initializer {
        let arguments = try self.arguments(given: given)
        if !arguments.hasExplicitFans { try checkRank(shape) }
        return try initializer(arguments)
    }

    /// The initializer for the options the user gave, before a shape is
    /// known (the C ABI parses a scheme once for many shapes): as
    /// ``initializer(given:shape:)`` without the rank check, which the
    /// caller makes with ``checkRank(_:)`` of ``rankEntry(given:)`` for each shape.
    package func initializer(given: [SchemeParameter: ParameterValue]) throws -> Initializer {
        try initializer(try arguments(given: given))
    }

    /// The row whose rank rule a tensor must pass: this one, or — when
    /// `--fan-in`/`--fan-out` replace the shape's fans — the row of the
    /// fan-free distribution they resolve to (any rank).
    package func rankEntry(given: [SchemeParameter: ParameterValue]) throws -> SchemeEntry {
        guard try arguments(given: given).hasExplicitFans else { return self }
        return try Self.named(Self.arguments(of: try initializer(given: given)).name)
    }

    /// The row's initializer; with explicit fans, resolved to the one
    /// distribution they give (see ``withFans(_:fanIn:fanOut:)``).
    /// Every parameter that does not depend on the shape is checked here, by
    /// ``Initializer/validate()``: text the table turns into an initializer
    /// is refused at once, not at its first fill.
    private func initializer(_ arguments: SchemeArguments) throws -> Initializer {
        let initializer = try make(arguments)
        try initializer.validate()
        guard arguments.hasExplicitFans else { return initializer }
        return try withFans(initializer, fanIn: try arguments.fan(.fanIn), fanOut: try arguments.fan(.fanOut))
    }

    /// `initializer` with its fans fixed to `fanIn` and `fanOut` instead of a
    /// shape's: the distribution it gives a `fanOut × fanIn` weight in torch
    /// layout (whose fans are exactly those), as a fan-free initializer that
    /// samples the same values at every index. A fan that is not given must
    /// not matter: the distribution is computed with it at 1 and at 2, and a
    /// difference means the scheme reads it (xavier reads both fans, kaiming
    /// with `--mode fan-out` reads fan_out).
    private func withFans(_ initializer: Initializer, fanIn: Int?, fanOut: Int?) throws -> Initializer {
        func distribution(_ fanIn: Int, _ fanOut: Int) throws -> Distribution {
            guard let distribution = try initializer.distribution(shape: [fanOut, fanIn], layout: .torch) else {
                preconditionFailure("\(name) takes fans but samples no distribution")
            }
            return distribution
        }
        let resolved = try distribution(fanIn ?? 1, fanOut ?? 1)
        if fanIn == nil, try distribution(2, fanOut ?? 1) != resolved {
            throw WeightInitError.invalidScheme(scheme: name, reason: "\(name) with these parameters reads fan_in: give --fan-in too")
        }
        if fanOut == nil, try distribution(fanIn ?? 1, 2) != resolved {
            throw WeightInitError.invalidScheme(scheme: name, reason: "\(name) with these parameters reads fan_out: give --fan-out too")
        }
        switch resolved {
        case let .uniform(low, high): return .uniform(low: low, high: high)
        case let .normal(mean, std): return .normal(mean: mean, std: std)
        case let .truncatedNormal(mean, std, low, high): return .truncatedNormal(mean: mean, std: std, low: low, high: high)
        }
    }

    /// Throws unless `shape` has at least ``minimumRank`` dimensions.
    package func checkRank(_ shape: [Int]) throws {
        guard shape.count >= minimumRank else {
            throw WeightInitError.invalidShape(shape, reason: "\(name) needs at least \(minimumRank) dimensions")
        }
    }

    /// The parameters after defaults: rejects parameters this scheme does not
    /// take and missing required ones. Jobs record `values` as the parameters
    /// they were made with.
    package func arguments(given: [SchemeParameter: ParameterValue]) throws -> SchemeArguments {
        let accepted = Set(parameters.map(\.0))
        if let stray = SchemeParameter.allCases.first(where: { given[$0] != nil && !accepted.contains($0) }) {
            let takes = parameters.isEmpty
                ? "it takes no parameters"
                : "it takes \(parameters.map(\.0.option).joined(separator: ", "))"
            throw WeightInitError.invalidScheme(scheme: name, reason: "\(stray.option) does not apply to \(name); \(takes)")
        }
        var values: [SchemeParameter: ParameterValue] = [:]
        for (parameter, fallback) in parameters {
            switch (given[parameter], fallback) {
            case let (value?, _), let (nil, .value(value)): values[parameter] = value
            case (nil, .required): throw WeightInitError.invalidScheme(scheme: name, reason: "\(name) needs \(parameter.option)")
            case (nil, .absent): break
            }
        }
        return SchemeArguments(scheme: name, values: values, given: Set(given.keys))
    }

    /// The scheme list shown by `weightinit generate --help`: per scheme its
    /// names, then its summary and its parameters with their defaults, indented.
    /// Wrapped here, because ArgumentParser wraps the discussion without indenting.
    package static var helpText: String {
        all.map { entry in
            let parameters = entry.parameters.map { parameter, fallback in
                switch fallback {
                case .required: "\(parameter.option) (required)"
                case let .value(value): "\(parameter.option) \(value)"
                case .absent where parameter.kind == .flag: "[\(parameter.option)]"
                case let .absent(how): "[\(parameter.option): \(how)]"
                }
            }
            let summary = entry.summary.split(separator: " ").map(String.init)
            let lines = wrap(summary, separator: " ") + wrap(parameters, separator: ", ")
            return (["  " + entry.names.joined(separator: ", ")] + lines.map { "      " + $0 }).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// `items` joined by `separator` into lines of at most `width` characters
    /// (longer items get a line of their own).
    private static func wrap(_ items: [String], separator: String, width: Int = 72) -> [String] {
        var lines: [String] = []
        for item in items {
            if let last = lines.last, last.count + separator.count + item.count <= width {
                lines[lines.count - 1] = last + separator + item
            } else {
                if !lines.isEmpty, separator.first == "," { lines[lines.count - 1] += "," }
                lines.append(item)
            }
        }
        return lines
    }

    /// The scheme parameters as `weightinit generate --help` lists them:
    /// each option with its kind of value, its meaning and the schemes that take it.
    package static var parameterHelpText: String {
        SchemeParameter.allCases.map { parameter in
            let value = switch parameter.kind {
            case .number: " <number>"
            case .integer: " <integer>"
            case .flag: " (a flag, no value)"
            case .choice: " <name>"
            }
            let words = optionHelp(parameter).split(separator: " ").map(String.init)
            return (["  " + parameter.option + value] + wrap(words, separator: " ").map { "      " + $0 }).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// `--help` for a parameter's option: its meaning and the schemes that take it.
    package static func optionHelp(_ parameter: SchemeParameter) -> String {
        let users = all.filter { $0.parameters.contains { $0.0 == parameter } }.map(\.name)
        return "\(parameter.meaning) (\(users.joined(separator: ", ")))"
    }
}

// MARK: - From an initializer back to the table

extension SchemeEntry {
    /// The table's name and parameter values for `initializer`: what
    /// ``initializer(given:shape:)`` turns back into the same initializer (a
    /// test pins the round trip for every row). Optional parameters appear
    /// only when set, flags only when on.
    package static func arguments(of initializer: Initializer) -> (name: String, given: [(SchemeParameter, ParameterValue)]) {
        func numbers(_ pairs: (SchemeParameter, Double?)...) -> [(SchemeParameter, ParameterValue)] {
            pairs.compactMap { parameter, value in value.map { (parameter, .number($0)) } }
        }
        func flag(_ parameter: SchemeParameter, _ on: Bool) -> [(SchemeParameter, ParameterValue)] {
            on ? [(parameter, .on)] : []
        }
        func fans(_ mode: FanMode, _ nonlinearity: Nonlinearity, _ gain: Double?) -> [(SchemeParameter, ParameterValue)] {
            var given: [(SchemeParameter, ParameterValue)] = [(.mode, .text(mode.rawValue)), (.nonlinearity, .text(nonlinearity.name))]
            if case let .leakyRelu(slope) = nonlinearity { given.append((.negativeSlope, .number(slope))) }
            return given + numbers((.gain, gain))
        }
        switch initializer {
        case .zeros: return ("zeros", [])
        case .ones: return ("ones", [])
        case let .constant(value): return ("constant", numbers((.value, value)))
        case let .uniform(low, high): return ("uniform", numbers((.low, low), (.high, high)))
        case .uniformFanIn: return ("uniform-fan-in", [])
        case let .normal(mean, std): return ("normal", numbers((.mean, mean), (.std, std)))
        case let .truncatedNormal(mean, std, low, high):
            return ("truncated-normal", numbers((.mean, mean), (.std, std), (.low, low), (.high, high)))
        case let .xavierUniform(gain): return ("xavier-uniform", numbers((.gain, gain)))
        case let .xavierNormal(gain, truncated): return ("xavier-normal", numbers((.gain, gain)) + flag(.truncated, truncated))
        case let .kaimingUniform(mode, nonlinearity, gain): return ("kaiming-uniform", fans(mode, nonlinearity, gain))
        case let .kaimingNormal(mode, nonlinearity, gain, truncated):
            return ("kaiming-normal", fans(mode, nonlinearity, gain) + flag(.truncated, truncated))
        case .lecunUniform: return ("lecun-uniform", [])
        case let .lecunNormal(truncated): return ("lecun-normal", flag(.truncated, truncated))
        case let .varianceScaling(scale, mode, distribution):
            return ("variance-scaling", numbers((.scale, scale)) + [(.mode, .text(mode.rawValue)), (.distribution, .text(distribution.rawValue))])
        case let .orthogonal(gain, method, blocks):
            return ("orthogonal", numbers((.gain, gain)) + [(.method, .text(method.rawValue)), (.blocks, .integer(blocks))])
        case let .deltaOrthogonal(gain): return ("delta-orthogonal", numbers((.gain, gain)))
        case let .eye(gain): return ("eye", numbers((.gain, gain)))
        case let .dirac(groups): return ("dirac", [(.groups, .integer(groups))])
        case let .sparse(sparsity, std): return ("sparse", numbers((.sparsity, sparsity), (.std, std)))
        }
    }

    /// `initializer` as `weightinit generate` spells it: the scheme name and
    /// its options, e.g. `kaiming-normal --mode fan-in --nonlinearity relu`.
    package static func commandLine(for initializer: Initializer) -> String {
        let (name, given) = arguments(of: initializer)
        return ([name] + given.map { parameter, value in
            value == .on ? parameter.option : "\(parameter.option) \(value)"
        }).joined(separator: " ")
    }
}
