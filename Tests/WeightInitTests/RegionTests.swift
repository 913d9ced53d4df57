import Foundation
import Testing
@testable import WeightInit

// MARK: - Shard.range

@Suite struct RegionShardRuleTests {
    @Test func documentedExamples() throws {
        func blocks(_ length: Int, _ count: Int) throws -> [Range<Int>] {
            try (0 ..< count).map { try Shard.range($0, of: count, length: length) }
        }
        #expect(try blocks(10, 4) == [0 ..< 2, 2 ..< 4, 4 ..< 6, 6 ..< 10])  // 2, 2, 2, 4
        #expect(try blocks(12, 3) == [0 ..< 4, 4 ..< 8, 8 ..< 12])
        #expect(try blocks(7, 7) == (0 ..< 7).map { $0 ..< $0 + 1 })
        #expect(try blocks(5, 1) == [0 ..< 5])
        #expect(try blocks(3, 2) == [0 ..< 1, 1 ..< 3])
        #expect(try blocks(9, 4) == [0 ..< 2, 2 ..< 4, 4 ..< 6, 6 ..< 9])
    }

    /// s = ⌊length/count⌋ per block, the last also takes the remainder; the
    /// blocks are non-empty, in order, disjoint, and their union is 0 ..< length.
    @Test func blocksPartitionTheRange() throws {
        for length in 1 ... 40 {
            for count in 1 ... length {
                let s = length / count
                var next = 0
                for index in 0 ..< count {
                    let block = try Shard.range(index, of: count, length: length)
                    #expect(block.lowerBound == next, "length \(length) count \(count) block \(index)")
                    #expect(block.count == (index == count - 1 ? length - (count - 1) * s : s))
                    #expect(!block.isEmpty)
                    next = block.upperBound
                }
                #expect(next == length)
            }
        }
        // Large lengths: no overflow, the rule still holds.
        let length = Int.max - 5
        #expect(try Shard.range(6, of: 7, length: length) == 6 * (length / 7) ..< length)
    }

    @Test func badArgumentsAreTypedErrors() {
        func reason(_ body: () throws -> Range<Int>) -> String? {
            do {
                _ = try body()
                return nil
            } catch let WeightInitError.invalidParameter(_, _, reason) {
                return reason
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(reason { try Shard.range(0, of: 0, length: 10) } == "must be ≥ 1")
        #expect(reason { try Shard.range(0, of: -3, length: 10) } == "must be ≥ 1")
        #expect(reason { try Shard.range(-1, of: 4, length: 10) } == "must be in 0..<4")
        #expect(reason { try Shard.range(4, of: 4, length: 10) } == "must be in 0..<4")
        #expect(reason { try Shard.range(0, of: 4, length: 3) } == "cannot split 3 into 4 blocks")
        #expect(reason { try Shard.range(0, of: 1, length: 0) } == "cannot split 0 into 1 blocks")
        #expect("\(WeightInitError.invalidParameter("count", value: "4", reason: "cannot split 3 into 4 blocks"))"
            == "invalid count 4: cannot split 3 into 4 blocks")
    }
}

// MARK: - TensorRegion

@Suite struct TensorRegionTests {
    @Test func wholeShardAndShape() throws {
        #expect(TensorRegion.whole([4, 6]).ranges == [0 ..< 4, 0 ..< 6])
        #expect(TensorRegion([1 ..< 3, 2 ..< 7, 0 ..< 1]).shape == [2, 5, 1])
        #expect(try TensorRegion.shard(3, of: 4, along: 1, shape: [5, 10, 2]).ranges == [0 ..< 5, 6 ..< 10, 0 ..< 2])
        #expect(try TensorRegion.shard(0, of: 1, along: 0, shape: [5, 10]) == .whole([5, 10]))
        #expect(TensorRegion([0 ..< 2, 3 ..< 9]).description == "[0..<2, 3..<9]")
    }

    @Test func badShardsAreTypedErrors() {
        #expect(throws: WeightInitError.invalidParameter("dimension", value: "2", reason: "must be an axis of the rank-2 shape 5,10 (0..<2)")) {
            try TensorRegion.shard(0, of: 2, along: 2, shape: [5, 10])
        }
        #expect(throws: WeightInitError.self) { try TensorRegion.shard(0, of: 2, along: -1, shape: [5, 10]) }
        #expect(throws: WeightInitError.self) { try TensorRegion.shard(0, of: 1, along: 0, shape: []) }
        #expect(throws: WeightInitError.invalidShape([5, 0], reason: "every dimension must be ≥ 1")) {
            try TensorRegion.shard(0, of: 1, along: 0, shape: [5, 0])
        }
        #expect(throws: WeightInitError.invalidParameter("count", value: "11", reason: "cannot split 10 into 11 blocks")) {
            try TensorRegion.shard(0, of: 11, along: 1, shape: [5, 10])
        }
    }
}
