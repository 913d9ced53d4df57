import Testing
@_spi(Plumbing) import WeightInit
@testable import WeightInitAnalysis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The claim of <doc:ChoosingAnInitializer>, measured: too-small weights make
/// the signal vanish, too-large ones make it explode, the scheme made for the
/// activation keeps it stable — forward and backward. Sizes are small so the
/// suite runs in a second or two in a debug build; the bounds hold with wide
/// margins at these seeds (measured values in the comments).
@Suite struct PropagationTests {
    // MARK: The claim

    @Test func tanhWithSmallWeightsVanishes() throws {
        // Variance factor per layer 64 · 0.01² = 0.0064: std × 0.08 a layer.
        let r = try Propagation.run(.normal(std: 0.01), activation: .tanh, depth: 50, width: 64, batch: 32)
        #expect(r.forwardStd[0] > 0.9 && r.forwardStd[0] < 1.1)
        #expect(r.forwardStd[50] < 1e-6)
        #expect(r.backwardStd[0] < 1e-6)
        // It vanishes geometrically, not by accident at the end.
        #expect(r.forwardStd[10] < 1e-8 * r.forwardStd[0] || r.forwardStd[10] < 1e-6)
    }

    @Test func reluWithUnitWeightsExplodes() throws {
        // Second moment × 256/2 = 128 a layer: std × 11 a layer, past Float's
        // range (3.4e38) by layer ~37.
        let r = try Propagation.run(.normal(std: 1), activation: .relu, depth: 50, width: 256, batch: 8)
        #expect(r.forwardStd[50] > 1e6)
        #expect(r.backwardStd[0] > 1e6)
        #expect(r.forwardStd[10].isFinite && r.forwardStd[10] > 1e6)
        // Once a layer overflows, every later one reports the overflow (a ReLU
        // must not turn the NaNs back into a "vanished" 0).
        let first = try #require(r.forwardStd.firstIndex(of: .infinity))
        #expect(r.forwardStd[first...].allSatisfy { $0 == .infinity })
        #expect(r.backwardStd[...first].allSatisfy { $0 == .infinity })
    }

    @Test func reluWithKaimingIsStable() throws {
        let r = try Propagation.run(.kaimingNormal(), activation: .relu, depth: 50, width: 128, batch: 64)
        for (name, values) in [("forward", r.forwardStd), ("backward", r.backwardStd)] {
            #expect(values.allSatisfy { (0.1...10).contains($0) }, "\(name): \(values)")
        }
    }

    @Test func tanhWithXavierIsStable() throws {
        // Gain 1 (σ_w² = 1, the critical point of tanh networks): the forward
        // signal decays only slowly (q ← q − 2q² near 0, std ~ 1/√(2l)), the
        // gradient stays near 1 (measured: forward 0.10, backward 0.99 at layer 50).
        let r = try Propagation.run(.xavierNormal(), activation: .tanh, depth: 50, width: 128, batch: 64)
        for (name, values) in [("forward", r.forwardStd), ("backward", r.backwardStd)] {
            #expect(values.allSatisfy { (0.05...10).contains($0) }, "\(name): \(values)")
        }
    }

    @Test func tanhWithGainFiveThirdsHoldsForwardButGradientsGrow() throws {
        // PyTorch's tanh gain 5/3 (σ_w² = 2.8) gives the forward pass a fixed
        // point, but puts the network on the chaotic side of σ_w² = 1: the
        // gradient grows ~9 % a layer (measured: ×86 over 50 layers). Slow,
        // nothing like the ×10³⁸ of an exploding ReLU stack, but not flat.
        let r = try Propagation.run(.xavierNormal(gain: 5.0 / 3.0), activation: .tanh, depth: 50, width: 128, batch: 64)
        #expect(r.forwardStd.allSatisfy { (0.1...10).contains($0) }, "\(r.forwardStd)")
        #expect((10...1000).contains(r.backwardStd[0]), "\(r.backwardStd)")
    }

    @Test func seluWithLecunSelfNormalises() throws {
        let r = try Propagation.run(.lecunNormal(), activation: .selu, depth: 50, width: 128, batch: 64)
        #expect(r.forwardStd.allSatisfy { (0.8...1.2).contains($0) }, "\(r.forwardStd)")
    }

    @Test func orthogonalPreservesALinearSignalExactly() throws {
        // Orthogonal W keeps every row's norm; std moves only by the means.
        let r = try Propagation.run(.orthogonal(), activation: .linear, depth: 20, width: 64, batch: 64)
        for values in [r.forwardStd, r.backwardStd] {
            #expect(values.allSatisfy { abs($0 / values[0] - 1) < 0.05 }, "\(values)")
        }
    }

    // MARK: Mechanics

    @Test func resultsHaveOneEntryPerLayerPlusTheInput() throws {
        let r = try Propagation.run(.lecunNormal(), activation: .relu, depth: 3, width: 8, batch: 4)
        #expect(r.forwardStd.count == 4 && r.backwardStd.count == 4)
    }

