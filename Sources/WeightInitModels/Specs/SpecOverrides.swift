@_spi(Plumbing) import WeightInit

/// What the command line says over a spec's own keys: `--seed`, `--like`,
/// `--config`, `--rules`, `--dtype` (a shard is the plan's:
/// ``ModelPlan/sharded(_:of:dimension:)``). Every tool that reads specs
/// (`weightinit generate`, `weightinit-mpi generate`) passes the same
/// overrides to ``ModelSpec/plan(spec:overrides:)``, made by the CLI's
/// `ModelSourceOptions`.
@_spi(Plumbing) public struct SpecOverrides: Sendable {
    package var seed: UInt64?
    package var like: String?
    package var config: String?
    package var rules: String?
    /// The dtype of every floating-point tensor (integer ones keep theirs).
    package var dtype: DType?

    /// No overrides: the spec's own keys.
    @_spi(Plumbing) public init() {}

    package init(seed: UInt64? = nil, like: String? = nil, config: String? = nil, rules: String? = nil, dtype: DType? = nil) {
        (self.seed, self.like, self.config, self.rules, self.dtype) = (seed, like, config, rules, dtype)
    }
}
