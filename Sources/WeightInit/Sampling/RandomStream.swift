import _WeightInitKernels

/// A distribution the sampling engine draws from.
public enum Distribution: Sendable, Equatable {
    /// U[low, high): no value is ever ≥ high or < low, in any output format.
    case uniform(low: Double, high: Double)
    /// N(mean, std²), by Box–Muller.
    case normal(mean: Double, std: Double)
    /// N(mean, std²) conditioned on [low, high] (absolute bounds); no value is
    /// ever outside them, in any output format.
    case truncatedNormal(mean: Double, std: Double, low: Double, high: Double)
}

/// Which implementation of the sampling kernels to run. All produce the same
/// bits; `.automatic` picks the fastest this CPU supports, or the one named by
/// the `WEIGHTINIT_ISA` environment variable.
public enum KernelPath: String, CaseIterable, Sendable {
    case automatic = "auto", scalar, sse2, avx2, avx512, neon
}

/// How a fill is split over threads. None of these change any value.
public struct FillOptions: Sendable {
    /// Worker threads; `nil` uses every core.
    public var threads: Int?
    /// Elements per work item.
    public var chunkSize: Int
    /// Kernel implementation.
    public var path: KernelPath

    public init(threads: Int? = nil, chunkSize: Int = 1 << 16, path: KernelPath = .automatic) {
        self.threads = threads
        self.chunkSize = chunkSize
        self.path = path
    }
}

/// A counter-based random stream: the value at flat index `i` depends only on
/// (seed, stream, i) and the distribution — see <doc:StreamFormat>.
///
/// ```swift
/// var w = [Float](repeating: 0, count: 512 * 256)
/// try RandomStream(seed: 42).fill(&w, with: .normal(mean: 0, std: 0.02))
/// ```
public struct RandomStream: Sendable, Hashable {
    public var seed: UInt64
    /// Distinguishes tensors generated from one seed.
    public var stream: UInt32

    public init(seed: UInt64, stream: UInt32 = 0) {
        self.seed = seed
        self.stream = stream
    }

    /// Fills `buffer` with the values at flat indices
    /// `startIndex ..< startIndex + buffer.count` of this stream.
    public func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, with distribution: Distribution,
        startIndex: UInt64 = 0, options: FillOptions = FillOptions()
    ) throws {
        var params = try distribution.validatedKernelParameters(format: T.format)
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let isa = try options.path.resolvedKernelISA()
        let status = wi_fill(UnsafeMutableRawPointer(base), T.format.kernelFormat, startIndex, buffer.count,
                             seed, stream, &params, isa)
        precondition(status == 0, "wi_fill rejected validated parameters (status \(status))")
    }

    /// Fills `array` (see ``fill(_:with:startIndex:options:)-(UnsafeMutableBufferPointer<T>,_,_,_)``).
    public func fill<T: WeightScalar>(
        _ array: inout [T], with distribution: Distribution,
        startIndex: UInt64 = 0, options: FillOptions = FillOptions()
    ) throws {
        try array.withUnsafeMutableBufferPointer {
            try fill($0, with: distribution, startIndex: startIndex, options: options)
        }
    }
}

extension KernelPath {
    func resolvedKernelISA() throws -> Int32 {
        let isa: Int32
        switch self {
        case .automatic:
            isa = wi_isa_default()
            if isa < 0 {
                throw WeightInitError.kernelUnavailable(getenvString("WEIGHTINIT_ISA") ?? "?")
            }
            return isa
        case .scalar: isa = Int32(WI_ISA_SCALAR.rawValue)
        case .sse2: isa = Int32(WI_ISA_SSE2.rawValue)
        case .avx2: isa = Int32(WI_ISA_AVX2.rawValue)
        case .avx512: isa = Int32(WI_ISA_AVX512.rawValue)
        case .neon: isa = Int32(WI_ISA_NEON.rawValue)
        }
        guard isa == Int32(WI_ISA_SCALAR.rawValue) || wi_isa_available(isa) != 0 else {
            throw WeightInitError.kernelUnavailable(rawValue)
        }
        return isa
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func getenvString(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

extension Distribution {
    /// Checks the parameters and returns them in the kernel's form.
    func validatedKernelParameters(format: ScalarFormat) throws -> wi_params {
        func finite(_ name: String, _ value: Double) throws {
            guard value.isFinite else {
                throw WeightInitError.invalidParameter(name, value: "\(value)", reason: "must be finite")
            }
        }
        func positive(_ name: String, _ value: Double) throws {
            guard value.isFinite, value > 0 else {
                throw WeightInitError.invalidParameter(name, value: "\(value)", reason: "must be finite and > 0")
            }
        }
        var params = wi_params()
        switch self {
        case let .uniform(low, high):
            try finite("low", low)
            try finite("high", high)
            guard low < high, (high - low).isFinite else {
                throw WeightInitError.invalidParameter(
                    "uniform bounds", value: "[\(low), \(high))", reason: "need low < high, both finite")
            }
            params.distribution = Int32(WI_DIST_UNIFORM.rawValue)
            params.p0 = low
            params.p1 = high
        case let .normal(mean, std):
            try finite("mean", mean)
            try positive("std", std)
            params.distribution = Int32(WI_DIST_NORMAL.rawValue)
            params.p0 = mean
            params.p1 = std
        case let .truncatedNormal(mean, std, low, high):
            try finite("mean", mean)
            try positive("std", std)
            guard !low.isNaN, !high.isNaN, low < high else {
                throw WeightInitError.invalidParameter(
                    "truncation bounds", value: "[\(low), \(high)]", reason: "need low < high")
            }
            params.distribution = Int32(WI_DIST_TRUNCATED_NORMAL.rawValue)
            params.p0 = mean
            params.p1 = std
            params.p2 = low
            params.p3 = high
        }
        var lo = 0.0, hi = 0.0
        _ = wi_output_bounds(format.kernelFormat, &params, &lo, &hi)
        guard lo <= hi else {
            throw WeightInitError.invalidParameter(
                "bounds", value: params.distribution == Int32(WI_DIST_UNIFORM.rawValue)
                    ? "[\(params.p0), \(params.p1))" : "[\(params.p2), \(params.p3)]",
                reason: "no \(format.rawValue) value lies in the interval")
        }
        return params
    }
}
