/// A block of a tensor: one half-open index range per dimension — a row block,
/// a column block, a tile, or any hyper-rectangle.
///
/// A region's elements are laid out in C order of its own ``shape``. Filled
/// by ``Initializer/fill(_:shape:region:layout:seed:stream:options:)``, a region is
/// byte-identical to the same block of the whole tensor (<doc:StreamFormatSpecification>,
/// "Regions and shards"), so each of n processes can generate its own shard.
///
/// ```swift
/// // Process 2 of 4 takes its block of rows of a 4096 × 1024 weight.
/// let region = try TensorRegion.shard(2, of: 4, along: 0, shape: [4096, 1024])
/// let w: [Float] = try Initializer.kaimingNormal()
///     .makeArray(shape: [4096, 1024], region: region, seed: 42)   // 1024 × 1024 values
/// // A tile: rows 100 ..< 200, columns 512 ..< 1024.
/// let tile = TensorRegion([100 ..< 200, 512 ..< 1024])
/// ```
public struct TensorRegion: Sendable, Hashable, CustomStringConvertible {
    /// The index range of each dimension, outermost first.
    public let ranges: [Range<Int>]

    /// The region with these ranges. Nothing is checked here: a fill checks
    /// the region against the tensor's shape (same rank, every range
    /// non-empty and inside its dimension) and otherwise throws
    /// ``WeightInitError/invalidParameter(_:value:reason:)`` named "region",
    /// e.g. `invalid region [0..<2, 3..<9]: range 3..<9 of dimension 1 is outside 0..<8 (shape 4,8)`.
    public init(_ ranges: [Range<Int>]) {
        self.ranges = ranges
    }

    /// The whole tensor: `0 ..< shape[d]` on every dimension. A dimension
    /// below 1 gives an empty range, which a fill refuses.
    public static func whole(_ shape: [Int]) -> TensorRegion {
        TensorRegion(shape.map { 0 ..< Swift.max(0, $0) })
    }

    /// Block `index` of `count` along `dimension` (whole along every other one), by ``Shard/range(_:of:length:)``.
    ///
    /// The `count` shards of a tensor are disjoint and together are the
    /// whole tensor; concatenated along `dimension` in index order they are
    /// the whole tensor, byte for byte.
    ///
    /// - Throws: ``WeightInitError/invalidShape(_:reason:)`` unless every
    ///   dimension of `shape` is ≥ 1; ``WeightInitError/invalidParameter(_:value:reason:)``
    ///   if `dimension` is not an axis of `shape`, or as ``Shard/range(_:of:length:)``.
    public static func shard(_ index: Int, of count: Int, along dimension: Int, shape: [Int]) throws -> TensorRegion {
        guard shape.indices.contains(dimension) else {
            throw WeightInitError.invalidParameter(
                "dimension", value: "\(dimension)",
                reason: "must be an axis of the rank-\(shape.count) shape \(shape.map(String.init).joined(separator: ",")) (0..<\(shape.count))")
        }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw WeightInitError.invalidShape(shape, reason: "every dimension must be ≥ 1")
        }
        var ranges = whole(shape).ranges
        ranges[dimension] = try Shard.range(index, of: count, length: shape[dimension])
        return TensorRegion(ranges)
    }

    /// The region's own shape: the number of indices of each range.
    public var shape: [Int] { ranges.map(\.count) }

    /// The ranges as `[0..<2, 3..<9]`.
    public var description: String { "[" + ranges.map(\.description).joined(separator: ", ") + "]" }

    /// Throws ``WeightInitError/invalidParameter(_:value:reason:)`` (named
    /// "region") unless this is a non-empty block of a tensor of `shape`.
    package func validate(in shape: [Int]) throws {
        func invalid(_ reason: String) -> WeightInitError {
            .invalidParameter("region", value: description,
                              reason: reason + " (shape \(shape.map(String.init).joined(separator: ",")))")
        }
        guard ranges.count == shape.count else {
            throw invalid("the region has \(ranges.count) ranges, the shape \(shape.count) dimensions")
        }
        for (dimension, (range, length)) in zip(ranges, shape).enumerated() {
            guard !range.isEmpty else { throw invalid("range \(range) of dimension \(dimension) is empty") }
            guard range.lowerBound >= 0, range.upperBound <= length else {
                throw invalid("range \(range) of dimension \(dimension) is outside 0..<\(length)")
            }
        }
    }

    /// The position of the tensor element at multi-index `index` in the
    /// region's C order, or `nil` if the element is outside the region.
    func offset(of index: [Int]) -> Int? {
        var offset = 0
        for (range, i) in zip(ranges, index) {
            guard range.contains(i) else { return nil }
            offset = offset * range.count + (i - range.lowerBound)
        }
        return offset
    }
}

/// The even-split rule: length/count (rounded down) per block, the last block also takes the remainder.
/// Block i = i·s ..< (i+1)·s with s = length / count, last = (count−1)·s ..< length.
///
/// So 10 split 4 ways is 0..<2, 2..<4, 4..<6, 6..<10. Every process computes
/// its own block from (index, count, length) alone, and the blocks are
/// disjoint, non-empty, in order, and cover 0 ..< length.
public enum Shard {
    /// Block `index` of `count` of `0 ..< length`, by the rule above. O(1).
    ///
    /// ```swift
    /// try Shard.range(3, of: 4, length: 10)   // 6 ..< 10
    /// ```
    ///
    /// - Throws: ``WeightInitError/invalidParameter(_:value:reason:)`` if
    ///   `count < 1`, `index` is outside `0 ..< count`, or `count > length`
    ///   (every block must hold at least one index).
    public static func range(_ index: Int, of count: Int, length: Int) throws -> Range<Int> {
        guard count >= 1 else {
            throw WeightInitError.invalidParameter("count", value: "\(count)", reason: "must be ≥ 1")
        }
        guard (0 ..< count).contains(index) else {
            throw WeightInitError.invalidParameter("index", value: "\(index)", reason: "must be in 0..<\(count)")
        }
        guard count <= length else {
            throw WeightInitError.invalidParameter(
                "count", value: "\(count)", reason: "cannot split \(length) into \(count) blocks")
        }
        // index·s ≤ (count − 1)·(length / count) < length: no overflow.
        let size = length / count
        return index * size ..< (index == count - 1 ? length : (index + 1) * size)
    }
}
