/// The distribution of Keras' `VarianceScaling`.
public enum VarianceDistribution: String, CaseIterable, Sendable {
    case normal, truncatedNormal = "truncated-normal", uniform
}

/// How orthogonal matrices are computed. Both give Haar-distributed
/// matrices; they read different stream values, so their outputs differ.
public enum OrthogonalMethod: String, CaseIterable, Sendable {
    /// QR of a Gaussian matrix (`geqrf`/`gelqf` + `orgqr`/`orglq`), with the
    /// sign of diag(R) folded into Q so the result is Haar-distributed.
    case qr
    /// Stewart (1980): Householder reflectors built directly from Gaussian
    /// vectors of decreasing length, then `orgqr`/`orglq` — no factorisation,
    /// about half the normals and half the flops of ``qr``.
    case householder

    /// The method `.orthogonal(gain:)` uses: ``householder``, which reads
    /// about half the normals and does about half the flops of ``qr`` (see
    /// <doc:Orthogonal>; timings: the README's benchmarks).
    public static let `default`: OrthogonalMethod = .householder
}

/// A weight-initialisation scheme: its distribution plus its parameters.
///
/// Every sampling scheme reduces to one ``Distribution`` — see
/// ``distribution(shape:layout:)`` — and is drawn by the same fill path, so
/// every scheme runs at the sampling engine's speed. Names follow PyTorch
/// (`torch.nn.init`), with the Keras names as CLI aliases.
///
/// ```swift
/// let w: [Float] = try Initializer.kaimingNormal(mode: .fanIn, nonlinearity: .relu)
///     .makeArray(shape: [256, 128], seed: 42)
/// ```
public enum Initializer: Sendable, Equatable {
    /// All zeros.
    case zeros
    /// All ones.
    case ones
    /// Every element `value`.
    case constant(Double)
    /// U[low, high) (PyTorch `uniform_`, default U[0, 1)).
    case uniform(low: Double = 0, high: Double = 1)
    /// U(−1/√fan_in, 1/√fan_in): PyTorch's default for `nn.Linear` and
    /// `nn.Conv*` weights (`kaiming_uniform_(a=√5)` works out to this bound).
    case uniformFanIn
    /// N(mean, std²) (PyTorch `normal_`, default N(0, 1); "small random" init is std 0.01).
    case normal(mean: Double = 0, std: Double = 1)
    /// N(mean, std²) truncated to [low, high], default mean ± 2·std
    /// (PyTorch `trunc_normal_` takes absolute bounds; Keras `TruncatedNormal`
    /// uses ± 2·std). No value is ever outside the bounds.
    case truncatedNormal(mean: Double = 0, std: Double = 1, low: Double? = nil, high: Double? = nil)
    /// Glorot & Bengio (2010), "Understanding the difficulty of training deep
    /// feedforward neural networks": U(±a), a = gain·√(6/(fan_in + fan_out)).
    /// Also: `glorot_uniform` (Keras), `xavier_uniform_` (PyTorch).
    case xavierUniform(gain: Double = 1)
    /// Glorot & Bengio (2010): N(0, σ²), σ = gain·√(2/(fan_in + fan_out)).
    /// `truncated: true` is Keras' `glorot_normal` (see ``Initializer/truncatedStdCorrection``).
    case xavierNormal(gain: Double = 1, truncated: Bool = false)
    /// He et al. (2015), "Delving deep into rectifiers": U(±a), a = gain·√(3/fan),
    /// gain from `nonlinearity` unless given. Also: `he_uniform`, `kaiming_uniform_`.
    case kaimingUniform(mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .relu, gain: Double? = nil)
    /// He et al. (2015): N(0, σ²), σ = gain/√fan. `truncated: true` is Keras' `he_normal`.
    case kaimingNormal(mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .relu, gain: Double? = nil,
                       truncated: Bool = false)
    /// LeCun et al. (1998), "Efficient BackProp": U(±√(3/fan_in)).
    case lecunUniform
    /// LeCun et al. (1998): N(0, 1/fan_in); with SELU this is the
    /// self-normalising init of Klambauer et al. (2017). `truncated: true` is
    /// Keras' `lecun_normal`.
    case lecunNormal(truncated: Bool = false)
    /// Keras `VarianceScaling`: with n the chosen fan and s = scale/n —
    /// normal: N(0, s); truncated-normal: N(0, s/0.8796…²) truncated at ±2σ;
    /// uniform: U(±√(3s)).
    case varianceScaling(scale: Double = 1, mode: FanMode = .fanIn, distribution: VarianceDistribution = .truncatedNormal)
    /// Saxe et al. (2014), "Exact solutions to the nonlinear dynamics of
    /// learning in deep linear neural networks": a Haar-random matrix with
    /// orthonormal rows (or columns) times gain, the tensor flattened to
    /// rows × ∏rest. `blocks: k` makes each of the k stacked h × h blocks of
    /// a (k·h) × h matrix independently orthogonal (LSTM k = 4, GRU k = 3).
    case orthogonal(gain: Double = 1, method: OrthogonalMethod = .default, blocks: Int = 1)
    /// Xiao et al. (2018), "Dynamical isometry and a mean field theory of
    /// CNNs": a convolution weight that is zero except at the spatial centre,
    /// which holds a Haar-random out × in matrix with orthonormal columns
    /// times gain (needs out ≥ in).
    case deltaOrthogonal(gain: Double = 1)
    /// The identity matrix times gain (2-D; PyTorch `eye_`, Keras `Identity`).
    case eye(gain: Double = 1)
    /// The Dirac delta of a convolution (3-, 4-, 5-D): the layer passes
    /// `min(out/groups, in)` channels through unchanged in each group
    /// (PyTorch `dirac_`).
    case dirac(groups: Int = 1)
    /// Martens (2010), "Deep learning via Hessian-free optimization": N(0, std²)
    /// with ⌈sparsity·rows⌉ zeros at random rows of every column (2-D, PyTorch `sparse_`).
    case sparse(sparsity: Double, std: Double = 0.01)

