/// How the fans of a weight tensor are read from its shape.
public enum Layout: Sendable, Equatable {
    /// PyTorch: (out, in, kernel…) — fan_in = in·∏kernel, fan_out = out·∏kernel.
    case torch
    /// Keras/TensorFlow: (kernel…, in, out).
    case keras
    /// JAX style: explicit input and output axes; every other axis is a
    /// receptive-field axis.
    case axes(input: Int, output: Int)
}

/// Which fan a variance-scaling scheme divides by.
public enum FanMode: String, CaseIterable, Sendable {
    case fanIn = "fan-in", fanOut = "fan-out", fanAvg = "fan-avg"
}

/// The distribution of Keras' `VarianceScaling`.
public enum VarianceDistribution: String, CaseIterable, Sendable {
    case normal, truncatedNormal = "truncated-normal", uniform
}

/// How orthogonal matrices are computed.
public enum OrthogonalMethod: String, CaseIterable, Sendable {
    /// QR of a Gaussian matrix (`geqrf`/`gelqf` + `orgqr`/`orglq`), with the
    /// sign of diag(R) folded into Q so the result is Haar-distributed.
    case qr
}

/// A weight-initialisation scheme: its distribution plus its parameters.
///
/// ```swift
/// let w: [Float] = try Initializer.kaimingNormal(mode: .fanIn, nonlinearity: .relu)
///     .makeArray(shape: [256, 128], seed: 42)
/// ```
public enum Initializer: Sendable, Equatable {
    case zeros
    case ones
    case constant(Double)
    case uniform(low: Double = 0, high: Double = 1)
    case normal(mean: Double = 0, std: Double = 1)
    case orthogonal(gain: Double = 1, method: OrthogonalMethod = .qr)
}

extension Initializer {
    /// Fills `buffer`, a tensor of `shape` in C order, from `stream`.
    public func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], layout: Layout = .torch,
        stream: RandomStream, options: FillOptions = FillOptions()
    ) throws {
        let count = try Shape.elementCount(shape, elementSize: MemoryLayout<T>.stride)
        guard buffer.count == count else {
            throw WeightInitError.invalidShape(
                shape, reason: "the buffer holds \(buffer.count) elements, the shape needs \(count)")
        }
        switch self {
        case .zeros: buffer.update(repeating: T(rounding: 0))
        case .ones: buffer.update(repeating: T(rounding: 1))
        case let .constant(value):
            guard value.isFinite else {
                throw WeightInitError.invalidParameter("value", value: "\(value)", reason: "must be finite")
            }
            buffer.update(repeating: T(rounding: value))
        case let .uniform(low, high):
            try stream.fill(buffer, with: .uniform(low: low, high: high), options: options)
        case let .normal(mean, std):
            try stream.fill(buffer, with: .normal(mean: mean, std: std), options: options)
        case let .orthogonal(gain, method):
            try Orthogonal.fill(buffer, shape: shape, gain: gain, method: method, stream: stream, options: options)
        }
    }

    /// A new array holding a tensor of `shape` in C order.
    public func makeArray<T: WeightScalar>(
        shape: [Int], layout: Layout = .torch, seed: UInt64, stream: UInt32 = 0,
        options: FillOptions = FillOptions()
    ) throws -> [T] {
        let count = try Shape.elementCount(shape, elementSize: MemoryLayout<T>.stride)
        var error: (any Error)?
        let array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Zero first so an error never leaves uninitialised memory in an array.
            buffer.initialize(repeating: T(rounding: 0))
            initialized = count
            do {
                try fill(buffer, shape: shape, layout: layout,
                         stream: RandomStream(seed: seed, stream: stream), options: options)
            } catch let e { error = e }
        }
        if let error { throw error }
        return array
    }
}

/// Shape checks shared by every scheme.
public enum Shape {
    /// ∏ shape, checked: every dimension ≥ 1 and the byte count fits in Int
    /// and in physical memory.
    public static func elementCount(_ shape: [Int], elementSize: Int) throws -> Int {
        guard !shape.isEmpty else { throw WeightInitError.invalidShape(shape, reason: "need at least one dimension") }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw WeightInitError.invalidShape(shape, reason: "every dimension must be ≥ 1")
        }
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw WeightInitError.tooLarge(shape: shape, reason: "the element count overflows Int") }
            count = product
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow else { throw WeightInitError.tooLarge(shape: shape, reason: "the byte count overflows Int") }
        let memory = physicalMemory
        guard UInt64(bytes) <= memory else {
            throw WeightInitError.tooLarge(shape: shape, reason: "\(bytes) bytes exceed the \(memory) bytes of memory")
        }
        return count
    }

    static let physicalMemory: UInt64 = {
        #if canImport(Glibc)
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, size > 0 { return UInt64(pages) * UInt64(size) }
        #endif
        return UInt64.max
    }()
}

#if canImport(Glibc)
import Glibc
#endif
