import ArgumentParser
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// What `weightinit generate` and `weightinit-mpi generate` both take to
/// write a whole model: a layout to take the tensors from (`--like`,
/// `--config`), the rules that choose their schemes, and the size of a
/// Hugging Face checkpoint's shards. Declared once, so the two tools cannot
/// drift apart in names, parsing or help.
@_spi(Plumbing) public struct ModelSourceOptions: ParsableArguments {
    @Option(help: "A .safetensors checkpoint or a model.safetensors.index.json whose names, shapes and dtypes to take (its data is never read).")
    @_spi(Plumbing) public var like: String?

    @Option(help: "A Hugging Face config.json (model_type llama, gpt2 or bert) whose layout to compute.")
    @_spi(Plumbing) public var config: String?

    @Option(help: "Rules from tensor names to schemes: a built-in set (\(BuiltinRuleSets.names.joined(separator: ", "))) or a rules file (default with --config: hf-<model_type>).")
    @_spi(Plumbing) public var rules: String?

    @Option(name: .customLong("max-shard-size"), help: ArgumentHelp(
        "Write --output as a directory of Hugging Face shards of at most this size each (5GB, 500MB, 2GiB, bytes), with the index and the config.",
        valueName: "size"))
    @_spi(Plumbing) public var maxShardSize: String?

    @_spi(Plumbing) public init() {}

    /// Whether the tensors are described by `spec` or a layout (rather than
    /// by a scheme and a shape).
    @_spi(Plumbing) public func describeModel(spec: String?) -> Bool { spec != nil || like != nil || config != nil }

    /// `--max-shard-size` in bytes, checked.
    @_spi(Plumbing) public func shardSize() throws -> Int? { try maxShardSize.map { try ShardedCheckpoint.parseSize($0) } }

    /// These options, with the rest of what a spec is read with.
    @_spi(Plumbing) public func specOptions(seed: UInt64?, dtype: DType?, shard: ShardSelection?) -> SpecOptions {
        SpecOptions(seed: seed, like: like, config: config, rules: rules, dtype: dtype, shard: shard)
    }

    /// How a summary line names where the tensors came from: the spec (or
    /// standard input), the layout and, when given, the rule set resolved.
    @_spi(Plumbing) public func source(spec: String?, rules resolved: String? = nil) -> String {
        var parts: [String] = []
        if let spec { parts.append(spec == Spec.standardInput ? "standard input" : TerminalText.escaped(spec, limit: 512)) }
        if let like { parts.append("--like " + TerminalText.escaped(like, limit: 512)) }
        if let config { parts.append("--config " + TerminalText.escaped(config, limit: 512)) }
        if let resolved { parts.append("rules " + TerminalText.escaped(resolved, limit: 512)) }
        return parts.joined(separator: ", ")
    }
}
