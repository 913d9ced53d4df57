import Testing
@testable import WeightInit
import _WeightInitKernels

/// The automatic path's calibration (Kernels.c): the decision, and the
/// timing loop with injected timings. No real time is asserted.
@Suite struct CalibrationTests {
    static let avx512 = Int32(WI_ISA_AVX512.rawValue), avx2 = Int32(WI_ISA_AVX2.rawValue)

    static func choose(_ candidates: [(Int32, Double)]) -> Int32 {
        wi_isa_choose(Int32(candidates.count), candidates.map(\.0), candidates.map(\.1))
    }

    @Test func theFasterPathWins() {
        #expect(Self.choose([(Self.avx512, 1.0), (Self.avx2, 1.5)]) == Self.avx512)   // Intel, two 512-bit ports
        #expect(Self.choose([(Self.avx512, 1.1), (Self.avx2, 1.0)]) == Self.avx2)     // Zen 4, double-pumped
    }

    @Test func aWiderPathNeedsTheMargin() {
        let margin = WI_CALIBRATION_MARGIN
        #expect(Self.choose([(Self.avx512, 1.0), (Self.avx2, 1.0)]) == Self.avx2)
        #expect(Self.choose([(Self.avx512, 1.0), (Self.avx2, 1.0 + margin / 2)]) == Self.avx2)
        #expect(Self.choose([(Self.avx512, 1.0), (Self.avx2, 1.0 + 2 * margin)]) == Self.avx512)
    }

    @Test func oneOrNoCandidate() {
        #expect(Self.choose([(Self.avx2, 3.0)]) == Self.avx2)
        #expect(Self.choose([]) == Int32(WI_ISA_SCALAR.rawValue))
    }

    /// Scripted timings: each call of the timer takes the next time of its
    /// path's script; the warm-up call is not counted.
    final class Script {
        var times: [Int32: [Double]]
        var calls: [Int32] = []
        init(_ times: [Int32: [Double]]) { self.times = times }
    }

    static func calibrate(_ script: Script, rounds: Int32) -> wi_calibration {
        var result = wi_calibration()
        let candidates = [avx512, avx2]
        let timer: wi_calibration_timer = { isa, context in
            let script = Unmanaged<Script>.fromOpaque(context!).takeUnretainedValue()
            script.calls.append(isa)
            return script.times[isa]!.removeFirst()
        }
        _ = wi_isa_calibrate(2, candidates, rounds, timer, Unmanaged.passUnretained(script).toOpaque(), &result)
        return result
    }

    @Test func theBestOfEachPathDecides() {
        // AVX-512's warm-up is slow (9.0, ignored) and one round is disturbed (5.0); its best is 1.0.
        let script = Script([Self.avx512: [9.0, 1.2, 5.0, 1.0], Self.avx2: [2.0, 1.6, 1.5, 1.7]])
        let result = Self.calibrate(script, rounds: 3)
        #expect(result.chosen == Self.avx512)
        #expect(result.count == 2 && result.rounds == 3)
        #expect(result.seconds.0 == 1.0 && result.seconds.1 == 1.5)
        // Warm-ups first, then the candidates alternate.
        #expect(script.calls == [Self.avx512, Self.avx2] + Array(repeating: [Self.avx512, Self.avx2], count: 3).flatMap { $0 })
        let leftOver = script.times.values.map(\.count).reduce(0, +)
        #expect(leftOver == 0)
    }

    @Test func aDoublePumpedMachinePicksAVX2() {
        // The AMD EPYC: AVX-512 4–15 % slower than AVX2.
        let script = Script([Self.avx512: [1.2, 1.15, 1.12, 1.13], Self.avx2: [1.1, 1.0, 1.02, 1.01]])
        #expect(Self.calibrate(script, rounds: 3).chosen == Self.avx2)
    }

    /// This process's own calibration is consistent with its recorded times,
    /// and `.automatic` resolves to it (unless WEIGHTINIT_ISA forces a path).
    @Test func theProcessCalibrationIsConsistent() throws {
        var result = wi_calibration()
        let ran = wi_isa_calibration(&result) == 0
        let isas = withUnsafeBytes(of: result.isa) { Array($0.bindMemory(to: Int32.self).prefix(Int(result.count))) }
        let seconds = withUnsafeBytes(of: result.seconds) { Array($0.bindMemory(to: Double.self).prefix(Int(result.count))) }
        if ran {
            #expect(result.count >= 2)
            #expect(wi_isa_choose(result.count, isas, seconds) == result.chosen)
            #expect(seconds.allSatisfy { $0 > 0 && $0.isFinite } && result.total_seconds > 0)
            #expect(KernelCalibration.current?.chosen == KernelPath(kernelISA: result.chosen))
        } else {
            #expect(result.count == 1 && KernelCalibration.current == nil)
        }
        #expect(wi_isa_available(result.chosen) != 0)
        let forced = getenvString("WEIGHTINIT_ISA").map { !["", "auto"].contains($0) } ?? false
        if !forced { #expect(try KernelPath.automatic.resolved == KernelPath(kernelISA: result.chosen)) }
    }
}
