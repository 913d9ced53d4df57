import ArgumentParser
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// What `weightinit generate` and `weightinit-mpi generate` both take to
/// write a whole model: a checkpoint or config to take the tensors from
/// (`--like`, `--config`), the rules that choose their schemes, and the size
/// of a Hugging Face checkpoint's shards. Declared once, so the two tools
/// cannot drift apart in names, parsing or help.
@_spi(Plumbing) public struct ModelSourceOptions: ParsableArguments {
    @Option(help: "A .safetensors checkpoint or a model.safetensors.index.json whose names, shapes and dtypes to take (its data is never read).")
    var like: String?

    @Option(help: "A Hugging Face config.json (model_type llama, gpt2 or bert) whose tensors to compute.")
    var config: String?

    @Option(help: "Rules from tensor names to schemes: a built-in set (\(RuleSet.builtinNames.joined(separator: ", "))) or a rules file (default with --config: hf-<model_type>).")
    var rules: String?

    // .unconditional: "-5" is this option's (refused) value, not a missing one.
    @Option(name: .customLong("max-shard-size"), parsing: .unconditional, help: ArgumentHelp(
        "Write --output as a directory of Hugging Face shards of at most this size each (5GB, 1.5GB, 500MB, 2GiB, bytes), with the index and the config.",
        valueName: "size"))
    var maxShardSize: String?

    @_spi(Plumbing) public init() {}

    /// Whether the tensors are described by `spec`, a checkpoint or a
    /// config (rather than by a scheme and a shape).
    @_spi(Plumbing) public func describeModel(spec: String?) -> Bool { spec != nil || like != nil || config != nil }

    /// `--max-shard-size` in bytes (``ShardSizeArgument``).
    @_spi(Plumbing) public func shardSize() throws -> Int? { try maxShardSize.map(ShardSizeArgument.parse) }

    /// These options over a spec's own keys, with the rest of what the command line says.
    @_spi(Plumbing) public func overrides(seed: UInt64?, dtype: DType?) -> SpecOverrides {
        SpecOverrides(seed: seed, like: like, config: config, rules: rules, dtype: dtype)
    }

    /// How a summary line names where the tensors came from: the spec (or
    /// standard input), the checkpoint or config and, when given, the rule set resolved.
    @_spi(Plumbing) public func source(spec: String?, rules resolved: String? = nil) -> String {
        var parts: [String] = []
        if let spec { parts.append(spec == ModelSpec.standardInput ? "standard input" : TerminalText.escaped(spec, limit: 512)) }
        if let like { parts.append("--like " + TerminalText.escaped(like, limit: 512)) }
        if let config { parts.append("--config " + TerminalText.escaped(config, limit: 512)) }
        if let resolved { parts.append("rules " + TerminalText.escaped(resolved, limit: 512)) }
        return parts.joined(separator: ", ")
    }
}
