import Foundation
import Testing
import _WeightInitKernels

/// The vector paths compute the f32 Box–Muller in fewer operations than the
/// scalar reference (Vector.c radius_f, angle_f), and without an fma
/// instruction (SSE2) round some fused multiply-adds twice through
/// double (Vector.c, "Without a fused multiply-add instruction"), claiming
/// the same bits. Their inputs are finite — the radius and the truncated
/// normal's logarithm read 24 bits of one word, the angle 24 bits of
/// another — so the claim is checked on all 2²⁴ inputs of each, for every
/// vector path this CPU runs.
@Suite struct BoxMullerPartsTests {
    /// Words w = m·2⁸ + low for every m < 2²⁴; the low 8 bits, which the
    /// stream format ignores, vary too.
    static func words(chunk: Int, of chunks: Int) -> [UInt32] {
        let size = (1 << 24) / chunks
        return [UInt32](unsafeUninitializedCapacity: size) { buffer, initialized in
            for j in 0 ..< size {
                let m = chunk * size + j
                buffer[j] = UInt32(m) << 8 | UInt32(truncatingIfNeeded: m &* 0x9E37) & 0xFF
            }
            initialized = size
        }
    }

    struct Parts {
        var radius, sin, cos, log: [Float]
    }

    static func parts(_ words: [UInt32], isa: Int32) -> Parts? {
        var radius = [Float](repeating: 0, count: words.count), sin = radius, cos = radius, log = radius
        let status = wi_box_muller_parts_f(isa, words, words.count, &radius, &sin, &cos, &log)
        guard status == 0 else { return nil }
        return Parts(radius: radius, sin: sin, cos: cos, log: log)
    }

    /// The first index where `a` and `e` differ in any bit (memcmp first: the
    /// arrays are large and this runs unoptimised).
    static func firstDifference(_ a: [Float], _ e: [Float]) -> Int? {
        let same = a.withUnsafeBytes { x in e.withUnsafeBytes { y in x.count == y.count && memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
        return same ? nil : a.indices.first { a[$0].bitPattern != e[$0].bitPattern }
    }

    @Test(arguments: 0 ..< 8)
    func everyInputMatchesTheScalarReference(chunk: Int) {
        let words = Self.words(chunk: chunk, of: 8)
        let expected = Self.parts(words, isa: Int32(WI_ISA_SCALAR.rawValue))!
        for isa in KernelFill.vectorPaths {
            guard let actual = Self.parts(words, isa: isa) else {
                Issue.record("path \(isa) refused")
                continue
            }
            for (name, a, e) in [("radius", actual.radius, expected.radius), ("sin", actual.sin, expected.sin),
                                 ("cos", actual.cos, expected.cos), ("log", actual.log, expected.log)] {
                let first = Self.firstDifference(a, e)
                #expect(first == nil, "path \(isa), \(name), word \(first.map { String(words[$0], radix: 16) } ?? "")")
            }
        }
    }

    /// The hook itself can fail: a radius of −2·log(u°) (no square root), an
    /// angle off by one quadrant or a logarithm of u instead of u° would not match.
    @Test func theHookSeesTheReference() {
        let words: [UInt32] = (0 ..< 16).map { UInt32($0) << 28 | 0x0123_4500 }
        let parts = Self.parts(words, isa: Int32(WI_ISA_SCALAR.rawValue))!
        for (j, w) in words.enumerated() {
            let u = Float((w >> 8) + 1) * 0x1p-24
            #expect(parts.radius[j].bitPattern == (-2 * wi_logf(u)).squareRoot().bitPattern)
            #expect(parts.log[j].bitPattern == wi_logf(u).bitPattern)
            var s: Float = 0, c: Float = 0
            wi_sincos2pif(Float(w >> 8) * 0x1p-24, &s, &c)
            #expect(parts.sin[j].bitPattern == s.bitPattern && parts.cos[j].bitPattern == c.bitPattern)
        }
        #expect(Self.parts([1, 2, 3], isa: Int32(WI_ISA_SCALAR.rawValue)) == nil)  // not a multiple of 16
    }
}
