import _WeightInitKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which implementation of the sampling kernels to run. All produce the same
/// bits; `.automatic` picks the fastest this CPU supports, or the one named by
/// the `WEIGHTINIT_ISA` environment variable.
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
            let isa = try resolvedKernelISA()
            guard let path = Self.allCases.first(where: { $0 != .automatic && (try? $0.kernelISA()) == isa }) else {
                preconditionFailure("the kernels chose ISA \(isa), which KernelPath does not name")
            }
            return path
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
    private func kernelISA() throws -> Int32 {
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
    /// a path the CPU supports may still have no kernel in this build (the
    /// vector paths are being written), and `wi_fill` then returns −1. A fill
    /// of zero elements asks exactly that question without writing anything.
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

func getenvString(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
