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

    @Option(name: .customLong("max-shard-size"), help: ArgumentHelp(
        "Write --output as a directory of Hugging Face shards of at most this size each (5GB, 500MB, 2GiB, bytes), with the index and the config.",
        valueName: "size"))
    var maxShardSize: String?

    @_spi(Plumbing) public init() {}

    /// Whether the tensors are described by `spec`, a checkpoint or a
    /// config (rather than by a scheme and a shape).
    @_spi(Plumbing) public func describeModel(spec: String?) -> Bool { spec != nil || like != nil || config != nil }

    /// `--max-shard-size` in bytes: a number with KB, MB, GB, TB (powers of
    /// 1000, as `huggingface_hub`), KiB, MiB, GiB, TiB (powers of 1024), or bytes.
    @_spi(Plumbing) public func shardSize() throws -> Int? {
        guard let text = maxShardSize else { return nil }
        let units: [(String, Double)] = [
            ("KiB", 0x1p10), ("MiB", 0x1p20), ("GiB", 0x1p30), ("TiB", 0x1p40),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1),
        ]
        let trimmed = Substring(text).trimmed()
        let (number, multiplier) = units.first { trimmed.uppercased().hasSuffix($0.0.uppercased()) && (trimmed.count > $0.0.count) }
            .map { (trimmed.dropLast($0.0.count).trimmed(), $0.1) } ?? (trimmed, 1)
        guard let value = Double(number), value.isFinite, value * multiplier >= 1, value * multiplier < 0x1p62 else {
            throw CommandLineError.usage(
                "invalid --max-shard-size '\(TerminalText.escaped(text, limit: 64))': give a size such as 5GB, 500MB, 2GiB or a number of bytes")
        }
        return Int(value * multiplier)
    }

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