    /// The standard deviation of a standard normal truncated to [−2, 2]:
    /// √(1 − 4φ(2)/(Φ(2) − Φ(−2))) = 0.87962566103423978. Keras divides the
    /// target σ by it before truncating at ±2σ, so the *truncated* samples have
    /// the intended standard deviation.
    public static let truncatedStdCorrection = 0.87962566103423978
}

// MARK: - Distributions of the sampling schemes

extension Initializer {
    /// What a scheme does to a tensor.
    enum Plan: Equatable {
        case constant(Double)
        case sample(Distribution)
        case orthogonal(gain: Double, method: OrthogonalMethod, blocks: Int)
        case deltaOrthogonal(gain: Double)
        case eye(gain: Double)
        case dirac(groups: Int)
        case sparse(sparsity: Double, std: Double)
    }

    /// The distribution this scheme samples for a tensor of `shape` in
    /// `layout`, or `nil` for the structured schemes (zeros, ones, constant,
    /// orthogonal, eye, dirac, sparse).
    public func distribution(shape: [Int], layout: Layout = .torch) throws -> Distribution? {
        if case let .sample(distribution) = try plan(shape: shape, layout: layout) { return distribution }
        return nil
    }

    func plan(shape: [Int], layout: Layout) throws -> Plan {
        try validate()
        func fans() throws -> Fans { try Fans(shape: shape, layout: layout) }
        switch self {
        case .zeros: return .constant(0)
        case .ones: return .constant(1)
        case let .constant(value):
            return .constant(value)
        case let .uniform(low, high):
            return .sample(.uniform(low: low, high: high))
        case .uniformFanIn:
            return .sample(Self.symmetricUniform(bound: 1 / Double(try fans().fanIn).squareRoot()))
        case let .normal(mean, std):
            return .sample(.normal(mean: mean, std: std))
        case let .truncatedNormal(mean, std, low, high):
            return .sample(.truncatedNormal(mean: mean, std: std, low: low ?? mean - 2 * std, high: high ?? mean + 2 * std))
        case let .xavierUniform(gain):
            let f = try fans()
            return .sample(Self.symmetricUniform(bound: gain * (6 / f.fanSum).squareRoot()))
        case let .xavierNormal(gain, truncated):
            let f = try fans()
            return .sample(Self.centredNormal(std: gain * (2 / f.fanSum).squareRoot(), truncated: truncated))
        case let .kaimingUniform(mode, nonlinearity, gain):
            let g = try Self.resolvedGain(gain, nonlinearity)
            return .sample(Self.symmetricUniform(bound: g * (3 / (try fans().fan(mode))).squareRoot()))
        case let .kaimingNormal(mode, nonlinearity, gain, truncated):
            let g = try Self.resolvedGain(gain, nonlinearity)
            return .sample(Self.centredNormal(std: g / (try fans().fan(mode)).squareRoot(), truncated: truncated))
        case .lecunUniform:
            return .sample(Self.symmetricUniform(bound: (3 / Double(try fans().fanIn)).squareRoot()))
        case let .lecunNormal(truncated):
            return .sample(Self.centredNormal(std: 1 / Double(try fans().fanIn).squareRoot(), truncated: truncated))
        case let .varianceScaling(scale, mode, distribution):
            let s = scale / max(1, try fans().fan(mode))
            switch distribution {
            case .normal: return .sample(Self.centredNormal(std: s.squareRoot(), truncated: false))
            case .truncatedNormal: return .sample(Self.centredNormal(std: s.squareRoot(), truncated: true))
            case .uniform: return .sample(Self.symmetricUniform(bound: (3 * s).squareRoot()))
            }
        case let .orthogonal(gain, method, blocks):
            try Orthogonal.checkBlocks(shape: shape, blocks: blocks)
            return .orthogonal(gain: gain, method: method, blocks: blocks)
        case let .deltaOrthogonal(gain):
            try DeltaOrthogonal.check(shape: shape, layout: layout)
            return .deltaOrthogonal(gain: gain)
        case let .eye(gain):
            guard shape.count == 2 else {
                throw WeightInitError.invalidShape(shape, reason: "eye needs a 2-D shape")
            }
            return .eye(gain: gain)
        case let .dirac(groups):
            try Self.checkDirac(shape: shape, layout: layout, groups: groups)
            return .dirac(groups: groups)
        case let .sparse(sparsity, std):
            guard shape.count == 2 else {
                throw WeightInitError.invalidShape(shape, reason: "sparse needs a 2-D shape (rows, columns)")
            }
            return .sparse(sparsity: sparsity, std: std)
        }
    }

