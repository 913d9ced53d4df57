@_spi(Plumbing) import WeightInit

/// What the command line says over a spec's own keys: `--seed`, `--like`,
/// `--config`, `--rules`, `--dtype` (a shard is the plan's: ``ModelPlan/sharded(_:of:dimension:)``). Every tool that
/// reads specs (`weightinit generate`, `weightinit-mpi generate`) passes the
/// same overrides to ``ModelSpec/plan(spec:overrides:)``.
@_spi(Plumbing) public struct SpecOverrides: Sendable {
    @_spi(Plumbing) public var seed: UInt64?
    @_spi(Plumbing) public var like: String?
    @_spi(Plumbing) public var config: String?
    @_spi(Plumbing) public var rules: String?
    /// The dtype of every floating-point tensor (integer ones keep theirs).
    @_spi(Plumbing) public var dtype: DType?

    @_spi(Plumbing) public init(seed: UInt64? = nil, like: String? = nil, config: String? = nil, rules: String? = nil,
                                dtype: DType? = nil) {
        (self.seed, self.like, self.config, self.rules, self.dtype) = (seed, like, config, rules, dtype)
    }
}
