@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels
import ArgumentParser

/// The scheme parameters as command-line flags, named as in the scheme table
/// (`--gain`, `--mode`, `--truncated`, …), for commands that name a scheme:
/// `generate` builds the initializer from them, `stats --scheme` rebuilds the
/// expected distribution.
struct SchemeOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.gain))) var gain: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.mean))) var mean: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.std))) var std: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.low))) var low: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.high))) var high: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.sigmas))) var sigmas: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.value))) var value: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.scale))) var scale: Double?
    @Option(help: ArgumentHelp(SchemeEntry.optionHelp(.mode))) var mode: String?
    @Option(help: ArgumentHelp(SchemeEntry.optionHelp(.nonlinearity))) var nonlinearity: String?
    @Option(name: .customLong("negative-slope"), parsing: .unconditional,
            help: ArgumentHelp(SchemeEntry.optionHelp(.negativeSlope))) var negativeSlope: Double?
    @Flag(help: ArgumentHelp(SchemeEntry.optionHelp(.truncated))) var truncated = false
    @Option(help: ArgumentHelp(SchemeEntry.optionHelp(.distribution))) var distribution: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.groups))) var groups: Int?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.sparsity))) var sparsity: Double?
    @Option(help: ArgumentHelp(SchemeEntry.optionHelp(.method))) var method: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.blocks))) var blocks: Int?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.a))) var a: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.b))) var b: Double?
    @Option(name: .customLong("fan-in"), parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.fanIn))) var fanIn: Int?
    @Option(name: .customLong("fan-out"), parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.fanOut))) var fanOut: Int?

    /// The parameters given, keyed as the scheme table expects.
    var given: [SchemeParameter: ParameterValue] {
        var values: [SchemeParameter: ParameterValue] = [:]
        let numbers: [(SchemeParameter, Double?)] = [
            (.gain, gain), (.mean, mean), (.std, std), (.low, low), (.high, high), (.sigmas, sigmas), (.value, value),
            (.scale, scale), (.negativeSlope, negativeSlope), (.sparsity, sparsity), (.a, a), (.b, b),
        ]
        for case let (parameter, number?) in numbers { values[parameter] = .number(number) }
        for case let (parameter, text?) in [(SchemeParameter.mode, mode), (.nonlinearity, nonlinearity), (.distribution, distribution), (.method, method)] {
            values[parameter] = .text(text)
        }
        if let groups { values[.groups] = .integer(groups) }
        if let blocks { values[.blocks] = .integer(blocks) }
        if let fanIn { values[.fanIn] = .integer(fanIn) }
        if let fanOut { values[.fanOut] = .integer(fanOut) }
        if truncated { values[.truncated] = .on }
        return values
    }
}