    static func symmetricUniform(bound: Double) -> Distribution { .uniform(low: -bound, high: bound) }

    /// N(0, σ²), or Keras' truncated variant: σ/0.8796… truncated at ±2 of that σ.
    static func centredNormal(std: Double, truncated: Bool) -> Distribution {
        guard truncated else { return .normal(mean: 0, std: std) }
        let s = std / truncatedStdCorrection
        return .truncatedNormal(mean: 0, std: s, low: -2 * s, high: 2 * s)
    }

    static func resolvedGain(_ gain: Double?, _ nonlinearity: Nonlinearity) throws -> Double {
        if case let .leakyRelu(slope) = nonlinearity {
            try check("negative slope", slope, finite: true)
            // Gain √(2 / (1 + a²)): a² past the largest double would make it 0
            // and the error would be about a gain nobody gave
            // (torch.nn.init.calculate_gain raises OverflowError there).
            guard (slope * slope).isFinite else {
                throw WeightInitError.invalidParameter(
                    "negative slope", value: "\(slope)",
                    reason: "leaky-relu's gain √(2/(1 + a²)) needs a² finite (|a| ≤ 1.3e154)")
            }
        }
        let g = gain ?? Gain.recommended(for: nonlinearity)
        try check("gain", g, positive: true)
        return g
    }

    /// The shape checks of a dirac fill (groups ≥ 1 is ``validate()``'s).
    static func checkDirac(shape: [Int], layout: Layout, groups: Int) throws {
        guard (3...5).contains(shape.count) else {
            throw WeightInitError.invalidShape(shape, reason: "dirac needs a 3-, 4- or 5-D convolution weight")
        }
        let (_, output) = try layout.axes(rank: shape.count, shape: shape)
        guard shape[output] % groups == 0 else {
            throw WeightInitError.invalidParameter(
                "groups", value: "\(groups)", reason: "must divide the \(shape[output]) output channels")
        }
    }
}

// MARK: - Parameters, before any shape

