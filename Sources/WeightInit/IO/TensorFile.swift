import _WeightInitKernels

/// The version of the mapping from (seed, stream, index) to values that this
/// build implements (<doc:StreamFormatSpecification>); written into file metadata so a file
/// says which rules produced it.
public enum StreamFormat {
    public static let version = Int(WI_STREAM_FORMAT_VERSION)
}

/// A tensor to be written: its name (safetensors), shape and element format.
public struct TensorEntry: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var format: ScalarFormat

    public init(name: String, shape: [Int], format: ScalarFormat) {
        self.name = name
        self.shape = shape
        self.format = format
    }

    /// ∏ shape, checked for overflow but not against memory: streamed writes
    /// never hold the whole tensor.
    public func elementCount() throws -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw WeightInitError.invalidShape(shape, reason: "dimensions must be ≥ 0")
        }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw WeightInitError.tooLarge(shape: shape, reason: "the element count overflows Int") }
            count = product
        }
        return count
    }

    public func byteCount() throws -> Int {
        let (bytes, overflow) = try elementCount().multipliedReportingOverflow(by: format.byteCount)
        guard !overflow else { throw WeightInitError.tooLarge(shape: shape, reason: "the byte count overflows Int") }
        return bytes
    }
}

/// A tensor read from a file: little-endian bytes in C order.
public struct StoredTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var format: ScalarFormat
    public var bytes: [UInt8]

    public init(name: String, shape: [Int], format: ScalarFormat, bytes: [UInt8]) {
        self.name = name
        self.shape = shape
        self.format = format
        self.bytes = bytes
    }

    /// Every element converted exactly to `Double`, in C order.
    public func doubleValues() -> [Double] {
        bytes.withUnsafeBytes { raw in
            switch format {
            case .f64: Self.convert(raw, UInt64.self) { Double(bitPattern: $0) }
            case .f32: Self.convert(raw, UInt32.self) { Double(Float(bitPattern: $0)) }
            case .bf16: Self.convert(raw, UInt16.self) { Double(Float(bitPattern: UInt32($0) << 16)) }
            case .f16: Self.convert(raw, UInt16.self) { Double(halfToFloat($0)) }
            }
        }
    }

    /// Little-endian words of `raw` (any alignment), each mapped by `value`.
    private static func convert<Word: FixedWidthInteger>(
        _ raw: UnsafeRawBufferPointer, _ word: Word.Type, _ value: (Word) -> Double
    ) -> [Double] {
        let size = MemoryLayout<Word>.size
        let count = raw.count / size
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0 ..< count {
                buffer[i] = value(Word(littleEndian: raw.loadUnaligned(fromByteOffset: i * size, as: Word.self)))
            }
            initialized = count
        }
    }
}

/// Σ sizes, or ``WeightInitError/tooLarge(shape:reason:)`` if it overflows Int.
func checkedSum(_ sizes: [Int]) throws -> Int {
    try sizes.reduce(0) { total, size in
        let (sum, overflow) = total.addingReportingOverflow(size)
        guard !overflow else { throw WeightInitError.tooLarge(shape: [sizes.count], reason: "the file size overflows Int") }
        return sum
    }
}

/// IEEE binary16 bits to Float, exactly (portable: no `Float16` needed).
func halfToFloat(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F)
    let fraction = Float(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction * 0x1p-10) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}

/// The file formats the tool writes and reads.
public enum TensorFileFormat: String, CaseIterable, Sendable {
    case npy, safetensors

    /// The format a path's extension names (`.npy`, `.safetensors`), if any.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        self.init(rawValue: String(path[path.index(after: dot)...]).lowercased())
    }
}

/// Writing and reading tensor files of either format.
public enum TensorFile {
    /// Where a tensor's bytes go: counts them so a writer that produces too
    /// few or too many bytes is an error, not a corrupt file.
    public final class Sink {
        fileprivate let file: AtomicFile.Writer
        fileprivate var remaining: Int
        /// Called with the bytes written so far in the whole file (for progress).
        fileprivate let progress: (Int) -> Void
        fileprivate var written = 0

