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

        /// Whether a writer thread sends the file's full buffers to the disk
        /// while the caller computes the next (large files): a fill that
        /// keeps every core busy then delays it.
        package var writesBehind: Bool { file.writesBehind }

        /// Appends up to `maxCount` values (≥ 1, at most what the tensor still
        /// needs) that `fill` computes straight into the file's write buffer —
        /// no copy of a buffer of the caller's — and returns how many it was
        /// given: `fill` must initialise all of them.
        package func appendInPlace<T: WeightScalar>(
            _: T.Type, maxCount: Int, _ fill: (UnsafeMutableBufferPointer<T>) throws -> Void
        ) throws -> Int {
            let size = MemoryLayout<T>.stride
            guard maxCount >= 1, maxCount <= remaining / size else {
                throw WeightInitError.invalidParameter("tensor data", value: "\(maxCount) values", reason: "more than the shape holds")
            }
            #if _endian(little)
            let bytes = try file.appendInPlace(maxBytes: maxCount * size, elementSize: size) { raw in
                try fill(raw.bindMemory(to: T.self))
                return raw.count
            }
            remaining -= bytes
            written += bytes
            progress(written)
            return bytes / size
            #else
            let values = UnsafeMutableBufferPointer<T>.allocate(capacity: maxCount)
            defer { values.deallocate() }
            try fill(values)
            try write(UnsafeBufferPointer(values))
            return maxCount
            #endif
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
            header = try NPY.header(shape: tensors[0].shape, dtype: try NPY.dtype(of: tensors[0]))
        case .safetensors:
            header = try Safetensors.header(tensors: tensors, metadata: metadata)
        }
        let sizes = try tensors.map { try $0.byteCount() }
        let total = try checkedSum([header.count] + sizes)
        try AtomicFile.write(to: path, expectedBytes: total) { file in
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
        try InputFile.withOpened(path) { try read(from: $0, path: path) }
    }

    /// Where a tensor's data lies in a file, from its header.
    public struct Located: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var dtype: DType
        /// Byte offset of the data from the start of the file.
        public var offset: Int
        public var byteCount: Int
        public var elementCount: Int { byteCount / dtype.byteCount }
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
        try InputFile.withOpened(path) { file in
            if try isNPY(file) { return Index(format: .npy, tensors: [try NPY.locate(in: file, path: path)], metadata: [:]) }
            try checkSafetensorsStart(file, path: path)
            let (tensors, metadata) = try Safetensors.locate(in: file, path: path)
            return Index(format: .safetensors, tensors: tensors, metadata: metadata)
        }
    }

    /// Calls `body` with the values of `tensor` (from ``index(_:)`` of the
    /// same file) converted to Double, `elements` at a time, in order.
    public static func forEachChunk(
        of tensor: Located, in path: String, elements: Int = 1 << 20, _ body: ([Double]) throws -> Void
    ) throws {
        try InputFile.withOpened(path) { file in
            let size = tensor.dtype.byteCount
            let step = Swift.max(1, elements) * size
            var offset = 0
            while offset < tensor.byteCount {
                let count = Swift.min(step, tensor.byteCount - offset)
                let bytes = try file.read(at: tensor.offset + offset, count: count)
                try body(StoredTensor(name: tensor.name, shape: [count / size], dtype: tensor.dtype, bytes: bytes).doubleValues())
                offset += count
            }
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
        try InputFile.withOpened(path) { file in
            guard file.size <= maximumSize else {
                throw WeightInitError.invalidFile(path: path, reason: "\(file.size) bytes is more than the \(maximumSize) bytes allowed")
            }
            return try file.read(at: 0, count: file.size)
        }
    }

    /// ``read(_:)`` for bytes in memory.
    public static func parse(_ bytes: [UInt8], path: String = "<bytes>") throws -> Contents {
        try read(from: MemorySource(bytes: bytes, path: path), path: path)
    }

    static func read(from file: some ByteSource, path: String) throws -> Contents {
        if try isNPY(file) {
            let npy = try NPY.locate(in: file, path: path)
            return Contents(format: .npy, tensors: [StoredTensor(name: npy.name, shape: npy.shape, dtype: npy.dtype,
                                                                 bytes: try file.read(at: npy.offset, count: npy.byteCount))],
                            metadata: [:])
        }
        try checkSafetensorsStart(file, path: path)
        let contents = try Safetensors.read(from: file, path: path)
        return Contents(format: .safetensors, tensors: contents.tensors, metadata: contents.metadata)
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