extension Initializer {
    /// Checks every parameter that does not depend on the shape or the
    /// element type: finite values, std, scale and Xavier or Kaiming gains
    /// > 0, ordered bounds (low < high, a < b), sparsity in [0, 1], the
    /// negative slope of leaky-relu finite, orthogonal and delta-orthogonal
    /// gains ≥ 0, groups and blocks ≥ 1.
    ///
    /// The one place these are checked: scheme text is refused by it when
    /// it is parsed (`weightinit_scheme_parse`, `weightinit generate`), and
    /// every fill runs it first. What depends on the shape (fans, ranks,
    /// groups that must divide the channels) or on the element type (values
    /// that would be infinite in f16) is checked when a tensor is filled.
    ///
    /// ```swift
    /// try Initializer.normal(std: -1).validate()   // throws invalidParameter("std", …)
    /// ```
    public func validate() throws {
        switch self {
        case .zeros, .ones, .uniformFanIn, .lecunUniform, .lecunNormal:
            return
        case let .constant(value):
            try check("value", value, finite: true)
        case let .uniform(low, high):
            try Distribution.uniform(low: low, high: high).validate()
        case let .normal(mean, std):
            try Distribution.normal(mean: mean, std: std).validate()
        case let .truncatedNormal(mean, std, low, high):
            try Distribution.truncatedNormal(mean: mean, std: std, low: low ?? mean - 2 * std, high: high ?? mean + 2 * std)
                .validate()
        case let .xavierUniform(gain), let .xavierNormal(gain, _):
            try check("gain", gain, positive: true)
        case let .kaimingUniform(_, nonlinearity, gain), let .kaimingNormal(_, nonlinearity, gain, _):
            _ = try Self.resolvedGain(gain, nonlinearity)
        case let .varianceScaling(scale, _, _):
            try check("scale", scale, positive: true)
        case let .orthogonal(gain, _, blocks):
            try check("gain", gain, nonNegative: true)
            guard blocks >= 1 else {
                throw WeightInitError.invalidParameter("blocks", value: "\(blocks)", reason: "must be ≥ 1")
            }
        case let .deltaOrthogonal(gain):
            try check("gain", gain, nonNegative: true)
        case let .eye(gain):
            try check("gain", gain, finite: true)
        case let .dirac(groups):
            guard groups >= 1 else {
                throw WeightInitError.invalidParameter("groups", value: "\(groups)", reason: "must be ≥ 1")
            }
        case let .sparse(sparsity, std):
            guard sparsity.isFinite, (0...1).contains(sparsity) else {
                throw WeightInitError.invalidParameter("sparsity", value: "\(sparsity)", reason: "must be in [0, 1]")
            }
            try check("std", std, positive: true)
        }
    }
}

// MARK: - Values that must fit the element type

extension Initializer {
    /// The plan for `shape`, checked against the element type: every value
    /// the scheme can write must be finite in `format`, or it is refused
    /// before anything is written (a constant 1e39 in f32, 70000 in f16, an
    /// orthogonal or eye gain beyond the format's range; sampled
    /// distributions are checked as the sampler checks them).
    func plan(shape: [Int], layout: Layout, format: DType) throws -> Plan {
        let plan = try plan(shape: shape, layout: layout)
        switch plan {
        case let .constant(value):
            try Self.checkFinite("value", value, in: format)
        case let .sample(distribution):
            _ = try distribution.validatedKernelParameters(format: format)
        case let .orthogonal(gain, _, _), let .deltaOrthogonal(gain):
            // Entries are gain·q with |q| ≤ 1 up to rounding (n·ε relative,
            // below 2⁻⁸ for any n < 2¹⁶ in f32); the margin keeps gain·q finite.
            try Self.checkFinite("gain", gain, in: format, margin: 1 + 0x1p-8)
        case let .eye(gain):
            try Self.checkFinite("gain", gain, in: format)
        case .dirac:
            break   // ones and zeros
        case let .sparse(_, std):
            _ = try Distribution.normal(mean: 0, std: std).validatedKernelParameters(format: format)
        }
        return plan
    }

    /// Checks the scheme for `shape` against `dtype` without writing
    /// anything: what ``fill(_:shape:layout:seed:stream:options:)-(UnsafeMutableBufferPointer<T>,_,_,_,_,_)``
    /// would refuse for a tensor of that shape and dtype — besides
    /// ``validate()``, the fans, ranks, groups and block counts the shape
    /// must allow, and values the dtype must hold (a constant 70000 or a
    /// normal of std 10⁵ in f16).
    public func validate(shape: [Int], layout: Layout = .torch, dtype: DType) throws {
        guard dtype.isFloatingPoint else {
            throw WeightInitError.invalidParameter(
                "dtype", value: dtype.rawValue, reason: "the engine samples f32, f64, f16 or bf16; integer tensors hold constants")
        }
        _ = try plan(shape: shape, layout: layout, format: dtype)
    }

    private static func checkFinite(_ name: String, _ value: Double, in format: DType, margin: Double = 1) throws {
        // NaN and infinities are each scheme's own checks' to refuse, with their own words.
        guard !value.isFinite || format.roundsToFinite(value * margin) else {
            throw WeightInitError.invalidParameter(
                name, value: "\(value)",
                reason: "the values would be infinite in \(format.rawValue), whose largest finite value is \(format.greatestFiniteMagnitude)")
        }
    }
}

