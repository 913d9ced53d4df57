#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// numpy's `.npy` format: a writer, and a strict reader that rejects anything it
/// does not fully understand with ``WeightInitError/malformedFile(path:reason:)``.
///
/// Format (numpy `lib/format.py`, "NEP 1"): the magic `\x93NUMPY`, a major and a
/// minor version byte, the header length (little-endian `UInt16` for 1.0,
/// `UInt32` for 2.0 and 3.0), then an ASCII Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (512, 256), }` padded with
/// spaces and ended by `\n` so the data starts at a multiple of 64 bytes, then
/// the elements, little-endian, in C order.
///
/// ```swift
/// let w: [Float] = try Initializer.normal(std: 0.02).makeArray(shape: [512, 256], seed: 42)
/// try NPY.write(w, shape: [512, 256], to: "w.npy")
/// let file = try NPY.read("w.npy")    // file.shape == [512, 256], file.dtype == .f32
/// ```
public enum NPY {
    /// A file's contents: its shape, dtype and raw little-endian data.
    public struct Contents: Sendable, Equatable {
        public var shape: [Int]
        public var dtype: DType
        /// The elements, little-endian, C order.
        public var bytes: [UInt8]

        public init(shape: [Int], dtype: DType, bytes: [UInt8]) {
            self.shape = shape
            self.dtype = dtype
            self.bytes = bytes
        }

