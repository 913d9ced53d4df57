import Testing
import _WeightInitKernels

/// Every vector path must produce the scalar reference's bytes exactly, for
/// every distribution, format and (first index, count) — including ranges
/// that start or end inside a Philox block and ranges shorter than one
/// vector iteration.
@Suite struct KernelPathTests {
    static let ranges: [(first: UInt64, count: Int)] = [
        (0, 0), (0, 1), (3, 2), (1, 64), (5, 131), (2, 700), (0, 1029),
        ((1 << 32) - 37, 300), ((1 << 40) + 3, 129),
    ]

    /// Uniform covers every one of the vector paths' ways (Kernels.c
    /// prepare_uniform_shortcut): width·2⁻²⁴ exact or not (it underflows for
    /// [0, 10⁻³⁶)) — and without fma a power of two ([0, 1), [−1, 1)), exact
    /// in double with low ([0.1001, 0.2999)) or checked ([10⁻³, 3.3·10⁷)) —,
    /// clamps that cannot bite ([0, 1), [−1, 1)) and clamps that can (the top
    /// of [10⁻³, 3.3·10⁷) in every format, both ends of [0.1001, 0.2999) in
    /// bf16, low not a value of the format).
    static let distributions: [(name: String, params: wi_params)] =
        [("uniform", KernelFill.uniform(-0.3, 0.7)), ("uniform [0, 1)", KernelFill.uniform(0, 1)),
         ("uniform [-1, 1)", KernelFill.uniform(-1, 1)), ("uniform [1e-3, 3.3e7)", KernelFill.uniform(1e-3, 3.3e7)),
         ("uniform [0, 1e-36)", KernelFill.uniform(0, 1e-36)), ("uniform [0.1001, 0.2999)", KernelFill.uniform(0.1001, 0.2999)),
         // Without fma, k·1.5 + 2⁻⁴⁰ rounds in double onto float midpoints
         // (odd integers above 2²⁴): lanes fma_checked hands to libm.
         ("uniform [2^-40, 2^-40 + 1.5·2^24)", KernelFill.uniform(0x1p-40, 0x1p-40 + 0x1.8p24)),
         ("normal", KernelFill.normal(0.1, 0.02)), ("normal (0, 1)", KernelFill.normal(0, 1)),
         ("normal (0, 0.02)", KernelFill.normal(0, 0.02)),
         // Without fma (SSE2), results below float's normal range are lanes
         // the emulation hands to libm (Vector.c fma_checked): (1e-39, 1e-38).
         ("normal (-3, 1e-30)", KernelFill.normal(-3, 1e-30)), ("normal (1e-38, 1e-3)", KernelFill.normal(1e-38, 1e-3)),
         ("normal (1e-39, 1e-38)", KernelFill.normal(1e-39, 1e-38))]
        + KernelFill.windows.map { ("truncated [\($0.low), \($0.high)]", KernelFill.truncated(0, 1, $0.low, $0.high)) }
        + [("truncated, bounds between bf16 values", KernelFill.truncated(0.02, 0.3, -0.1001, 0.3333)),
           // Method N rejecting ~19 %: ~12 of every 64 values queued, past the
           // vector paths' branch-free steps into their loop.
           ("truncated [-1.3, 1.3]", KernelFill.truncated(0, 1, -1.3, 1.3))]

    @Test func someVectorPathIsTested() {
        #if arch(x86_64)
        #expect(KernelFill.vectorPaths.contains(Int32(WI_ISA_SSE2.rawValue)))
        #endif
        // wi_fill refuses a path that is unavailable, so a path listed here is really run.
        for isa in KernelFill.vectorPaths {
            #expect(KernelFill.bytes(KernelFill.normal(0, 1), format: 0, size: 4, first: 0, count: 64, isa: isa) != nil)
        }
    }