private func check(_ name: String, _ value: Double, finite: Bool = true, positive: Bool = false,
                   nonNegative: Bool = false) throws {
    if nonNegative {
        guard value.isFinite, value >= 0 else {
            throw WeightInitError.invalidParameter(name, value: "\(value)", reason: "must be finite and ≥ 0")
        }
    } else if positive {
        guard value.isFinite, value > 0 else {
            throw WeightInitError.invalidParameter(name, value: "\(value)", reason: "must be finite and > 0")
        }
    } else if finite, !value.isFinite {
        throw WeightInitError.invalidParameter(name, value: "\(value)", reason: "must be finite")
    }
}

// MARK: - Filling

extension Initializer {
    /// Fills `buffer`, a tensor of `shape` in C order, with the values of
    /// stream `stream` of `seed` — the values `weightinit generate … --seed
    /// seed --stream stream` writes, and the C and Python interfaces fill.
    ///
    /// Parameters and shape are checked before anything is written; on error
    /// the buffer is unchanged.
    ///
    /// ```swift
    /// var w = [Float](repeating: 0, count: 256 * 128)
    /// try w.withUnsafeMutableBufferPointer {
    ///     try Initializer.kaimingNormal().fill($0, shape: [256, 128], seed: 42, stream: 3)
    /// }
    /// ```
    public func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], layout: Layout = .torch,
        seed: UInt64, stream: UInt32 = 0, options: FillOptions = FillOptions()
    ) throws {
        try fill(buffer, shape: shape, layout: layout, randomStream: RandomStream(seed: seed, stream: stream),
                 options: options)
    }

    /// Fills `array`, a tensor of `shape` in C order, as
    /// ``fill(_:shape:layout:seed:stream:options:)-(UnsafeMutableBufferPointer<T>,_,_,_,_,_)`` fills a buffer; its
    /// count must be the shape's.
    public func fill<T: WeightScalar>(
        _ array: inout [T], shape: [Int], layout: Layout = .torch,
        seed: UInt64, stream: UInt32 = 0, options: FillOptions = FillOptions()
    ) throws {
        try array.withUnsafeMutableBufferPointer {
            try fill($0, shape: shape, layout: layout, seed: seed, stream: stream, options: options)
        }
    }

    /// The fill of a whole tensor from a stream.
    func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], layout: Layout = .torch,
        randomStream stream: RandomStream, options: FillOptions = FillOptions()
    ) throws {
        _ = try Shape.checkBuffer(count: buffer.count, holds: shape, elementSize: MemoryLayout<T>.stride)
        switch try plan(shape: shape, layout: layout, format: T.dtype) {
        case let .constant(value):
            buffer.update(repeating: T(rounding: value))
        case let .sample(distribution):
            try stream.fill(buffer, with: distribution, options: options)
        case let .orthogonal(gain, method, blocks):
            try Orthogonal.fill(buffer, shape: shape, gain: gain, method: method, blocks: blocks,
                                stream: stream, options: options)
        case let .deltaOrthogonal(gain):
            try DeltaOrthogonal.fill(buffer, shape: shape, layout: layout, gain: gain, stream: stream, options: options)
        case let .eye(gain):
            Self.fillEye(buffer, region: .whole(shape), gain: gain)
        case let .dirac(groups):
            try Self.fillDirac(buffer, shape: shape, region: .whole(shape), layout: layout, groups: groups)
        case let .sparse(sparsity, std):
            try Self.fillSparse(buffer, shape: shape, region: .whole(shape), sparsity: sparsity, std: std,
                                stream: stream, options: options)
        }
    }

    /// A new array holding a tensor of `shape` in C order.
    public func makeArray<T: WeightScalar>(
        shape: [Int], layout: Layout = .torch, seed: UInt64, stream: UInt32 = 0,
        options: FillOptions = FillOptions()
    ) throws -> [T] {
        let count = try Shape.elementCount(shape, elementSize: MemoryLayout<T>.stride)
        return try Self.array(count: count) { buffer in
            try fill(buffer, shape: shape, layout: layout, seed: seed, stream: stream, options: options)
        }
    }

    /// A new array of `count` elements (checked by the caller), filled by `fill`.
    static func array<T: WeightScalar>(
        count: Int, _ fill: (UnsafeMutableBufferPointer<T>) throws -> Void
    ) throws -> [T] {
        var error: (any Error)?
        let array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Zero first so an error never leaves uninitialised memory in an array.
            buffer.initialize(repeating: T(rounding: 0))
            initialized = count
            do { try fill(buffer) } catch let e { error = e }
        }
        if let error { throw error }
        return array
    }
}
