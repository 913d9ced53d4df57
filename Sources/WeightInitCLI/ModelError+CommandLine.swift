@_spi(Plumbing) import WeightInit
import WeightInitModels

extension ModelError {
    /// The error as the command line words it: the input by the option that
    /// names it — "invalid --config 'config.json': gpt2 needs "n_layer" (an
    /// integer ≥ 1)" — whether the option was given or a spec's key (`"config"`)
    /// named the file.
    var commandLineMessage: String {
        guard let source else { return description }
        let option = switch source {
        case .spec: "--spec"
        case .config: "--config"
        case .checkpoint: "--like"
        case .rules: "--rules"
        }
        return "invalid \(option) '\(TerminalText.escaped(source.name, limit: 512))': \(TerminalText.escaped(reason))"
    }
}

/// `body`, its model errors worded for the command line — for tools that
/// pass an error on as text (an MPI rank's, to rank 0) rather than as itself.
@_spi(Plumbing) public func wordingModelErrors<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as ModelError {
        switch error.kind {
        case .invalidInput: throw CommandLineError.usage(error.commandLineMessage)
        case .failure: throw CommandFailure(error.commandLineMessage)
        }
    }
}
