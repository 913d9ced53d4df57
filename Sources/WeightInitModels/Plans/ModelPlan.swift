@_spi(Plumbing) import WeightInit

/// A whole model's initialisation, planned: every tensor of a Hugging Face
/// config, a checkpoint or a list of your own, each with the scheme a rule
/// set gives it (``PlannedTensor``: name, shape, dtype, scheme, parts,
/// stream) — then any tensor, or any region of one, filled into memory you
/// own, or the whole checkpoint written: one `.safetensors` file, Hugging
/// Face shards with their index and config, or a tensor-parallel shard of
/// either. The bytes are `weightinit generate`'s for the same inputs.
///
/// ```swift
/// import WeightInitModels
///
/// // The README's tiny Llama: every tensor as transformers' _init_weights would draw it.
/// let plan = try ModelPlan(config: try ModelConfig(path: "docs/examples/llama-config.json"))
/// let name = "model.layers.3.mlp.down_proj.weight"
/// let tensor = plan.tensor(named: name)!            // shape [256, 688], "normal --mean 0 --std 0.02"
/// var values = [Float](repeating: 0, count: 256 * 688)
/// try values.withUnsafeMutableBufferPointer { try tensor.fill($0) }
///
/// // Or all of it, as `weightinit generate --config … --max-shard-size 20MB` writes it.
/// try plan.writeCheckpoint(to: "tiny-llama", maxShardSize: 20_000_000)
/// ```
///
/// Variables that rules and expressions read are the rule set's defaults,
/// then the config's top-level numbers, booleans and nulls, then
/// `variables`. Every tensor draws from the stream and key its name gives
/// in a plan of `seed` (``PlannedTensor/stream(forName:)``,
/// ``PlannedTensor/seed(forName:seed:)``; stream format 3), so two tensors
/// never share values unless both hashes of their names collide — and a
/// plan whose tensors or parts would share a key and stream is refused.
/// Errors are ``ModelError``s (the
/// description: a config, a checkpoint, a rule set, a tensor no rule
/// applies to) or the engine's `WeightInitError`s (a file that cannot be read or written).
public struct ModelPlan: Sendable {
    /// The tensors, in the order of the manifest (the checkpoint's, or `state_dict()`'s).
    public let tensors: [PlannedTensor]
    /// The config the manifest came from, if one: written beside a sharded
    /// checkpoint, so `from_pretrained(directory)` loads it.
    public let config: ModelConfig?
    /// The name of the rule set that chose schemes, if one did.
    public let ruleSet: String?
    /// Each tensor's position in ``tensors`` by name.
    private let positions: [String: Int]

    package init(tensors: [PlannedTensor], config: ModelConfig?, ruleSet: String?) {
        self.tensors = tensors
        self.config = config
        self.ruleSet = ruleSet
        positions = Dictionary(tensors.enumerated().map { ($1.name, $0) }) { first, _ in first }
    }

    /// The tensors of `config`'s manifest, schemes by `rules` (default: the
    /// family's own set, `hf-llama`, `hf-gpt2` or `hf-bert`), values from
    /// `seed`; `dtype` replaces every floating-point tensor's (otherwise
    /// the config's `dtype`, else f32).
    public init(config: ModelConfig, rules: RuleSet? = nil, seed: UInt64 = 0, variables: [String: RuleValue] = [:],
                dtype: DType? = nil) throws {
        let rules = try rules ?? RuleSet(named: config.family.ruleSet)
        self = try Self.plan(manifest: try config.manifest(), config: config, rules: rules, seed: seed,
                             variables: config.variables.merging(variables) { $1 }, dtype: dtype)
    }

    /// The tensors of the checkpoint at `path` — a `.safetensors` file or a
    /// `model.safetensors.index.json` — each of its name, shape and dtype
    /// (``ModelManifest/init(checkpoint:)``), schemes by `rules`; a tensor
    /// no rule applies to is refused, or left out of the plan with
    /// `unmatched: .skip`.
    public init(checkpoint path: String, rules: RuleSet, seed: UInt64 = 0, variables: [String: RuleValue] = [:],
                dtype: DType? = nil, unmatched: Unmatched = .refuse) throws {
        self = try Self.plan(manifest: try ModelManifest(checkpoint: path), config: nil, rules: rules, seed: seed,
                             variables: variables, dtype: dtype, unmatched: unmatched)
    }

    /// The tensors of `manifest` (a tensor without a dtype is f32, unless a
    /// rule says otherwise), schemes by `rules`; a tensor no rule applies
    /// to is refused, or left out of the plan with `unmatched: .skip` (a
    /// module's parameters that its own code initialises, say).
    public init(manifest: ModelManifest, rules: RuleSet, seed: UInt64 = 0, variables: [String: RuleValue] = [:],
                dtype: DType? = nil, unmatched: Unmatched = .refuse) throws {
        self = try Self.plan(manifest: manifest, config: nil, rules: rules, seed: seed, variables: variables, dtype: dtype,
                             unmatched: unmatched)
    }

