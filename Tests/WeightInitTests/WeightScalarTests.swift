import Testing
@_spi(Plumbing) import WeightInit

/// f16 and bf16 outputs are the float sample rounded to nearest, ties to even
/// — checked bit for bit against Swift's own `Float16(Float)` and against a
/// bf16 rounding written here, independent of the kernel's bit trick.
struct WeightScalarTests {
    /// bf16 round to nearest, ties to even, by comparing the distances to the
    /// two neighbours (finite, non-NaN `x` below the bf16 overflow threshold).
    static func bf16Rounded(_ x: Float) -> UInt16 {
        let truncated = UInt16(x.bitPattern >> 16)  // towards zero
        let lower = Double(Float(bitPattern: UInt32(truncated) << 16))
        let upper = Double(Float(bitPattern: UInt32(truncated + 1) << 16))  // away from zero
        let toLower = abs(Double(x) - lower), toUpper = abs(upper - Double(x))
        if toLower != toUpper { return toLower < toUpper ? truncated : truncated + 1 }
        return truncated & 1 == 0 ? truncated : truncated + 1
    }

    @Test func bf16ConversionRoundsToNearestEven() {
        var values: [Float] = [0, -0, 1, -1, 0.1, -0.1, 3.14159, 1e-38, -Float.leastNormalMagnitude / 3, 65504, 3e38, .leastNonzeroMagnitude]
        // Exact ties: halfway between neighbours with an even and an odd last bit.
        values += [Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000),
                   Float(bitPattern: 0xBF80_8000), Float(bitPattern: 0x3F80_8001), Float(bitPattern: 0x3F80_7FFF)]
        values += (0 ..< 2000).map { Float(bitPattern: UInt32($0) &* 0x9E37_79B9 & 0x7F7F_FFFF) }
        for x in values {
            #expect(BFloat16(x).bitPattern == Self.bf16Rounded(x), "\(x) (\(String(x.bitPattern, radix: 16)))")
        }
        #expect(BFloat16(Float.nan).floatValue.isNaN)
        #expect(BFloat16(Float.infinity).floatValue == .infinity)
    }

    @Test func byteCountsMatchTheTypes() {
        #expect(MemoryLayout<Float>.stride == DType.f32.byteCount)
        #expect(MemoryLayout<Double>.stride == DType.f64.byteCount)
        #expect(MemoryLayout<Float16>.stride == DType.f16.byteCount)
        #expect(MemoryLayout<BFloat16>.stride == DType.bf16.byteCount)
    }

    /// Uniform bounds representable in f16 and bf16 (so the only clamp the
    /// narrow formats add is high → its predecessor), and normals.
    static let distributions: [Distribution] = [
        .normal(mean: 0, std: 1), .normal(mean: 0.5, std: 3), .normal(mean: 0, std: 1e-3),
        .uniform(low: -1, high: 0.5), .uniform(low: 0, high: 0x1p-10),
    ]

    @Test(arguments: distributions)
    func narrowFormatsAreTheFloatSampleRounded(_ distribution: Distribution) throws {
        let stream = RandomStream(seed: 21, stream: 2)
        let count = 50_001
        let wide = try stream.makeArray(of: Float.self, count: count, with: distribution, startIndex: 3)
        let half = try stream.makeArray(of: Float16.self, count: count, with: distribution, startIndex: 3)
        let brain = try stream.makeArray(of: BFloat16.self, count: count, with: distribution, startIndex: 3)
        let high: Float = if case let .uniform(_, high) = distribution { Float(high) } else { .infinity }

        var halfMismatches = 0, brainMismatches = 0
        for j in 0 ..< count {
            // The uniform's clamp below high, applied after rounding.
            var h = Float16(wide[j])
            if Float(h) >= high { h = Float16(high).nextDown }
            if h.bitPattern != half[j].bitPattern { halfMismatches += 1 }
            var b = Self.bf16Rounded(wide[j])
            if Float(bitPattern: UInt32(b) << 16) >= high { b = Self.bf16Rounded(high) - 1 }  // high > 0 here
            if b != brain[j].bitPattern { brainMismatches += 1 }
        }
        #expect(halfMismatches == 0)
        #expect(brainMismatches == 0)
    }
}
