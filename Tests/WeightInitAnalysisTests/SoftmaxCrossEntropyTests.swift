import Testing
@testable import WeightInitAnalysis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The loss training minimises: its value, its gradient, and what it does
/// with logits too large for a naive softmax or not finite at all.
@Suite struct SoftmaxCrossEntropyTests {
    @Test func equalLogitsCostLogTwo() {
        let e = SoftmaxCrossEntropy.evaluate([Float(0), 0, 3, 3], labels: [0, 1], classes: 2, gradient: true)
        #expect(abs(e.meanLoss - log(2)) < 1e-12)
        // Ties go to the first class.
        #expect(e.correct == 1)
        // (softmax − one-hot) / rows.
        #expect(e.gradient == [-0.25, 0.25, 0.25, -0.25])
    }

    @Test func matchesTheDefinition() {
        let logits: [Double] = [1, -2, 0.5, 3, 0.25, -1]
        let e = SoftmaxCrossEntropy.evaluate(logits, labels: [2, 0], classes: 3, gradient: false)
        func rowLoss(_ z: [Double], _ label: Int) -> Double { -log(exp(z[label]) / z.map(exp).reduce(0, +)) }
        let expected = (rowLoss([1, -2, 0.5], 2) + rowLoss([3, 0.25, -1], 0)) / 2
        #expect(abs(e.meanLoss - expected) < 1e-12)
        #expect(e.correct == 1)
        #expect(e.gradient == nil)
    }

    @Test func largeLogitsStayFinite() {
        // exp(1e4) overflows; the shifted form does not.
        let e = SoftmaxCrossEntropy.evaluate([Float(1e4), -1e4], labels: [1], classes: 2, gradient: true)
        #expect(e.meanLoss == 2e4)
        #expect(e.gradient == [1, -1])
    }

    @Test func nonFiniteLogitsAreADivergence() {
        for bad in [Float.nan, .infinity, -.infinity] {
            let e = SoftmaxCrossEntropy.evaluate([bad, 0, 1, 0], labels: [0, 0], classes: 2, gradient: true)
            #expect(e.meanLoss == .infinity)
            #expect(e.correct == 1)   // the finite row only
            #expect(e.gradient![0].isNaN && e.gradient![1].isNaN)
            #expect(e.gradient![2].isFinite)
        }
    }
}