        /// The elements as `T`, which must be the file's dtype.
        public func values<T: WeightScalar>(as type: T.Type = T.self) throws -> [T] {
            guard T.dtype == dtype else {
                throw WeightInitError.invalidParameter(
                    "element type", value: T.dtype.rawValue, reason: "the file holds \(dtype.rawValue)")
            }
            let count = bytes.count / MemoryLayout<T>.stride
            return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                bytes.withUnsafeBytes { source in
                    let target = UnsafeMutableRawBufferPointer(buffer)
                    NPY.copyLittleEndian(from: source, to: target, elementSize: MemoryLayout<T>.stride)
                }
                initialized = count
            }
        }
    }

    /// The magic string every `.npy` file starts with.
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Data starts at a multiple of this (numpy ≥ 1.14 uses 64 so memory-mapped
    /// data is aligned for any SIMD width).
    static let alignment = 64

    /// Bytes written per `write(2)`; bounds the scratch buffer used for byte swapping.
    static let chunkSize = 1 << 20

    // MARK: Writing

    /// numpy's `descr` for `dtype`, or an error for the dtypes this writer
    /// does not put in `.npy` files: bf16 (numpy has none) and the integer
    /// types (written to `.safetensors` only).
    @_spi(Plumbing) public static func descr(for dtype: DType) throws -> String {
        switch dtype {
        case .f32: return "<f4"
        case .f64: return "<f8"
        case .f16: return "<f2"
        case .bf16:
            throw WeightInitError.invalidParameter(
                "dtype", value: "bf16", reason: "numpy has no bfloat16 dtype, so .npy cannot hold it; use f32, f64 or f16")
        case .i64, .i32, .u8, .bool:
            throw WeightInitError.invalidParameter(
                "dtype", value: dtype.rawValue, reason: "a .npy file here holds f32, f64 or f16; integer dtypes go in .safetensors")
        }
    }

    /// The dtype of `entry`, checked to be one a `.npy` file here holds.
    static func dtype(of entry: TensorEntry) throws -> DType {
        _ = try descr(for: entry.dtype)
        return entry.dtype
    }

    /// The complete header (magic, version, length, padded dict) for a C-order
    /// array of `shape` and `dtype`: version 1.0 unless the dict needs more than
    /// 65535 bytes, then 2.0.
    @_spi(Plumbing) public static func header(shape: [Int], dtype: DType) throws -> [UInt8] {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(\(shape.map(String.init).joined(separator: ", ")))"
        let dict = Array("{'descr': '\(try descr(for: dtype))', 'fortran_order': False, 'shape': \(dims), }".utf8)
        for (major, lengthBytes) in [(UInt8(1), 2), (UInt8(2), 4)] {
            let prefix = magic.count + 2 + lengthBytes
            let padding = (alignment - (prefix + dict.count + 1) % alignment) % alignment
            let length = dict.count + padding + 1
            guard length < 1 << (8 * lengthBytes) else { continue }
            var header = magic + [major, 0]
            header += (0 ..< lengthBytes).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
            header += dict + [UInt8](repeating: 0x20, count: padding) + [0x0A]
            return header
        }
        throw WeightInitError.invalidShape(shape, reason: "the .npy header would exceed 4 GiB")
    }

    /// Writes `data` — the elements of a C-order tensor of `shape` and `dtype`,
    /// in native byte order — to `path`, atomically (see `AtomicFile`).
    public static func write(
        _ data: UnsafeRawBufferPointer, shape: [Int], dtype: DType, to path: String
    ) throws {
        let count = try Shape.elementCount(shape, elementSize: dtype.byteCount)
        guard data.count == count * dtype.byteCount else {
            throw WeightInitError.invalidShape(
                shape, reason: "the data holds \(data.count) bytes, the shape needs \(count * dtype.byteCount)")
        }
        let header = try header(shape: shape, dtype: dtype)
        try AtomicFile.write(to: path, expectedBytes: header.count + data.count) { file in
            try file.write(header)
            try writeLittleEndian(data, elementSize: dtype.byteCount, to: file)
        }
    }

    /// Writes `values`, a C-order tensor of `shape`, to `path` atomically.
    public static func write<T: WeightScalar>(
        _ values: UnsafeBufferPointer<T>, shape: [Int], to path: String
    ) throws {
        try write(UnsafeRawBufferPointer(values), shape: shape, dtype: T.dtype, to: path)
    }

    /// Writes `values`, a C-order tensor of `shape`, to `path` atomically.
    public static func write<T: WeightScalar>(_ values: [T], shape: [Int], to path: String) throws {
        try values.withUnsafeBufferPointer { try write($0, shape: shape, to: path) }
    }

    /// Streams `data` to `file` in chunks, swapping to little-endian on
    /// big-endian hosts.
    private static func writeLittleEndian(
        _ data: UnsafeRawBufferPointer, elementSize: Int, to file: AtomicFile.Writer
    ) throws {
        let step = chunkSize - chunkSize % elementSize
        #if _endian(little)
        for start in stride(from: 0, to: data.count, by: step) {
            try file.write(UnsafeRawBufferPointer(rebasing: data[start ..< min(start + step, data.count)]))
        }
        #else
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: step, alignment: 16)
        defer { scratch.deallocate() }
        for start in stride(from: 0, to: data.count, by: step) {
            let chunk = UnsafeRawBufferPointer(rebasing: data[start ..< min(start + step, data.count)])
            let target = UnsafeMutableRawBufferPointer(rebasing: scratch[0 ..< chunk.count])
            copyLittleEndian(from: chunk, to: target, elementSize: elementSize)
            try file.write(UnsafeRawBufferPointer(target))
        }
        #endif
    }

    /// Copies elements between native and little-endian byte order (the same
    /// operation in both directions).
    static func copyLittleEndian(
        from source: UnsafeRawBufferPointer, to target: UnsafeMutableRawBufferPointer, elementSize: Int
    ) {
        #if _endian(little)
        target.copyMemory(from: source)
        #else
        for start in stride(from: 0, to: source.count, by: elementSize) {
            for k in 0 ..< elementSize { target[start + k] = source[start + elementSize - 1 - k] }
        }
        #endif
    }

    // MARK: Reading

    /// Reads a `.npy` file written by ``write(_:shape:dtype:to:)`` or numpy
    /// (little-endian f2/f4/f8, C order). Never allocates more than the file's
    /// size; anything malformed — bad magic or version, a header that is not
    /// exactly the three-key dict, an unsupported dtype, Fortran order, a shape
    /// whose size overflows, data shorter or longer than the shape — throws
    /// ``WeightInitError/malformedFile(path:reason:)``. A file that cannot be
    /// opened or read throws ``WeightInitError/io(path:reason:)``.
    public static func read(_ path: String) throws -> Contents {
        try InputFile.withOpened(path) { try read(from: $0, path: path) }
    }

    /// Parses `bytes` as a whole `.npy` file, with the checks of ``read(_:)``;
    /// `path` only names the input in error messages.
    public static func parse(_ bytes: [UInt8], path: String = "<bytes>") throws -> Contents {
        try read(from: MemorySource(bytes: bytes, path: path), path: path)
    }

    static func read(from file: some ByteSource, path: String) throws -> Contents {
        let located = try locate(in: file, path: path)
        // The .npy reader accepts only the float descriptors (HeaderParser).
        return Contents(shape: located.shape, dtype: located.dtype,
                        bytes: try file.read(at: located.offset, count: located.byteCount))
    }

    /// The header, checked against the file's size, without reading the data.
    static func locate(in file: some ByteSource, path: String) throws -> TensorFile.Located {
        func malformed(_ reason: String) -> WeightInitError { .malformedFile(path: path, reason: reason) }

        let fixed = magic.count + 2
        guard file.size >= fixed + 2 else { throw malformed("\(file.size) bytes is too short for a .npy header") }
        let start = try file.read(at: 0, count: fixed)
        guard Array(start[0 ..< magic.count]) == magic else { throw malformed("bad magic (not a .npy file)") }
        let (major, minor) = (start[magic.count], start[magic.count + 1])
        guard [1, 2, 3].contains(major), minor == 0 else { throw malformed("unsupported version \(major).\(minor)") }

        let lengthBytes = major == 1 ? 2 : 4
        guard file.size >= fixed + lengthBytes else { throw malformed("truncated header length") }
        let headerLength = try file.read(at: fixed, count: lengthBytes).enumerated()
            .reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let dataOffset = fixed + lengthBytes + headerLength
        guard dataOffset <= file.size else {
            throw malformed("header length \(headerLength) runs past the end of the \(file.size)-byte file")
        }
        let header = try HeaderParser.parse(try file.read(at: fixed + lengthBytes, count: headerLength), path: path)

        guard Shape.product(header.shape) != nil else {
            throw malformed("shape \(TerminalText.clipped(header.shape)) overflows the element count")
        }
        guard let byteCount = Shape.product(header.shape, times: header.dtype.byteCount) else {
            throw malformed("shape \(TerminalText.clipped(header.shape)) overflows the byte count")
        }
        let available = file.size - dataOffset
        guard available >= byteCount else {
            throw malformed("truncated data: shape \(TerminalText.clipped(header.shape)) needs \(byteCount) bytes, the file has \(available)")
        }
        guard available == byteCount else {
            throw malformed("\(available - byteCount) bytes after the data of shape \(TerminalText.clipped(header.shape))")
        }
        let name = String(path.split(separator: "/").last ?? Substring(path))
        return TensorFile.Located(name: name, shape: header.shape, dtype: header.dtype, offset: dataOffset,
                                  byteCount: byteCount)
    }
}

