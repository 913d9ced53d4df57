import _WeightInitKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which implementation of the sampling kernels to run. All produce the same
/// bits; `.automatic` is the one named by the `WEIGHTINIT_ISA` environment
/// variable, or else the fastest here: where the CPU has both AVX-512 and
/// AVX2, the first automatic fill of the process times a small fill on each
/// (about 0.1–0.2 ms, once, thread-safe) and keeps the faster — AVX-512 only
/// if it wins by 5 % — because which one wins depends on the core (Intel's
/// two 512-bit ports vs AMD Zen 4's double-pumped 256-bit units), not on the
/// flags.
///
/// ```swift
/// for path in KernelPath.available {   // e.g. [.scalar, .sse2, .avx2]
///     try RandomStream(seed: 1).fill(&w, with: .normal(mean: 0, std: 1),
///                                    options: FillOptions(path: path))
/// }
/// ```
public enum KernelPath: String, CaseIterable, Sendable {
    case automatic = "auto", scalar, sse2, avx2, avx512, neon

    /// The concrete paths that can run on this CPU in this build, in
    /// declaration order (`.scalar` always; never `.automatic`).
    public static var available: [KernelPath] {
        allCases.filter { $0 != .automatic && $0.isAvailable }
    }

    /// Whether a fill on this path can run here: the CPU supports the ISA and
    /// this build has a kernel for it. For `.automatic`: whether
    /// `WEIGHTINIT_ISA` (if set) names such a path.
    public var isAvailable: Bool {
        guard let isa = try? kernelISA() else { return false }
        return Self.kernelRuns(isa)
    }

    /// The concrete path this one runs as: itself, or for `.automatic` the
    /// one `WEIGHTINIT_ISA` names or else the fastest available.
    ///
    /// - Throws: ``WeightInitError/kernelUnavailable(_:)`` if that path cannot
    ///   run here.
    public var resolved: KernelPath {
        get throws {
            KernelPath(kernelISA: try resolvedKernelISA())
        }
    }

    /// The kernel's ISA number for this path, checked to run here.
    func resolvedKernelISA() throws -> Int32 {
        let isa = try kernelISA()
        guard Self.kernelRuns(isa) else { throw WeightInitError.kernelUnavailable(rawValue) }
        return isa
    }

    /// The kernel's ISA number, unchecked (for `.automatic`: what
    /// `wi_isa_default` picks).
    fileprivate func kernelISA() throws -> Int32 {
        switch self {
        case .automatic:
            let isa = wi_isa_default()
            guard isa >= 0 else {
                throw WeightInitError.kernelUnavailable(getenvString("WEIGHTINIT_ISA") ?? "?")
            }
            return isa
        case .scalar: return Int32(WI_ISA_SCALAR.rawValue)
        case .sse2: return Int32(WI_ISA_SSE2.rawValue)
        case .avx2: return Int32(WI_ISA_AVX2.rawValue)
        case .avx512: return Int32(WI_ISA_AVX512.rawValue)
        case .neon: return Int32(WI_ISA_NEON.rawValue)
        }
    }

    /// Whether `wi_fill` accepts `isa`. `wi_isa_available` only asks the CPU;
    /// a path the CPU supports may still have no kernel in this build (NEON
    /// on x86, x86 paths on ARM), and `wi_fill` then returns −1. A fill of
    /// zero elements asks exactly that question without writing anything.
    private static func kernelRuns(_ isa: Int32) -> Bool {
        guard isa == Int32(WI_ISA_SCALAR.rawValue) || wi_isa_available(isa) != 0 else { return false }
        var params = wi_params()
        params.distribution = Int32(WI_DIST_UNIFORM.rawValue)
        params.p0 = 0
        params.p1 = 1
        var scratch: UInt64 = 0
        return wi_fill(&scratch, Int32(WI_FORMAT_F64.rawValue), 0, 0, 0, 0, &params, isa) == 0
    }
}

/// How ``KernelPath/automatic`` chose its path in this process, when there
/// was a choice (see ``KernelPath``).
package struct KernelCalibration: Sendable {
    /// The candidates, widest first, with the best of their timed fills.
    package let candidates: [(path: KernelPath, seconds: Double)]
    package let chosen: KernelPath
    /// Timed rounds per candidate (after one untimed warm-up each).
    package let rounds: Int
    /// Wall-clock time of the whole calibration.
    package let totalSeconds: Double

    /// This process's calibration (run now if it has not run), or nil if
    /// there was only one candidate.
    package static var current: KernelCalibration? {
        var result = wi_calibration()
        guard wi_isa_calibration(&result) == 0 else { return nil }
        return KernelCalibration(result)
    }

    init(_ result: wi_calibration) {
        let isas = withUnsafeBytes(of: result.isa) { Array($0.bindMemory(to: Int32.self)) }
        let seconds = withUnsafeBytes(of: result.seconds) { Array($0.bindMemory(to: Double.self)) }
        candidates = (0 ..< Int(result.count)).map { (KernelPath(kernelISA: isas[$0]), seconds[$0]) }
        chosen = KernelPath(kernelISA: result.chosen)
        rounds = Int(result.rounds)
        totalSeconds = result.total_seconds
    }
}

extension KernelPath {
    /// The path of a kernel ISA number.
    init(kernelISA isa: Int32) {
        guard let path = Self.allCases.first(where: { $0 != .automatic && (try? $0.kernelISA()) == isa }) else {
            preconditionFailure("the kernels chose ISA \(isa), which KernelPath does not name")
        }
        self = path
    }
}

func getenvString(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