        fileprivate init(file: AtomicFile.Writer, remaining: Int, written: Int, progress: @escaping (Int) -> Void) {
            self.file = file
            self.remaining = remaining
            self.written = written
            self.progress = progress
        }

        /// Appends `bytes`, already little-endian.
        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard bytes.count <= remaining else {
                throw WeightInitError.invalidParameter("tensor data", value: "\(bytes.count) bytes", reason: "more than the shape holds")
            }
            try file.write(bytes)
            remaining -= bytes.count
            written += bytes.count
            progress(written)
        }

        /// Appends `values` in little-endian byte order.
        public func write<T: WeightScalar>(_ values: UnsafeBufferPointer<T>) throws {
            #if _endian(little)
            try write(UnsafeRawBufferPointer(values))
            #else
            var swapped = [UInt8](repeating: 0, count: values.count * MemoryLayout<T>.stride)
            swapped.withUnsafeMutableBytes {
                NPY.copyLittleEndian(from: UnsafeRawBufferPointer(values), to: $0, elementSize: MemoryLayout<T>.stride)
            }
            try swapped.withUnsafeBytes { try write($0) }
            #endif
        }

        public func write<T: WeightScalar>(_ values: [T]) throws {
            try values.withUnsafeBufferPointer { try write($0) }
        }
    }

    /// Writes `tensors` to `path` atomically (see `AtomicFile`): the header,
    /// then for each tensor in order `body(index, sink)`, which must write
    /// exactly that tensor's bytes. `.npy` holds exactly one tensor and no
    /// metadata (it is ignored there). `progress` receives (bytes written,
    /// total bytes) after each write.
    public static func write(
        to path: String, format: TensorFileFormat, tensors: [TensorEntry], metadata: [String: String] = [:],
        progress: @escaping (_ written: Int, _ total: Int) -> Void = { _, _ in },
        _ body: (_ index: Int, _ sink: Sink) throws -> Void
    ) throws {
        let header: [UInt8]
        switch format {
        case .npy:
            guard tensors.count == 1 else {
                throw WeightInitError.invalidParameter("tensors", value: "\(tensors.count)", reason: "a .npy file holds exactly one")
            }
            header = try NPY.header(shape: tensors[0].shape, format: tensors[0].format)
        case .safetensors:
            header = try Safetensors.header(tensors: tensors, metadata: metadata)
        }
        let sizes = try tensors.map { try $0.byteCount() }
        let total = try checkedSum([header.count] + sizes)
        try AtomicFile.write(to: path) { file in
            try file.write(header)
            var written = header.count
            for (index, size) in sizes.enumerated() {
                let sink = Sink(file: file, remaining: size, written: written) { progress($0, total) }
                try body(index, sink)
                guard sink.remaining == 0 else {
                    throw WeightInitError.invalidParameter(
                        "tensor data", value: "\(size - sink.remaining) bytes", reason: "tensor \(tensors[index].name) needs \(size)")
                }
                written = sink.written
            }
        }
    }

    /// A file's tensors and metadata, whatever its format.
    public struct Contents: Sendable, Equatable {
        public var format: TensorFileFormat
        public var tensors: [StoredTensor]
        /// safetensors' `__metadata__`; empty for `.npy`.
        public var metadata: [String: String]
    }

    /// Reads a `.npy` or `.safetensors` file, told apart by their first bytes
    /// (not the extension). A `.npy` tensor is named after the file.
    public static func read(_ path: String) throws -> Contents {
        let file = try InputFile(path: path)
        defer { file.close() }
        return try read(from: file, path: path)
    }

    /// Where a tensor's data lies in a file, from its header.
    public struct Located: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var format: ScalarFormat
        /// Byte offset of the data from the start of the file.
        public var offset: Int
        public var byteCount: Int
        public var elementCount: Int { byteCount / format.byteCount }
    }

    /// A file's headers: what ``read(_:)`` checks, without reading any data,
    /// so a reader of a large file can go through it chunk by chunk
    /// (``forEachChunk(of:in:elements:_:)``).
    public struct Index: Sendable, Equatable {
        public var format: TensorFileFormat
        public var tensors: [Located]
        public var metadata: [String: String]
    }

    public static func index(_ path: String) throws -> Index {
        let file = try InputFile(path: path)
        defer { file.close() }
        if try isNPY(file) { return Index(format: .npy, tensors: [try NPY.locate(in: file, path: path)], metadata: [:]) }
        try checkSafetensorsStart(file, path: path)
        let (tensors, metadata) = try Safetensors.locate(in: file, path: path)
        return Index(format: .safetensors, tensors: tensors, metadata: metadata)
    }

    /// Calls `body` with the values of `tensor` (from ``index(_:)`` of the
    /// same file) converted to Double, `elements` at a time, in order.
    public static func forEachChunk(
        of tensor: Located, in path: String, elements: Int = 1 << 20, _ body: ([Double]) throws -> Void
    ) throws {
        let file = try InputFile(path: path)
        defer { file.close() }
        let size = tensor.format.byteCount
        let step = Swift.max(1, elements) * size
        var offset = 0
        while offset < tensor.byteCount {
            let count = Swift.min(step, tensor.byteCount - offset)
            let bytes = try file.read(at: tensor.offset + offset, count: count)
            try body(StoredTensor(name: tensor.name, shape: [count / size], format: tensor.format, bytes: bytes).doubleValues())
            offset += count
        }
    }

    private static func isNPY(_ file: some ByteSource) throws -> Bool {
        file.size >= NPY.magic.count ? try file.read(at: 0, count: NPY.magic.count) == NPY.magic : false
    }

    private static func checkSafetensorsStart(_ file: some ByteSource, path: String) throws {
        guard file.size >= 9, try file.read(at: 8, count: 1) == [UInt8(ascii: "{")] else {
            throw WeightInitError.malformedFile(path: path, reason: "neither a .npy nor a .safetensors file")
        }
    }

    /// The whole file at `path`, refused if larger than `maximumSize` (for
    /// small text inputs such as spec files).
    package static func readWholeFile(_ path: String, maximumSize: Int) throws -> [UInt8] {
        let file = try InputFile(path: path)
        defer { file.close() }
        guard file.size <= maximumSize else {
            throw WeightInitError.invalidFile(path: path, reason: "\(file.size) bytes is more than the \(maximumSize) bytes allowed")
        }
        return try file.read(at: 0, count: file.size)
    }

    /// ``read(_:)`` for bytes in memory.
    public static func parse(_ bytes: [UInt8], path: String = "<bytes>") throws -> Contents {
        try read(from: MemorySource(bytes: bytes, path: path), path: path)
    }

    static func read(from file: some ByteSource, path: String) throws -> Contents {
        if try isNPY(file) {
            let npy = try NPY.locate(in: file, path: path)
            return Contents(format: .npy, tensors: [StoredTensor(name: npy.name, shape: npy.shape, format: npy.format,
                                                                 bytes: try file.read(at: npy.offset, count: npy.byteCount))],
                            metadata: [:])
        }
        try checkSafetensorsStart(file, path: path)
        let contents = try Safetensors.read(from: file, path: path)
        return Contents(format: .safetensors, tensors: contents.tensors, metadata: contents.metadata)
    }
}