// MARK: - Reader internals

/// Parses the header dict. Only the exact literal syntax numpy writes is
/// accepted: single- or double-quoted keys and strings without escapes,
/// `True`/`False`, and a tuple of non-negative decimal integers.
private struct HeaderParser {
    let bytes: [UInt8]
    let path: String
    var position = 0

    static func parse(_ bytes: [UInt8], path: String) throws -> (shape: [Int], dtype: DType) {
        var parser = HeaderParser(bytes: bytes, path: path)
        return try parser.parseDict()
    }

    private func malformed(_ reason: String) -> WeightInitError {
        .malformedFile(path: path, reason: "header: \(reason)")
    }

    private mutating func parseDict() throws -> (shape: [Int], dtype: DType) {
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F || $0 == 0x0A }) else {
            throw malformed("not printable ASCII")
        }
        var descr: String?, fortranOrder: Bool?, shape: [Int]?
        try expect("{")
        while true {
            skipSpaces()
            if peek() == "}" { break }
            let key = try parseString()
            try expect(":")
            switch key {
            case "descr" where descr == nil: descr = try parseString()
            case "fortran_order" where fortranOrder == nil: fortranOrder = try parseBool()
            case "shape" where shape == nil: shape = try parseTuple()
            case "descr", "fortran_order", "shape": throw malformed("duplicate key '\(TerminalText.escaped(key, limit: TerminalText.valueLimit))'")
            default: throw malformed("unexpected key '\(TerminalText.escaped(key, limit: TerminalText.valueLimit))'")
            }
            skipSpaces()
            if peek() == "," { position += 1 } else if peek() != "}" { throw malformed("expected ',' or '}'") }
        }
        position += 1
        skipSpaces()
        guard position == bytes.count else { throw malformed("unexpected text after the dict") }

        guard let descr, let fortranOrder, let shape else {
            throw malformed("missing key (need 'descr', 'fortran_order' and 'shape')")
        }
        guard !fortranOrder else { throw malformed("Fortran order is not supported") }
        let dtype: DType
        switch descr {
        case "<f2": dtype = .f16
        case "<f4": dtype = .f32
        case "<f8": dtype = .f64
        default: throw malformed("unsupported dtype '\(TerminalText.escaped(descr, limit: TerminalText.valueLimit))' (supported: <f2, <f4, <f8)")
        }
        return (shape, dtype)
    }

    private func peek() -> Character? {
        position < bytes.count ? Character(Unicode.Scalar(bytes[position])) : nil
    }

    private mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x0A { position += 1 }
    }

    private mutating func expect(_ character: Character) throws {
        skipSpaces()
        guard peek() == character else { throw malformed("expected '\(character)' at byte \(position)") }
        position += 1
    }

    private mutating func parseString() throws -> String {
        skipSpaces()
        guard let quote = peek(), quote == "'" || quote == "\"" else {
            throw malformed("expected a string at byte \(position)")
        }
        let start = position + 1
        guard let end = bytes[start...].firstIndex(of: UInt8(ascii: quote.unicodeScalars.first!)) else {
            throw malformed("unterminated string")
        }
        let text = bytes[start ..< end]
        guard !text.contains(UInt8(ascii: "\\")) else { throw malformed("escapes in strings are not supported") }
        position = end + 1
        return String(decoding: text, as: UTF8.self)
    }

    private mutating func parseBool() throws -> Bool {
        skipSpaces()
        for (word, value) in [("True", true), ("False", false)] where bytes[position...].starts(with: word.utf8) {
            position += word.utf8.count
            return value
        }
        throw malformed("expected True or False at byte \(position)")
    }

    /// `()`, `(5,)`, `(5, 3)` or `(5, 3,)`; `(5)` is an int in Python, not a tuple.
    private mutating func parseTuple() throws -> [Int] {
        try expect("(")
        var values: [Int] = []
        var commaAfterFirst = false
        while true {
            skipSpaces()
            if peek() == ")" { break }
            let start = position
            while position < bytes.count, (0x30 ... 0x39).contains(bytes[position]) { position += 1 }
            let digits = String(decoding: bytes[start ..< position], as: UTF8.self)
            guard !digits.isEmpty else { throw malformed("shape: expected a non-negative integer at byte \(start)") }
            guard let value = Int(digits) else { throw malformed("shape: dimension \(digits) overflows Int") }
            values.append(value)
            skipSpaces()
            if peek() == "," {
                position += 1
                if values.count == 1 { commaAfterFirst = true }
            } else if peek() != ")" {
                throw malformed("shape: expected ',' or ')' at byte \(position)")
            }
        }
        position += 1
        guard values.count != 1 || commaAfterFirst else { throw malformed("shape (\(values[0])) is not a tuple") }
        return values
    }
}
