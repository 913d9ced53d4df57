@_spi(Plumbing) import WeightInit

/// What the command line says over a spec's own keys: `--seed`, `--like`,
/// `--config`, `--rules`, `--dtype`, and `--shard`'s block. Every tool that
/// reads specs (`weightinit generate`, `weightinit-mpi generate`) passes the
/// same options to ``Spec/model(spec:options:)``.
@_spi(Plumbing) public struct SpecOptions: Sendable {
    @_spi(Plumbing) public var seed: UInt64?
    @_spi(Plumbing) public var like: String?
    @_spi(Plumbing) public var config: String?
    @_spi(Plumbing) public var rules: String?
    /// The element type of every floating-point tensor (integer ones keep theirs).
    @_spi(Plumbing) public var dtype: DType?
    @_spi(Plumbing) public var shard: ShardSelection?

    @_spi(Plumbing) public init(seed: UInt64? = nil, like: String? = nil, config: String? = nil, rules: String? = nil,
                                dtype: DType? = nil, shard: ShardSelection? = nil) {
        (self.seed, self.like, self.config, self.rules, self.dtype, self.shard) = (seed, like, config, rules, dtype, shard)
    }
}