// MARK: - Streaming a scheme into a file

extension Initializer {
    /// Bytes per chunk of a streamed write.
    public static let defaultWriteChunkBytes = 16 << 20

    /// Whether `write(_:shape:layout:stream:options:chunkBytes:to:)` and
    /// `write(_:shape:region:layout:stream:options:chunkBytes:to:)` stream
    /// this scheme in chunks (sampling schemes and constants) rather than
    /// building the tensor or region in memory (orthogonal, delta-orthogonal,
    /// eye, dirac, sparse). The answer is the same for every region.
    public func writesInChunks(shape: [Int], layout: Layout = .torch) -> Bool {
        switch self {
        case .zeros, .ones, .constant: true
        default: (try? distribution(shape: shape, layout: layout)) != nil
        }
    }

    /// Writes the tensor this scheme gives for `shape` to `sink`.
    ///
    /// Sampling schemes are streamed: a buffer of `chunkBytes` is filled with
    /// the values at flat indices `offset ..< offset + chunk` (the stream is
    /// counter-based, so this equals filling the whole tensor) and appended,
    /// so memory stays at one chunk whatever the tensor's size. Constants are
    /// streamed the same way. Structured schemes (orthogonal, eye, dirac,
    /// sparse) are built in memory first.
    package func write<T: WeightScalar>(
        _ type: T.Type, shape: [Int], layout: Layout = .torch, randomStream stream: RandomStream,
        options: FillOptions = FillOptions(), chunkBytes: Int = defaultWriteChunkBytes, to sink: TensorFile.Sink
    ) throws {
        guard let content = try streamedContent(shape: shape, layout: layout, format: T.format) else {
            let values: [T] = try makeArray(shape: shape, layout: layout, seed: stream.seed, stream: stream.stream, options: options)
            try sink.write(values)
            return
        }
        let count = try TensorEntry(name: "", shape: shape, format: T.format).elementCount()
        try Self.stream(content, T.self, runs: .contiguous(count), stream: stream, options: options,
                        chunkBytes: chunkBytes) { _, part in try sink.write(part) }
    }