    /// What a plan does with a tensor of its manifest that no rule applies to.
    public enum Unmatched: Sendable {
        /// Refuse the plan: a ``ModelError`` names the tensor.
        case refuse
        /// Leave the tensor out of the plan (``tensor(named:)`` is then nil for it).
        case skip
    }

    /// The tensors of the model spec at `path` (the JSON `weightinit
    /// generate --spec` reads: its own tensors, or a checkpoint's or a
    /// config's with rules); `seed`, if given, replaces the spec's top-level
    /// seed, and `dtype` every floating-point tensor's.
    public init(spec path: String, seed: UInt64? = nil, dtype: DType? = nil) throws {
        self = try ModelSpec.plan(spec: path, overrides: SpecOverrides(seed: seed, dtype: dtype))
    }

    private static func plan(manifest: ModelManifest, config: ModelConfig?, rules: RuleSet, seed: UInt64,
                             variables: [String: RuleValue], dtype: DType?, unmatched: Unmatched = .refuse) throws -> ModelPlan {
        try ModelSpec.plan(
            manifest: manifest, config: config, rules: rules, variables: rules.variables.merging(variables) { $1 },
            tensors: nil, defaults: ModelSpec.Defaults(seed: seed, layout: .torch, dtype: .f32, dtypeOverride: dtype),
            skipUnmatched: unmatched == .skip)
    }

    /// The tensor named `name`, if the plan has one.
    public func tensor(named name: String) -> PlannedTensor? {
        positions[name].map { tensors[$0] }
    }

    /// Fills `buffer` with `region` of the tensor named `name` (see
    /// ``PlannedTensor/fill(_:region:options:)-(UnsafeMutableRawBufferPointer,_,_)``).
    public func fill(_ name: String, into buffer: UnsafeMutableRawBufferPointer, region: TensorRegion? = nil,
                     options: FillOptions = FillOptions()) throws {
        guard let tensor = tensor(named: name) else {
            throw ModelError(key: name, "no tensor \(TerminalText.quoted(name)) in the plan")
        }
        try tensor.fill(buffer, region: region, options: options)
    }

    /// Shard `index` of `count` for tensor parallelism: every tensor split
    /// into `count` blocks along `dimension` (0, rows; 1, columns) — or along
    /// its own `"shard-dim"` in a spec, or kept whole where it has no such
    /// dimension — and only block `index` of each written. Fans come from the
    /// whole shape, and the blocks concatenated are the unsharded tensor,
    /// byte for byte.
    public func sharded(_ index: Int, of count: Int, dimension: Int = 0) throws -> ModelPlan {
        try sharded(try ShardSelection(index: index, count: count, dimension: dimension))
    }

    package func sharded(_ selection: ShardSelection) throws -> ModelPlan {
        ModelPlan(tensors: try tensors.map { tensor in
            do {
                return try tensor.sharded(selection)
            } catch let error as ModelError {
                throw error.located(in: nil, key: tensor.name, context: "tensor \(TerminalText.quoted(tensor.name))")
            }
        }, config: config, ruleSet: ruleSet)
    }

    /// Writes every tensor into one `.safetensors` file at `path`, atomically
    /// (a temporary file beside it, renamed into place when complete: an
    /// error or a signal leaves an existing file as it was), with the
    /// metadata that records each tensor's scheme, seed and stream. Refused
    /// before any work: a destination that is not a new name or a regular
    /// file, structured tensors larger than the memory available, a file
    /// larger than the free space. `progress` is told the bytes written and
    /// the total as the write goes on.
    public func write(to path: String, options: FillOptions = FillOptions(),
                      progress: @escaping (_ written: Int, _ total: Int) -> Void = { _, _ in }) throws {
        try CheckpointFile.check(tensors, format: .safetensors, output: path)
        try CheckpointFile.write(tensors, to: path, format: .safetensors, options: options, progress: progress)
    }

    /// Writes the checkpoint as Hugging Face does into `directory` (created
    /// if new): shards of at most `maxShardSize` bytes named
    /// `model-00001-of-0000n.safetensors`, split as `huggingface_hub` splits
    /// a state dict, their `model.safetensors.index.json`, and the config
    /// the plan came from — or one `model.safetensors` when everything fits.
    /// Every file is staged in a hidden directory inside it and moved into
    /// place only when all are complete, the index last; an earlier
    /// checkpoint's files this one does not name are then removed, as
    /// `save_pretrained` removes them (<doc:WholeModels> says what a signal
    /// or a power cut during the moves can leave).
    public func writeCheckpoint(to directory: String, maxShardSize: Int, options: FillOptions = FillOptions(),
                                progress: @escaping (_ written: Int, _ total: Int) -> Void = { _, _ in }) throws {
        guard maxShardSize >= 1 else {
            throw WeightInitError.invalidParameter("maxShardSize", value: "\(maxShardSize)", reason: "must be ≥ 1 byte")
        }
        let checkpoint = ShardedCheckpoint(plan: self, directory: directory, maxShardSize: maxShardSize)
        try checkpoint.check()
        try checkpoint.write(options: options, progress: progress)
    }
}
