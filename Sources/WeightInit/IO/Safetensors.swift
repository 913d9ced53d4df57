/// The safetensors format (Hugging Face): a writer and a strict reader that
/// rejects anything it does not fully understand with
/// ``WeightInitError/malformedFile(path:reason:)``.
///
/// Format: an 8-byte little-endian header length N; N bytes of UTF-8 JSON,
/// `{"name": {"dtype": "F32", "shape": [512, 256], "data_offsets": [begin, end]},
/// …, "__metadata__": {"key": "value", …}}`, padded with spaces so the data
/// starts at a multiple of 8; then the tensors' bytes, little-endian, C order,
/// contiguous and in offset order, offsets relative to the start of the data.
///
/// ```swift
/// try TensorFile.write(to: "m.safetensors", format: .safetensors,
///                      tensors: [TensorEntry(name: "w", shape: [2, 3], format: .f32)]) { _, sink in
///     try sink.write(values)
/// }
/// let file = try Safetensors.read("m.safetensors")   // file.tensors[0].name == "w"
/// ```
public enum Safetensors {
    /// The key of the string-to-string metadata object in the header.
    package static let metadataKey = "__metadata__"

    /// Headers longer than this are refused (the reference implementation's
    /// limit too): no real header comes close, and it bounds what a hostile
    /// length field can make a reader allocate.
    package static let maximumHeaderLength = 100_000_000

    /// The data starts at a multiple of this.
    static let alignment = 8

    /// The safetensors dtype name of `format`.
    package static func dtype(for format: DType) -> String {
        switch format {
        case .f32: "F32"
        case .f64: "F64"
        case .f16: "F16"
        case .bf16: "BF16"
        case .i64: "I64"
        case .i32: "I32"
        case .u8: "U8"
        case .bool: "BOOL"
        }
    }

    /// The element type a safetensors dtype name stands for, if this package has it.
    package static func format(forDtype name: String) -> DType? {
        DType.allCases.first { dtype(for: $0) == name }
    }

    // MARK: Writing