    /// Writes the block `region` of the tensor this scheme gives for `shape`
    /// to `sink`, in C order of `region.shape`: the bytes of
    /// ``makeArray(shape:region:layout:seed:stream:options:)``.
    ///
    /// Sampling schemes and constants are streamed with one chunk of
    /// `chunkBytes` in memory, whatever the region's size: a chunk is a group
    /// of whole runs of the region (a row block is one run of flat indices,
    /// a column block one run per row), or part of a run longer than a
    /// chunk, each filled from its own flat indices. The region then need not
    /// fit in memory either — only its element count in Int. Structured
    /// schemes are built in memory as
    /// ``fill(_:shape:region:layout:seed:stream:options:)`` builds them (orthogonal
    /// computes the whole tensor).
    ///
    /// ```swift
    /// let shape = [262_144, 8192]
    /// try TensorFile.write(to: "shard3.npy", format: .npy,
    ///                      tensors: [TensorEntry(name: "w", shape: [262_144, 1024], format: .bf16)]) { _, sink in
    ///     try Initializer.normal(std: 0.02).write(BFloat16.self, shape: shape,
    ///         region: .shard(3, of: 8, along: 1, shape: shape), randomStream: RandomStream(seed: 7), to: sink)
    /// }
    /// ```
    ///
    /// - Throws: as ``fill(_:shape:region:layout:seed:stream:options:)``, before
    ///   anything is written to `sink`; errors of `sink`.
    package func write<T: WeightScalar>(
        _ type: T.Type, shape: [Int], region: TensorRegion, layout: Layout = .torch, randomStream stream: RandomStream,
        options: FillOptions = FillOptions(), chunkBytes: Int = defaultWriteChunkBytes, to sink: TensorFile.Sink
    ) throws {
        let runs = try RegionRuns(shape: shape, region: region)
        guard let content = try streamedContent(shape: shape, layout: layout, format: T.format) else {
            let values: [T] = try makeArray(shape: shape, region: region, layout: layout, seed: stream.seed,
                                            stream: stream.stream, options: options)
            try sink.write(values)
            return
        }
        try Self.stream(content, T.self, runs: runs, stream: stream, options: options,
                        chunkBytes: chunkBytes) { _, part in try sink.write(part) }
    }