    @Test func sameSeedSameBitsOtherSeedOtherBits() throws {
        func run(_ seed: UInt64) throws -> PropagationResult {
            try Propagation.run(.xavierUniform(), activation: .tanh, depth: 5, width: 16, batch: 8, seed: seed, threads: 1)
        }
        #expect(try run(7) == run(7))
        #expect(try run(7) != run(8))
    }

    /// A two-layer network computed naively in Double, against the BLAS one in
    /// Float: catches a transposed weight or an off-by-one layer in the
    /// backward pass (non-square batch × width, non-symmetric weights).
    @Test(arguments: [Nonlinearity.tanh, .relu, .selu, .sigmoid, .leakyRelu(negativeSlope: 0.2), .linear])
    func matchesANaiveComputation(activation: Nonlinearity) throws {
        let (width, batch, depth, seed): (Int, Int, Int, UInt64) = (5, 3, 2, 11)
        let scheme = Initializer.xavierNormal(gain: 1.5)
        let r = try Propagation.run(scheme, activation: activation, depth: depth, width: width, batch: batch, seed: seed)

        func phi(_ z: Double) -> Double { Double(activation.apply(Float(z))) }
        var h: [[Double]] = [try RandomStream(seed: seed, stream: 0)
            .makeArray(of: Float.self, count: batch * width, with: .normal(mean: 0, std: 1)).map(Double.init)]
        var weights: [[Double]] = []
        for layer in 1 ... depth {
            let w: [Float] = try scheme.makeArray(shape: [width, width], seed: seed, stream: UInt32(layer + 1))
            weights.append(w.map(Double.init))
            var next = [Double](repeating: 0, count: batch * width)
            for s in 0 ..< batch {
                for o in 0 ..< width {
                    var z = 0.0
                    for i in 0 ..< width { z += weights[layer - 1][o * width + i] * h[layer - 1][s * width + i] }
                    next[s * width + o] = phi(z)
                }
            }
            h.append(next)
        }
        var g = try RandomStream(seed: seed, stream: 1)
            .makeArray(of: Float.self, count: batch * width, with: .normal(mean: 0, std: 1)).map(Double.init)
        var backward = [std(g)]
        for layer in stride(from: depth, through: 1, by: -1) {
            let delta = g.indices.map { g[$0] * Double(activation.derivative(output: Float(h[layer][$0]))) }
            var previous = [Double](repeating: 0, count: batch * width)
            for s in 0 ..< batch {
                for i in 0 ..< width {
                    var sum = 0.0
                    for o in 0 ..< width { sum += delta[s * width + o] * weights[layer - 1][o * width + i] }
                    previous[s * width + i] = sum
                }
            }
            g = previous
            backward.insert(std(g), at: 0)
        }
        let forward = h.map(std)
        for (measured, expected) in zip(r.forwardStd + r.backwardStd, forward + backward) {
            #expect(abs(measured - expected) <= 1e-4 * expected, "\(activation): \(measured) vs \(expected)")
        }
    }

    /// Double (dgemm) tells the same story; Double draws are not Float draws
    /// rounded (<doc:StreamFormatSpecification>), so the values agree only statistically.
    /// Its range shows the explosion that overflows Float: ×11 a layer, 1e52
    /// at layer 50.
    @Test func doubleShowsTheSameAndTheExplosionStaysFinite() throws {
        let stable = try Propagation.run(.kaimingNormal(), activation: .relu, depth: 50, width: 128, batch: 64, precision: .f64)
        #expect(stable.forwardStd.allSatisfy { (0.1...10).contains($0) }, "\(stable.forwardStd)")
        let exploding = try Propagation.run(.normal(std: 1), activation: .relu, depth: 50, width: 256, batch: 4, precision: .f64)
        #expect(exploding.forwardStd.allSatisfy { $0.isFinite })
        #expect(exploding.forwardStd[50] > 1e40 && exploding.backwardStd[0] > 1e40)
    }

    @Test func derivativesMatchDifferenceQuotients() {
        for activation in Nonlinearity.allCases + [.leakyRelu(negativeSlope: 0.3)] {
            let name = "\(activation)"
            for z in [-2.5, -0.7, -0.1, 0.2, 0.9, 3.0] {
                let step = 1e-6
                let quotient = (activation.apply(z + step) - activation.apply(z - step)) / (2 * step)
                let derivative = activation.derivative(output: activation.apply(z))
                #expect(abs(quotient - derivative) < 1e-6, "\(name) at \(z): \(quotient) vs \(derivative)")
            }
        }
    }

    @Test func overflowIsInfinityNotNaN() throws {
        #expect(Propagation.standardDeviation([Float(1), .infinity]) == .infinity)
        #expect(Propagation.standardDeviation([Float(1), .nan]) == .infinity)
        #expect(Propagation.standardDeviation([Float(3), 3, 3]) == 0)
        #expect(Propagation.standardDeviation([Double(1), 3]) == 1)
    }

    @Test func rejectsSizesBelowOne() {
        for (depth, width, batch) in [(0, 4, 4), (4, 0, 4), (4, 4, -1)] {
            #expect(throws: WeightInitError.self) {
                try Propagation.run(.lecunNormal(), activation: .relu, depth: depth, width: width, batch: batch)
            }
        }
    }

    private func std(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
    }
}