    /// The complete header — length, JSON, padding — for `tensors` stored in
    /// this order, contiguously from offset 0, with `metadata` (keys sorted, so
    /// the same input always gives the same bytes).
    @_spi(Plumbing) public static func header(tensors: [TensorEntry], metadata: [String: String] = [:]) throws -> [UInt8] {
        var seen = Set<String>()
        var members: [(key: String, value: JSONValue)] = []
        var offset = 0
        for tensor in tensors {
            guard tensor.name != metadataKey else {
                throw WeightInitError.invalidParameter("tensor name", value: tensor.name, reason: "is reserved for the metadata")
            }
            guard seen.insert(tensor.name).inserted else {
                throw WeightInitError.invalidParameter("tensor name", value: tensor.name, reason: "is used twice")
            }
            let end = try checkedSum([offset, try tensor.byteCount()])
            members.append((tensor.name, .object([
                ("dtype", .string(dtype(for: tensor.dtype))),
                ("shape", .array(tensor.shape.map { .number(String($0)) })),
                ("data_offsets", .array([.number(String(offset)), .number(String(end))])),
            ])))
            offset = end
        }
        if !metadata.isEmpty {
            members.append((metadataKey, .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        var json = Array(JSONValue.object(members).serialized.utf8)
        json += [UInt8](repeating: 0x20, count: (alignment - (8 + json.count) % alignment) % alignment)
        // A file no reader (this one included) would accept is not written.
        guard json.count <= maximumHeaderLength else {
            throw WeightInitError.invalidParameter(
                "safetensors header", value: "\(json.count) bytes",
                reason: "of \(tensors.count) tensors is more than the \(maximumHeaderLength) bytes readers accept")
        }
        let length = UInt64(json.count)
        return (0 ..< 8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + json
    }

    // MARK: Reading

    /// A file's tensors, in data order, and its metadata.
    public struct Contents: Sendable, Equatable {
        public var tensors: [StoredTensor]
        public var metadata: [String: String]

        public init(tensors: [StoredTensor], metadata: [String: String]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    /// Reads a `.safetensors` file of F32/F64/F16/BF16/I64/I32/U8/BOOL tensors. Never
    /// allocates more than the file's size. Throws
    /// ``WeightInitError/malformedFile(path:reason:)`` for a header length past
    /// the file, a header that is not UTF-8 JSON of the expected shape
    /// (duplicate or unknown keys, wrong types, negative or overflowing
    /// dimensions), an unsupported dtype, data offsets that disagree with
    /// dtype·shape, overlap, leave gaps or run past the file.
    public static func read(_ path: String) throws -> Contents {
        try InputFile.withOpened(path) { try read(from: $0, path: path) }
    }

    /// Parses `bytes` as a whole `.safetensors` file, with the checks of
    /// ``read(_:)``; `path` only names the input in error messages.
    public static func parse(_ bytes: [UInt8], path: String = "<bytes>") throws -> Contents {
        try read(from: MemorySource(bytes: bytes, path: path), path: path)
    }

    static func read(from file: some ByteSource, path: String) throws -> Contents {
        let (located, metadata) = try locate(in: file, path: path)
        let tensors = try located.map { tensor in
            StoredTensor(name: tensor.name, shape: tensor.shape, dtype: tensor.dtype,
                         bytes: try file.read(at: tensor.offset, count: tensor.byteCount))
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    /// The header, checked against the file's size, without reading the data:
    /// the tensors in data order with their absolute offsets, and the metadata.
    static func locate(in file: some ByteSource, path: String) throws -> ([TensorFile.Located], [String: String]) {
        func malformed(_ reason: String) -> WeightInitError { .malformedFile(path: path, reason: reason) }
        guard file.size >= 8 else { throw malformed("\(file.size) bytes is too short for a safetensors header") }
        let length = try file.read(at: 0, count: 8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        guard length <= UInt64(file.size - 8) else {
            throw malformed("header length \(length) runs past the end of the \(file.size)-byte file")
        }
        guard length <= UInt64(maximumHeaderLength) else {
            throw malformed("header length \(length) exceeds the limit of \(maximumHeaderLength) bytes")
        }
        let headerLength = Int(length)
        let json: JSONValue
        do {
            json = try JSONParser.parse(try file.read(at: 8, count: headerLength))
        } catch let failure as JSONParser.Failure {
            throw malformed("header is not valid JSON: \(failure.reason)")
        }
        let dataStart = 8 + headerLength
        let (entries, metadata) = try parseHeader(json, dataSize: file.size - dataStart, malformed: malformed)
        let located = entries.map { entry in
            TensorFile.Located(name: entry.name, shape: entry.shape, dtype: entry.format,
                               offset: dataStart + entry.begin, byteCount: entry.end - entry.begin)
        }
        return (located, metadata)
    }

    private struct Entry {
        let name: String
        let shape: [Int]
        let format: DType
        let begin: Int
        let end: Int
    }

    /// The tensors of the header in offset order, checked to tile
    /// `0 ..< dataSize` exactly.
    private static func parseHeader(
        _ json: JSONValue, dataSize: Int, malformed: (String) -> WeightInitError
    ) throws -> ([Entry], [String: String]) {
        guard case let .object(members) = json else { throw malformed("header is \(json.kindDescription), not an object") }
        var entries: [Entry] = []
        var metadata: [String: String] = [:]
        for (name, value) in members {
            if name == metadataKey {
                guard case let .object(pairs) = value else { throw malformed("\(metadataKey) is \(value.kindDescription), not an object") }
                for (key, item) in pairs {
                    guard case let .string(text) = item else {
                        throw malformed("metadata \(TerminalText.quoted(key)) is \(item.kindDescription), not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries.append(try parseEntry(name: name, value, malformed: malformed))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var offset = 0
        for entry in entries {
            guard entry.begin == offset else {
                throw malformed(entry.begin < offset
                    ? "tensor \(TerminalText.quoted(entry.name)) overlaps the previous one (data_offsets start at \(entry.begin), expected \(offset))"
                    : "gap before tensor \(TerminalText.quoted(entry.name)) (data_offsets start at \(entry.begin), expected \(offset))")
            }
            offset = entry.end
        }
        guard offset <= dataSize else {
            throw malformed("tensor data ends at \(offset), past the \(dataSize) bytes after the header (truncated?)")
        }
        guard offset == dataSize else { throw malformed("\(dataSize - offset) bytes after the last tensor") }
        return (entries, metadata)
    }

    private static func parseEntry(
        name: String, _ value: JSONValue, malformed: (String) -> WeightInitError
    ) throws -> Entry {
        let quoted = TerminalText.quoted(name)
        guard case let .object(fields) = value else { throw malformed("tensor \(quoted) is \(value.kindDescription), not an object") }
        var dtype: String?, shape: [Int]?, offsets: [Int]?
        for (key, field) in fields {
            switch key {
            case "dtype":
                guard case let .string(text) = field else { throw malformed("tensor \(quoted): dtype is \(field.kindDescription), not a string") }
                dtype = text
            case "shape":
                shape = try nonNegativeIntegers(field, what: "tensor \(quoted): shape", malformed: malformed)
            case "data_offsets":
                offsets = try nonNegativeIntegers(field, what: "tensor \(quoted): data_offsets", malformed: malformed)
            default:
                throw malformed("tensor \(quoted): unexpected key \(TerminalText.quoted(key))")
            }
        }
        guard let dtype, let shape, let offsets else {
            throw malformed("tensor \(quoted) needs dtype, shape and data_offsets")
        }
        guard let format = format(forDtype: dtype) else {
            throw malformed("tensor \(quoted): unsupported dtype \(TerminalText.quoted(dtype)) (supported: \(DType.allCases.map(Self.dtype(for:)).joined(separator: ", ")))")
        }
        guard offsets.count == 2, offsets[0] <= offsets[1] else {
            throw malformed("tensor \(quoted): data_offsets must be [begin, end] with begin ≤ end")
        }
        guard let bytes = Shape.product(shape, times: format.byteCount) else {
            throw malformed("tensor \(quoted): shape \(TerminalText.clipped(shape)) overflows the byte count")
        }
        guard offsets[1] - offsets[0] == bytes else {
            throw malformed("tensor \(quoted): data_offsets span \(offsets[1] - offsets[0]) bytes, \(dtype) \(TerminalText.clipped(shape)) needs \(bytes)")
        }
        return Entry(name: name, shape: shape, format: format, begin: offsets[0], end: offsets[1])
    }

    private static func nonNegativeIntegers(
        _ value: JSONValue, what: String, malformed: (String) -> WeightInitError
    ) throws -> [Int] {
        guard case let .array(items) = value else { throw malformed("\(what) is \(value.kindDescription), not an array") }
        return try items.map { item in
            guard let integer = item.integerValue, integer >= 0 else {
                let shown = item.kindDescription == "a number"
                    ? TerminalText.escaped(item.serialized, limit: TerminalText.valueLimit) : item.kindDescription
                throw malformed("\(what) holds \(shown), not an integer in 0 … \(Int.max)")
            }
            return integer
        }
    }
}
