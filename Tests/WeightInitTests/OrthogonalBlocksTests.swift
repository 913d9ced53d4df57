import Foundation
import Testing
@_spi(Plumbing) @testable import WeightInit

/// RNN gate blocks, batched small matrices and delta-orthogonal convolutions.
@Suite struct OrthogonalBlocksTests {
    // MARK: Blocks

    /// Each of the k blocks of a (k·h) × h weight is orthogonal, and block b is
    /// exactly the orthogonal matrix of the stream values at its own rows'
    /// flat indices b·h² ..< (b+1)·h².
    @Test(arguments: OrthogonalMethod.allCases, [3, 4])
    func blocksAreIndependentOrthogonalMatrices(method: OrthogonalMethod, k: Int) throws {
        let h = 24
        let w: [Double] = try Initializer.orthogonal(gain: 2, method: method, blocks: k)
            .makeArray(shape: [k * h, h], seed: 5)
        for b in 0..<k {
            let block = Array(w[(b * h * h)..<((b + 1) * h * h)])
            #expect(OrthogonalTests.residual(block, rows: h, cols: h, gain: 2) < 10, "block \(b)")
            let expected: [Double]
            switch method {
            case .householder:
                expected = try OrthogonalHouseholderTests.reference(rows: h, cols: h, gain: 2, seed: 5, offset: b * h * h)
            case .qr:
                var g = [Double](repeating: 0, count: h * h)
                try RandomStream(seed: 5).fill(&g, with: .normal(mean: 0, std: 1), startIndex: UInt64(b * h * h))
                try g.withUnsafeMutableBufferPointer { try Orthogonal.orthogonalize($0, rows: h, cols: h, gain: 2) }
                expected = g
            }
            let worst = zip(block, expected).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-12, "block \(b): max diff \(worst)")
        }
        // The whole weight is not orthogonal: blocks are independent.
        #expect(OrthogonalTests.residual(w, rows: k * h, cols: h, gain: 2) > 1e6)
    }

    @Test func blocksOfAConvShape() throws {
        // (4·6, 2, 3): blocks of 6 rows need 6 columns = 2·3.
        let w: [Float] = try Initializer.orthogonal(blocks: 4).makeArray(shape: [24, 2, 3], seed: 1)
        for b in 0..<4 { #expect(OrthogonalTests.residual(Array(w[(b * 36)..<((b + 1) * 36)]), rows: 6, cols: 6) < 10) }
    }

    @Test func badBlocksSayWhatIsAllowed() {
        #expect(throws: WeightInitError.invalidParameter("blocks", value: "3", reason: "must divide the 16 rows (shape[0] = blocks·h)")) {
            let _: [Float] = try Initializer.orthogonal(blocks: 3).makeArray(shape: [16, 4], seed: 0)
        }
        #expect(throws: WeightInitError.invalidShape(
            [16, 8], reason: "4 blocks of 4 rows need 4 columns (square blocks: shape (blocks·h, h)), not 8")) {
            let _: [Float] = try Initializer.orthogonal(blocks: 4).makeArray(shape: [16, 8], seed: 0)
        }
        #expect(throws: WeightInitError.invalidParameter("blocks", value: "0", reason: "must be ≥ 1")) {
            let _: [Float] = try Initializer.orthogonal(blocks: 0).makeArray(shape: [16, 8], seed: 0)
        }
    }

    /// Source compatibility of the case: the old spellings still construct it.
    @Test func caseSpellings() {
        #expect(Initializer.orthogonal(gain: 2) == .orthogonal(gain: 2, method: .householder, blocks: 1))
        #expect(Initializer.orthogonal(gain: 2, method: .qr) == .orthogonal(gain: 2, method: .qr, blocks: 1))
    }

    // MARK: Batch

    /// The bits do not depend on the worker count, and a batch of one is the single fill.
    @Test(arguments: OrthogonalMethod.allCases)
    func batchIsIndependentOfThreads(method: OrthogonalMethod) throws {
        let (count, n) = (37, 8)
        let results = try [1, 2, 3, nil].map { threads -> [UInt32] in
            var w = [Float](repeating: 0, count: count * n * n)
            try w.withUnsafeMutableBufferPointer {
                try Orthogonal.fillBatch($0, count: count, rows: n, cols: n, method: method, stream: RandomStream(seed: 9),
                                         options: FillOptions(threads: threads))
            }
            for b in 0..<count {
                #expect(OrthogonalTests.residual(Array(w[(b * n * n)..<((b + 1) * n * n)]), rows: n, cols: n) < 10)
            }
            return w.map(\.bitPattern)
        }
        for r in results.dropFirst() { #expect(r == results[0]) }

        var single = [Float](repeating: 0, count: 5 * 7), one = single
        try single.withUnsafeMutableBufferPointer {
            try Orthogonal.fill($0, rows: 5, cols: 7, gain: 1, method: method, stream: RandomStream(seed: 9))
        }
        try one.withUnsafeMutableBufferPointer {
            try Orthogonal.fillBatch($0, count: 1, rows: 5, cols: 7, method: method, stream: RandomStream(seed: 9))
        }
        #expect(single.map(\.bitPattern) == one.map(\.bitPattern))
    }

    @Test func batchOfRectangularAndHalfMatrices() throws {
        var w = [BFloat16](repeating: BFloat16(0), count: 10 * 3 * 5)
        try w.withUnsafeMutableBufferPointer {
            try Orthogonal.fillBatch($0, count: 10, rows: 3, cols: 5, gain: 1, stream: RandomStream(seed: 2))
        }
        var f = [Float](repeating: 0, count: 10 * 3 * 5)
        try f.withUnsafeMutableBufferPointer {
            try Orthogonal.fillBatch($0, count: 10, rows: 3, cols: 5, gain: 1, stream: RandomStream(seed: 2))
        }
        #expect(w.map(\.bitPattern) == f.map { BFloat16($0).bitPattern })
        for b in 0..<10 { #expect(OrthogonalTests.residual(Array(f[(b * 15)..<((b + 1) * 15)]), rows: 3, cols: 5) < 10) }
    }

    @Test func badBatchArguments() {
        var w = [Float](repeating: 0, count: 16)
        w.withUnsafeMutableBufferPointer { w in
            #expect(throws: WeightInitError.invalidParameter("count", value: "0", reason: "must be ≥ 1")) {
                try Orthogonal.fillBatch(w, count: 0, rows: 2, cols: 2, stream: RandomStream(seed: 0))
            }
            #expect(throws: WeightInitError.invalidShape([6, 2], reason: "the buffer holds 16 elements, the matrix needs 12")) {
                try Orthogonal.fillBatch(w, count: 3, rows: 2, cols: 2, stream: RandomStream(seed: 0))
            }
            #expect(throws: WeightInitError.invalidParameter("threads", value: "0", reason: "must be ≥ 1")) {
                try Orthogonal.fillBatch(w, count: 4, rows: 2, cols: 2, stream: RandomStream(seed: 0),
                                         options: FillOptions(threads: 0))
            }
        }
    }

    // MARK: Delta-orthogonal

    @Test(arguments: [Layout.torch, Layout.keras])
    func deltaOrthogonalIsOrthogonalAtTheCentreOnly(layout: Layout) throws {
        let (outputs, inputs) = (8, 5)
        let shape = layout == .torch ? [outputs, inputs, 3, 4] : [3, 4, inputs, outputs]
        let w: [Double] = try Initializer.deltaOrthogonal(gain: 1.5).makeArray(shape: shape, layout: layout, seed: 4)
        let centre: [Double] = try Initializer.orthogonal(gain: 1.5).makeArray(shape: [outputs, inputs], seed: 4)
        #expect(OrthogonalTests.residual(centre, rows: outputs, cols: inputs, gain: 1.5) < 10)
        var expected = [Double](repeating: 0, count: w.count)
        for o in 0..<outputs {
            for i in 0..<inputs {
                // Centre (1, 2) of the 3×4 kernel.
                let index = layout == .torch
                    ? ((o * inputs + i) * 3 + 1) * 4 + 2
                    : ((1 * 4 + 2) * inputs + i) * outputs + o
                expected[index] = centre[o * inputs + i]
            }
        }
        #expect(w.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func deltaOrthogonalErrors() {
        #expect(throws: WeightInitError.invalidShape(
            [4, 8, 3, 3], reason: "delta-orthogonal needs out ≥ in channels (an out × in centre with orthonormal columns); got out = 4, in = 8")) {
            let _: [Float] = try Initializer.deltaOrthogonal().makeArray(shape: [4, 8, 3, 3], seed: 0)
        }
        #expect(throws: WeightInitError.invalidShape([4, 8], reason: "delta-orthogonal needs a 3-, 4- or 5-D convolution weight")) {
            let _: [Float] = try Initializer.deltaOrthogonal().makeArray(shape: [4, 8], seed: 0)
        }
        #expect(throws: WeightInitError.invalidParameter("gain", value: "-1.0", reason: "must be finite and ≥ 0")) {
            let _: [Float] = try Initializer.deltaOrthogonal(gain: -1).makeArray(shape: [8, 4, 3], seed: 0)
        }
    }
}
