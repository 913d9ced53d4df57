@_spi(Plumbing) import WeightInit

/// Block `index` of `count` of every tensor, for tensor parallelism
/// (``ModelPlan/sharded(_:of:dimension:)``, `weightinit generate --shard i/n
/// --shard-dim d`).
///
/// Blocks follow ``Shard/range(_:of:length:)``: ⌊length/n⌋ rows (or columns)
/// each, the last block also taking the remainder, so the n blocks
/// concatenated along the dimension are the unsharded tensor, byte for byte.
/// A tensor with no such dimension (a bias when splitting columns), or a spec
/// tensor with `"shard-dim": null`, is written whole into every shard — the
/// replicated parameters of tensor parallelism.
package struct ShardSelection: Sendable, Equatable {
    /// Which block, 0-based.
    package let index: Int
    /// How many blocks.
    package let count: Int
    /// The dimension split unless a spec tensor names its own.
    package let dimension: Int

    /// The dimensions a shard may split: rows and columns.
    package static let dimensions = 0...1

    /// Refuses a count below 1, an index outside 0 ..< count and a dimension other than 0 or 1.
    package init(index: Int, count: Int, dimension: Int = 0) throws {
        guard count >= 1 else {
            throw WeightInitError.invalidParameter("count", value: "\(count)", reason: "must be ≥ 1")
        }
        guard (0 ..< count).contains(index) else {
            throw WeightInitError.invalidParameter(
                "index", value: "\(index)", reason: "must be in 0 … \(count - 1) (blocks are numbered from 0)")
        }
        guard Self.dimensions.contains(dimension) else {
            throw WeightInitError.invalidParameter("shard dimension", value: "\(dimension)", reason: "must be 0 (rows) or 1 (columns)")
        }
        (self.index, self.count, self.dimension) = (index, count, dimension)
    }

    /// The region of a tensor of `shape` this shard holds when split along
    /// `dimension`, or `nil` when the tensor is written whole (`dimension`
    /// nil, or the tensor has no such dimension).
    func region(shape: [Int], dimension: Int?) throws -> TensorRegion? {
        guard let dimension, dimension < shape.count else { return nil }
        guard count <= shape[dimension] else {
            throw ModelError(
                "cannot split dimension \(dimension) of size \(shape[dimension]) into \(count) shards; "
                    + "use at most \(shape[dimension]) shards, or split another dimension")
        }
        return try TensorRegion.shard(index, of: count, along: dimension, shape: shape)
    }

    /// How a summary names the shard.
    package var summary: String { "shard \(index)/\(count) along dimension \(dimension)" }
}