    @Test(arguments: KernelFill.vectorPaths)
    func vectorPathMatchesScalar(isa: Int32) {
        let scalar = Int32(WI_ISA_SCALAR.rawValue)
        for (name, params) in Self.distributions {
            for format in KernelFill.formats {
                for (first, count) in Self.ranges {
                    let expected = KernelFill.bytes(params, format: format.code, size: format.size,
                                                    first: first, count: count, isa: scalar)
                    let actual = KernelFill.bytes(params, format: format.code, size: format.size,
                                                  first: first, count: count, isa: isa)
                    #expect(expected != nil)
                    #expect(actual == expected,
                            "path \(isa), \(name), \(format.name), first \(first), count \(count)")
                }
            }
        }
    }

    /// The bits-only fill (WI_DIST_BITS, f32's 4 bytes only) is the same on
    /// every path, and is the Philox words themselves.
    @Test(arguments: KernelFill.vectorPaths)
    func bitsMatchScalar(isa: Int32) {
        let bits = wi_params(distribution: Int32(WI_DIST_BITS.rawValue), p0: 0, p1: 0, p2: 0, p3: 0)
        for (first, count) in Self.ranges + [(0, 64 * 5 + 3), (6, 4096)] {
            let expected = KernelFill.bytes(bits, format: 0, size: 4, first: first, count: count, isa: Int32(WI_ISA_SCALAR.rawValue))
            let actual = KernelFill.bytes(bits, format: 0, size: 4, first: first, count: count, isa: isa)
            #expect(expected != nil && actual == expected, "path \(isa), first \(first), count \(count)")
        }
        for format in KernelFill.formats.dropFirst() {
            #expect(KernelFill.bytes(bits, format: format.code, size: format.size, first: 0, count: 64, isa: isa) == nil)
        }
    }

    /// Splitting a range into pieces at arbitrary offsets changes nothing.
    @Test(arguments: KernelFill.vectorPaths)
    func chunkingDoesNotChangeValues(isa: Int32) {
        let params = KernelFill.truncated(0, 1, -1, 1)
        for format in KernelFill.formats {
            let whole = KernelFill.bytes(params, format: format.code, size: format.size, first: 11, count: 2000, isa: isa)!
            var pieces: [UInt8] = []
            var first: UInt64 = 11
            for count in [1, 77, 3, 1024, 895] {
                pieces += KernelFill.bytes(params, format: format.code, size: format.size, first: first,
                                           count: count, isa: isa)!
                first += UInt64(count)
            }
            #expect(pieces == whole, "\(format.name)")
        }
    }
}

/// Direct access to the C kernels for the kernel-level tests: raw output
/// bytes of `wi_fill`, and the distributions and formats under test.
enum KernelFill {
    static let formats: [(name: String, code: Int32, size: Int)] = [
        ("f32", Int32(WI_FORMAT_F32.rawValue), 4), ("f64", Int32(WI_FORMAT_F64.rawValue), 8),
        ("f16", Int32(WI_FORMAT_F16.rawValue), 2), ("bf16", Int32(WI_FORMAT_BF16.rawValue), 2),
    ]

    static func uniform(_ low: Double, _ high: Double) -> wi_params {
        wi_params(distribution: Int32(WI_DIST_UNIFORM.rawValue), p0: low, p1: high, p2: 0, p3: 0)
    }

    static func normal(_ mean: Double, _ std: Double) -> wi_params {
        wi_params(distribution: Int32(WI_DIST_NORMAL.rawValue), p0: mean, p1: std, p2: 0, p3: 0)
    }

    static func truncated(_ mean: Double, _ std: Double, _ low: Double, _ high: Double) -> wi_params {
        wi_params(distribution: Int32(WI_DIST_TRUNCATED_NORMAL.rawValue), p0: mean, p1: std, p2: low, p3: high)
    }

    /// The standard-normal windows exercising every truncated-normal method:
    /// N ([−2, 2]), U around 0 ([−1, 1]), U one-sided ([0.5, 0.6], [1, 1.5]),
    /// E ([3, ∞)) and mirrored E ((−∞, −5]).
    static let windows: [(low: Double, high: Double)] = [
        (-2, 2), (-1, 1), (3, .infinity), (-.infinity, -5), (0.5, 0.6), (1, 1.5),
    ]

    /// The raw bytes of `count` values from `first` in `format`, or nil if
    /// `wi_fill` refused.
    static func bytes(_ params: wi_params, format: Int32, size: Int, first: UInt64, count: Int,
                      isa: Int32, seed: UInt64 = 42, stream: UInt32 = 7) -> [UInt8]? {
        var params = params
        var out = [UInt8](repeating: 0xA5, count: max(count * size, 1))
        let status = out.withUnsafeMutableBytes {
            wi_fill($0.baseAddress, format, first, count, seed, stream, &params, isa)
        }
        return status == 0 ? out : nil
    }

    /// Float-sampled values decoded from raw bytes as Doubles.
    static func decode(_ bytes: [UInt8], format: Int32) -> [Double] {
        bytes.withUnsafeBytes { raw in
            switch format {
            case Int32(WI_FORMAT_F32.rawValue):
                return raw.bindMemory(to: Float.self).map(Double.init)
            case Int32(WI_FORMAT_F64.rawValue):
                return Array(raw.bindMemory(to: Double.self))
            case Int32(WI_FORMAT_F16.rawValue):
                return raw.bindMemory(to: UInt16.self).map { halfToDouble($0) }
            default:
                return raw.bindMemory(to: UInt16.self).map { Double(Float(bitPattern: UInt32($0) << 16)) }
            }
        }
    }

    /// binary16 → Double, exact (written out so the test does not depend on
    /// Float16 being available).
    static func halfToDouble(_ h: UInt16) -> Double {
        let sign: Double = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F), fraction = Double(h & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// The vector paths this CPU can run.
    static var vectorPaths: [Int32] {
        [WI_ISA_SSE2, WI_ISA_AVX2, WI_ISA_AVX512, WI_ISA_NEON].map { Int32($0.rawValue) }
            .filter { wi_isa_available($0) != 0 }
    }
}
