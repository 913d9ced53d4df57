import _WeightInitKernels

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
