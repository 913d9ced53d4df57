/// A region of a C-order tensor as runs of consecutive flat indices.
///
/// Let k be the innermost dimension whose range is not the whole dimension.
/// Every dimension after k is whole, so fixing the indices of dimensions
/// 0 ..< k leaves one contiguous range of flat indices:
/// `runLength = ranges[k].count · stride[k]` elements. The region in its own
/// C order is these runs one after another, ordered by the outer indices. A
/// row block is one run; a column block of a matrix is one run per row; the
/// whole tensor is one run.
struct RegionRuns: Sendable {
    /// Elements per run.
    let runLength: Int
    /// Number of runs: ∏ ranges[0 ..< k].count.
    let runCount: Int
    /// What dimension k adds to every run's first flat index:
    /// ranges[k].lowerBound · stride[k] (the outer dimensions add theirs per run).
    private let base: Int
    /// Dimensions 0 ..< k, outermost first.
    private let outer: [OuterDimension]

    private struct OuterDimension: Sendable {
        var lowerBound: Int, count: Int, stride: Int
    }

    /// The runs of `region` in a tensor of `shape`, after checking that the
    /// tensor's element count fits in Int (not that it fits in memory) and
    /// that the region is a non-empty block of it.
    init(shape: [Int], region: TensorRegion) throws {
        _ = try Shape.indexCount(shape)
        try region.validate(in: shape)
        // stride[d] = ∏ shape[d + 1 ...] ≤ the checked element count.
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        let ranges = region.ranges
        guard let k = shape.indices.last(where: { ranges[$0] != 0 ..< shape[$0] }) else {
            self.init(runLength: strides[0] * shape[0], runCount: 1, base: 0, outer: [])
            return
        }
        let outer = (0 ..< k).map { OuterDimension(lowerBound: ranges[$0].lowerBound, count: ranges[$0].count, stride: strides[$0]) }
        // Both products are at most the region's element count, itself at
        // most the tensor's.
        self.init(runLength: ranges[k].count * strides[k], runCount: outer.reduce(1) { $0 * $1.count },
                  base: ranges[k].lowerBound * strides[k], outer: outer)
    }

    /// One run: the flat indices `start ..< start + count` (count may be 0).
    static func contiguous(_ count: Int, from start: Int = 0) -> RegionRuns {
        RegionRuns(runLength: count, runCount: 1, base: start, outer: [])
    }

    private init(runLength: Int, runCount: Int, base: Int, outer: [OuterDimension]) {
        self.runLength = runLength
        self.runCount = runCount
        self.base = base
        self.outer = outer
    }

    /// Elements of the region.
    var elementCount: Int { runLength * runCount }

    /// The flat index in the whole tensor of the first element of `run`:
    /// `run` read as a mixed-radix number over the outer ranges' counts. O(k).
    func flatIndex(ofRun run: Int) -> Int {
        var rest = run, index = base
        for dimension in outer.reversed() {
            index += (dimension.lowerBound + rest % dimension.count) * dimension.stride
            rest /= dimension.count
        }
        return index
    }

    /// Calls `body(offset, flatIndex, count)` for each maximal piece of the
    /// region's elements `elements` (positions in the region's C order) that
    /// is contiguous in the whole tensor, in order: `offset` counts from
    /// `elements.lowerBound`, `flatIndex` is the whole tensor's index of the
    /// piece's first element. A piece is a whole run or, at the ends of
    /// `elements`, part of one.
    func forEachPiece(in elements: Range<Int>, _ body: (_ offset: Int, _ flatIndex: Int, _ count: Int) throws -> Void) rethrows {
        guard !elements.isEmpty else { return }
        var position = elements.lowerBound
        var run = position / runLength, within = position % runLength
        while position < elements.upperBound {
            let count = Swift.min(runLength - within, elements.upperBound - position)
            try body(position - elements.lowerBound, flatIndex(ofRun: run) + within, count)
            position += count
            run += 1
            within = 0
        }
    }

    /// Copies the region out of `whole`, the whole tensor in C order, into
    /// `region` (its ``elementCount`` elements).
    func copy<T>(from whole: UnsafeBufferPointer<T>, into region: UnsafeMutableBufferPointer<T>) {
        precondition(region.count == elementCount, "the region buffer must hold the region")
        guard let source = whole.baseAddress, let target = region.baseAddress else { return }
        forEachPiece(in: 0 ..< elementCount) { offset, flatIndex, count in
            precondition(flatIndex + count <= whole.count, "the region must lie inside the whole tensor")
            (target + offset).update(from: source + flatIndex, count: count)
        }
    }
}
