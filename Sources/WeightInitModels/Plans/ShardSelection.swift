@_spi(Plumbing) import WeightInit

/// `--shard i/n` and `--shard-dim d`: write block `i` of `n` of every tensor.
///
/// Blocks follow ``Shard/range(_:of:length:)``: ⌊length/n⌋ rows (or columns)
/// each, the last block also taking the remainder, so the n files
/// concatenated along the dimension are the unsharded tensor, byte for byte.
/// A tensor with no such dimension (a bias when splitting columns), or a spec
/// tensor with `"shard-dim": null`, is written whole into every shard — the
/// replicated parameters of tensor parallelism.
@_spi(Plumbing) public struct ShardSelection: Sendable, Equatable {
    /// Which block, 0-based.
    @_spi(Plumbing) public let index: Int
    /// How many blocks.
    @_spi(Plumbing) public let count: Int
    /// The dimension split unless a spec tensor names its own.
    @_spi(Plumbing) public let dimension: Int

    /// The dimensions `--shard-dim` accepts: rows and columns.
    package static let dimensions = 0...1

    @_spi(Plumbing) public init(index: Int, count: Int, dimension: Int = 0) {
        (self.index, self.count, self.dimension) = (index, count, dimension)
    }

    /// Parses `i/n` (decimal, 0 ≤ i < n) and the dimension.
    package static func parse(_ text: String, dimension: Int?) throws -> ShardSelection {
        func invalid(_ reason: String) -> ModelError { ModelError("invalid --shard '\(text)': \(reason)") }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            throw invalid("give the block and the count as i/n, e.g. 0/4")
        }
        guard let index = Int(parts[0]), let count = Int(parts[1]) else { throw invalid("the numbers do not fit in Int") }
        guard count >= 1 else { throw invalid("the count must be ≥ 1") }
        guard index < count else { throw invalid("the block must be in 0 … \(count - 1) (blocks are numbered from 0)") }
        let dimension = dimension ?? 0
        guard dimensions.contains(dimension) else {
            throw ModelError("invalid --shard-dim \(dimension): must be 0 (rows) or 1 (columns)")
        }
        return ShardSelection(index: index, count: count, dimension: dimension)
    }

    /// The region of a tensor of `shape` this shard holds when split along
    /// `dimension`, or `nil` when the tensor is written whole (`dimension`
    /// nil, or the tensor has no such dimension).
    func region(shape: [Int], dimension: Int?) throws -> TensorRegion? {
        guard let dimension, dimension < shape.count else { return nil }
        guard count <= shape[dimension] else {
            throw ModelError(
                "cannot split dimension \(dimension) of size \(shape[dimension]) into \(count) shards; "
                    + "use at most \(shape[dimension]) shards, or another --shard-dim")
        }
        return try TensorRegion.shard(index, of: count, along: dimension, shape: shape)
    }

    /// How the summary line names the shard.
    package var summary: String { "shard \(index)/\(count) along dimension \(dimension)" }
}