    /// Calls `body` with the values at the flat indices `indices` of the
    /// tensor this scheme gives for `shape`, in order, one chunk of at most
    /// `chunkBytes` (at least one element) at a time, with the flat index of
    /// each chunk's first value — the same values as the whole tensor's, for
    /// any split of the index range. For writers that place values
    /// themselves, such as several processes writing one shared file.
    ///
    /// Only for the schemes that ``writesInChunks(shape:layout:)``: sampling
    /// schemes and constants. The full shape need not fit in memory.
    ///
    /// ```swift
    /// // Process 1 of 4: its quarter of the flat range.
    /// try Initializer.normal(std: 0.02).forEachChunk(Float.self, shape: [8192, 8192],
    ///         indices: 16_777_216 ..< 33_554_432, seed: 1) { first, values in
    ///     try write(values, atElement: first)
    /// }
    /// ```
    ///
    /// - Throws: ``WeightInitError/invalidParameter(_:value:reason:)`` if the
    ///   scheme is built in memory (orthogonal, eye, dirac, sparse) or
    ///   `indices` is not within the tensor; the scheme's own errors — all
    ///   before the first call of `body`; then `body`'s errors.
    public func forEachChunk<T: WeightScalar>(
        _ type: T.Type, shape: [Int], indices: Range<Int>, layout: Layout = .torch, seed: UInt64, stream: UInt32 = 0,
        options: FillOptions = FillOptions(), chunkBytes: Int = defaultWriteChunkBytes,
        _ body: (_ firstIndex: Int, _ values: UnsafeBufferPointer<T>) throws -> Void
    ) throws {
        let stream = RandomStream(seed: seed, stream: stream)
        let count = try Shape.indexCount(shape)
        guard indices.lowerBound >= 0, indices.upperBound <= count else {
            throw WeightInitError.invalidParameter(
                "indices", value: "\(indices)", reason: "must lie within the tensor's 0..<\(count)")
        }
        guard let content = try streamedContent(shape: shape, layout: layout, format: T.format) else {
            throw WeightInitError.invalidParameter(
                "scheme", value: "\(self)", reason: "is built whole in memory; only sampling schemes and constants go by index range")
        }
        try Self.stream(content, T.self, runs: .contiguous(indices.count, from: indices.lowerBound), stream: stream,
                        options: options, chunkBytes: chunkBytes) { offset, part in
            try body(indices.lowerBound + offset, part)
        }
    }

    /// What a streamed write repeats or samples; `nil` for the schemes built in memory.
    private enum StreamedContent {
        case constant(Double)
        case sample(Distribution)
    }

    private func streamedContent(shape: [Int], layout: Layout, format: ScalarFormat) throws -> StreamedContent? {
        switch try plan(shape: shape, layout: layout, format: format) {
        case let .constant(value): .constant(value)
        case let .sample(distribution): .sample(distribution)
        default: nil
        }
    }

    /// Passes the elements of `runs` to `emit`, one chunk of at most
    /// `chunkBytes` (at least one element) at a time, with the position of
    /// the chunk's first element among them.
    private static func stream<T: WeightScalar>(
        _ content: StreamedContent, _: T.Type, runs: RegionRuns, stream: RandomStream, options: FillOptions,
        chunkBytes: Int, _ emit: (_ offset: Int, _ values: UnsafeBufferPointer<T>) throws -> Void
    ) throws {
        // Checked before the first byte is written.
        var sampler: RegionSampler<T>?
        if case let .sample(distribution) = content {
            sampler = try RegionSampler(stream: stream, distribution: distribution, options: options)
        }
        let count = runs.elementCount
        let chunk = Swift.max(1, Swift.min(count, chunkBytes / MemoryLayout<T>.stride))
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: chunk)
        defer { buffer.deallocate() }
        if case let .constant(value) = content {
            buffer.initialize(repeating: T(rounding: value))
        } else {
            buffer.initialize(repeating: T(rounding: 0))
        }
        var offset = 0
        while offset < count {
            let part = UnsafeMutableBufferPointer(rebasing: buffer[0 ..< Swift.min(chunk, count - offset)])
            sampler?.fill(part, runs: runs, elements: offset ..< offset + part.count)
            try emit(offset, UnsafeBufferPointer(part))
            offset += part.count
        }
    }
}
