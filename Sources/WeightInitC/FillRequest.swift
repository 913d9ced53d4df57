import CWeightInit
@_spi(Plumbing) import WeightInit

/// The arguments of `weightinit_fill` / `weightinit_fill_region`, read from
/// C and checked — every check before any byte of `data` is written.
///
/// Order of the checks (each failure its own status): the scheme and data
/// pointers, the dtype and layout values, threads, rank, the shape and
/// region pointers; then the scheme struct, the shape, the layout's axes,
/// the region, the byte count and alignment of `data`; then the scheme
/// against the shape (rank, fans, parameters) inside the engine.
struct FillRequest {
    /// `weightinit_fill_region`'s block, as the caller's pointers (either may be NULL, which is refused).
    struct RegionBounds {
        let start: UnsafePointer<Int64>?
        let stop: UnsafePointer<Int64>?
    }

    let scheme: StoredScheme
    let data: UnsafeMutableRawPointer
    let sizeBytes: Int
    let format: DType
    let shape: [Int]
    /// `nil`: the whole tensor.
    let region: TensorRegion?
    let layout: Layout
    let stream: RandomStream
    private(set) var options: FillOptions

    /// `bounds` nil: the whole tensor.
    init(
        scheme: UnsafePointer<weightinit_scheme>?, data: UnsafeMutableRawPointer?, sizeBytes: Int,
        dtype: weightinit_dtype, rank: Int, shape: UnsafePointer<Int64>?, bounds: RegionBounds? = nil,
        layout: weightinit_layout, inAxis: Int64, outAxis: Int64,
        seed: UInt64, stream: UInt32, threads: Int32
    ) throws {
        let schemePointer = try required(scheme, "scheme")
        self.data = try required(data, "data")
        format = try Self.format(dtype)
        let layout = try Self.layout(layout, inAxis: inAxis, outAxis: outAxis)
        guard threads >= 0 else {
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT, "invalid threads \(threads): must be ≥ 1, or 0 for every core")
        }
        guard (1 ... Int(WEIGHTINIT_MAX_RANK)).contains(rank) else {
            // rank is a size_t: shown unsigned, as the caller passed it (SIZE_MAX, not -1).
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_SHAPE,
                             "invalid rank \(UInt(bitPattern: rank)): must be in 1…\(WEIGHTINIT_MAX_RANK)")
        }
        func read(_ pointer: UnsafePointer<Int64>?, _ argument: String) throws -> [Int] {
            UnsafeBufferPointer(start: try required(pointer, argument), count: rank).map { Int($0) }
        }
        let shape = try read(shape, "shape")
        let ranges = try bounds.map { (start: try read($0.start, "region_start"), stop: try read($0.stop, "region_stop")) }

        self.scheme = try StoredScheme(loading: schemePointer)
        // The full shape needs valid dimensions and an element count that fits
        // Int (every flat index is a stream index); only the block is held in memory.
        _ = try Shape.indexCount(shape)
        if case .axes = layout {
            // As `weightinit generate --in-axis/--out-axis`: the axes are checked
            // against the shape whether or not the scheme reads fans.
            _ = try Fans(shape: shape, layout: layout)
        }
        if let ranges {
            if let d = shape.indices.first(where: { ranges.start[$0] > ranges.stop[$0] }) {
                throw ABIFailure(WEIGHTINIT_ERROR_INVALID_REGION,
                                 "invalid region: region_start[\(d)] = \(ranges.start[d]) is after region_stop[\(d)] = \(ranges.stop[d])")
            }
            let region = TensorRegion(zip(ranges.start, ranges.stop).map { $0 ..< $1 })
            try region.validate(in: shape)
            self.region = region
        } else {
            region = nil
        }
        self.sizeBytes = sizeBytes
        self.shape = shape
        self.layout = layout
        self.stream = RandomStream(seed: seed, stream: stream)
        options = Self.options(threads: threads, elements: try Shape.indexCount(shape))
    }

    /// This request, stopped before it writes once `*flag` is non-zero
    /// (`weightinit_fill_region_cancellable`; nil: never).
    func cancelled(by flag: UnsafePointer<Int32>?) -> FillRequest {
        guard let flag else { return self }
        nonisolated(unsafe) let cancel = flag
        var request = self
        request.options.cancellation = FillCancellation { weightinit_internal_is_set(cancel) != 0 }
        return request
    }

    /// Fills `data`: the engine's own whole-tensor or region fill for the dtype.
    func run() throws {
        switch format {
        case .f32: try fill(Float.self)
        case .f64: try fill(Double.self)
        case .f16:
            #if arch(x86_64) || arch(arm64)
            try fill(Float16.self)
            #else
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ENUM, "WEIGHTINIT_F16 is not available on this architecture")
            #endif
        case .bf16: try fill(BFloat16.self)
        case .i64, .i32, .u8, .bool:
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ENUM, "weightinit_dtype has no integer types")
        }
    }

    private func fill<T: WeightScalar>(_: T.Type) throws {
        let blockShape = region?.shape ?? shape
        let count = try Shape.elementCount(blockShape, elementSize: MemoryLayout<T>.stride)
        let expected = count * MemoryLayout<T>.stride  // elementCount checked that it fits
        guard sizeBytes == expected else {
            let what = region == nil ? "shape" : "region"
            throw ABIFailure(
                WEIGHTINIT_ERROR_SIZE_MISMATCH,
                "size_bytes is \(UInt(bitPattern: sizeBytes)), the \(what) \(blockShape.map(String.init).joined(separator: ",")) of \(format.rawValue) needs \(expected)")
        }
        guard Int(bitPattern: data) % MemoryLayout<T>.alignment == 0 else {
            throw ABIFailure(
                WEIGHTINIT_ERROR_INVALID_ARGUMENT, "data is not aligned to the \(MemoryLayout<T>.alignment) bytes of \(format.rawValue)")
        }
        try scheme.entry.checkRank(shape)
        let buffer = UnsafeMutableBufferPointer(start: data.bindMemory(to: T.self, capacity: count), count: count)
        if let region {
            try scheme.initializer.fill(buffer, shape: shape, region: region, layout: layout, seed: stream.seed, stream: stream.stream, options: options)
        } else {
            try scheme.initializer.fill(buffer, shape: shape, layout: layout, seed: stream.seed, stream: stream.stream, options: options)
        }
    }

    /// `threads` (0: every core) as fill options. A tensor below the engine's
    /// serial threshold is filled on the calling thread whatever the count,
    /// and has fewer than 1024 rows or columns, so LAPACK runs on one thread
    /// too: there 0 is passed on as 1, which gives the same bytes without the
    /// engine counting the cores — which reads two cgroup files, ≈ 13 µs, more
    /// than a 64 × 64 fill takes (measured). `elements` is the whole tensor's
    /// count even for a region, as orthogonal builds the whole tensor (also
    /// for a plan's tensor, `weightinit_plan_fill`).
    static func options(threads: Int32, elements: Int) -> FillOptions {
        var options = FillOptions(threads: threads == 0 ? nil : Int(threads))
        if options.threads == nil, elements < options.serialThreshold { options.threads = 1 }
        return options
    }

    private static func format(_ dtype: weightinit_dtype) throws -> DType {
        switch dtype {
        case WEIGHTINIT_F32: .f32
        case WEIGHTINIT_F64: .f64
        case WEIGHTINIT_F16: .f16
        case WEIGHTINIT_BF16: .bf16
        default:
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ENUM,
                             "invalid dtype \(Int32(bitPattern: dtype.rawValue)): must be WEIGHTINIT_F32, _F64, _F16 or _BF16 (0…3)")
        }
    }

    private static func layout(_ layout: weightinit_layout, inAxis: Int64, outAxis: Int64) throws -> Layout {
        switch layout {
        case WEIGHTINIT_LAYOUT_TORCH: .torch
        case WEIGHTINIT_LAYOUT_KERAS: .keras
        case WEIGHTINIT_LAYOUT_AXES: .axes(input: Int(inAxis), output: Int(outAxis))
        default:
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ENUM,
                             "invalid layout \(Int32(bitPattern: layout.rawValue)): must be WEIGHTINIT_LAYOUT_TORCH, _KERAS or _AXES (0…2)")
        }
    }
}
