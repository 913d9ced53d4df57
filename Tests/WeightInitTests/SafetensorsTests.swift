import Foundation
import Testing
@_spi(Plumbing) @testable import WeightInit

/// The safetensors writer and the strict reader, on good and hostile input.
@Suite struct SafetensorsTests {
    /// A header as the format defines it, with `json` as given (no padding
    /// added) and `data` after it.
    static func file(json: String, data: [UInt8] = []) -> [UInt8] {
        let bytes = Array(json.utf8)
        return (0 ..< 8).map { UInt8(truncatingIfNeeded: UInt64(bytes.count) >> (8 * $0)) } + bytes + data
    }

    static func expectMalformed(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let contents = try Safetensors.parse(bytes, path: "x.safetensors")
            Issue.record("accepted: \(contents)", sourceLocation: sourceLocation)
        } catch let WeightInitError.malformedFile(path, reason) {
            #expect(path == "x.safetensors", sourceLocation: sourceLocation)
            #expect(reason.contains(fragment), "reason: \(reason)", sourceLocation: sourceLocation)
            #expect(!reason.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Writing

    @Test func headerIsAlignedJSONWithOffsetsInOrder() throws {
        let header = try Safetensors.header(
            tensors: [TensorEntry(name: "a", shape: [2, 3], dtype: .f32), TensorEntry(name: "b", shape: [5], dtype: .bf16)],
            metadata: ["seed": "42"])
        #expect(header.count % 8 == 0)
        let length = (0 ..< 8).reduce(0) { $0 | Int(header[$1]) << (8 * $1) }
        #expect(length == header.count - 8)
        let text = String(decoding: header[8...], as: UTF8.self)
        #expect(text.hasPrefix(#"{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"BF16","shape":[5],"data_offsets":[24,34]},"__metadata__":{"seed":"42"}}"#))
        // Padding is spaces after the object, at most 7 of them.
        let padding = text.reversed().prefix(while: { $0 == " " }).count
        #expect(padding < 8 && text.dropLast(padding).hasSuffix("}}"))
    }

    @Test func roundTripsEveryFormatAndMetadata() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("m.safetensors")
        let tensors = [
            TensorEntry(name: "w32", shape: [3, 4], dtype: .f32), TensorEntry(name: "w64", shape: [7], dtype: .f64),
            TensorEntry(name: "h", shape: [2, 2, 2], dtype: .f16), TensorEntry(name: "b", shape: [9], dtype: .bf16),
        ]
        let payloads: [[UInt8]] = try tensors.map { entry in (0 ..< (try entry.byteCount())).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) } }
        let metadata = ["scheme": "normal", "quote\"d": "line\nbreak é"]
        try TensorFile.write(to: path, format: .safetensors, tensors: tensors, metadata: metadata) { index, sink in
            try payloads[index].withUnsafeBytes { try sink.write($0) }
        }
        let read = try Safetensors.read(path)
        #expect(read.metadata == metadata)
        #expect(read.tensors.map(\.name) == tensors.map(\.name))
        #expect(read.tensors.map(\.shape) == tensors.map(\.shape))
        #expect(read.tensors.map(\.dtype) == tensors.map(\.dtype))
        #expect(read.tensors.map(\.bytes) == payloads)
        #expect(try TensorFile.read(path).format == .safetensors)
        #expect(try directory.contents() == ["m.safetensors"])
    }

    @Test func sinkRefusesTooFewOrTooManyBytesAndLeavesNoFile() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let entry = TensorEntry(name: "w", shape: [4], dtype: .f32)
        for count in [3, 5] {
            #expect(throws: WeightInitError.self) {
                try TensorFile.write(to: directory.file("w.safetensors"), format: .safetensors, tensors: [entry]) { _, sink in
                    try sink.write([Float](repeating: 1, count: count))
                }
            }
        }
        #expect(try directory.contents().isEmpty)
    }

    @Test func duplicateOrReservedNamesAreRefused() {
        let entry = TensorEntry(name: "w", shape: [1], dtype: .f32)
        #expect(throws: WeightInitError.self) { try Safetensors.header(tensors: [entry, entry]) }
        #expect(throws: WeightInitError.self) {
            try Safetensors.header(tensors: [TensorEntry(name: "__metadata__", shape: [1], dtype: .f32)])
        }
    }

    // MARK: Streaming

    /// A streamed write (a chunk of 100 bytes: 25 floats, so chunks do not
    /// line up with Philox blocks or rows) equals the in-memory fill, byte
    /// for byte, and equals the .npy writer's output.
    @Test(arguments: [
        Initializer.normal(mean: 0.5, std: 2), .uniform(low: -1, high: 3), .kaimingNormal(truncated: true),
        .orthogonal(gain: 2), .zeros, .constant(-0.375),
    ])
    func streamedEqualsInMemory(_ initializer: Initializer) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let shape = [37, 29]
        let stream = RandomStream(seed: 42, stream: 7)
        let values: [Float] = try initializer.makeArray(shape: shape, seed: 42, stream: 7)
        try NPY.write(values, shape: shape, to: directory.file("memory.npy"))
        for (format, name) in [(TensorFileFormat.npy, "streamed.npy"), (.safetensors, "streamed.safetensors")] {
            try TensorFile.write(to: directory.file(name), format: format,
                                 tensors: [TensorEntry(name: "w", shape: shape, dtype: .f32)]) { _, sink in
                try initializer.write(Float.self, shape: shape, randomStream: stream, chunkBytes: 100, to: sink)
            }
        }
        let memory = try Data(contentsOf: URL(fileURLWithPath: directory.file("memory.npy")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("streamed.npy"))) == memory)
        let tensor = try Safetensors.read(directory.file("streamed.safetensors")).tensors[0]
        #expect(tensor.bytes == values.withUnsafeBytes { Array($0) })
    }

    @Test func bf16IsStoredAsRealBFloat16() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let values: [BFloat16] = try Initializer.normal().makeArray(shape: [64], seed: 1)
        try TensorFile.write(to: directory.file("b.safetensors"), format: .safetensors,
                             tensors: [TensorEntry(name: "b", shape: [64], dtype: .bf16)]) { _, sink in
            try Initializer.normal().write(BFloat16.self, shape: [64], randomStream: RandomStream(seed: 1), chunkBytes: 6, to: sink)
        }
        let tensor = try Safetensors.read(directory.file("b.safetensors")).tensors[0]
        #expect(tensor.dtype == .bf16)
        #expect(tensor.doubleValues() == values.map(\.doubleValue))
    }

    // MARK: Malformed input: each case is refused with a one-line reason, never a crash

    @Test func tooShortForTheLength() {
        Self.expectMalformed([], "too short")
        Self.expectMalformed([1, 0, 0], "too short")
    }

    @Test func headerLengthPastTheEnd() {
        var bytes = Self.file(json: "{}")
        bytes[0] = 200
        Self.expectMalformed(bytes, "runs past the end")
        // 2⁶⁴ − 1: must not overflow or allocate.
        Self.expectMalformed([UInt8](repeating: 0xFF, count: 8) + Array("{}".utf8), "runs past the end")
    }

    @Test func notJSONOrNotUTF8() {
        Self.expectMalformed(Self.file(json: "{\"a\": "), "not valid JSON")
        Self.expectMalformed(Self.file(json: "{} trailing"), "after the JSON value")
        Self.expectMalformed((0 ..< 8).map { $0 == 0 ? 3 : 0 } + [0x7B, 0xFF, 0x7D], "UTF-8")
        Self.expectMalformed(Self.file(json: "[]"), "not an object")
        Self.expectMalformed(Self.file(json: String(repeating: "[", count: 10_000)), "nested deeper")
    }

    @Test func duplicateKeys() {
        let entry = #"{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#
        Self.expectMalformed(Self.file(json: "{\"w\":\(entry),\"w\":\(entry)}", data: [0, 0, 0, 0]), "duplicate key")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                                       data: [0, 0, 0, 0]), "duplicate key")
    }

    @Test func wrongTypesAndUnknownKeys() {
        let data: [UInt8] = [0, 0, 0, 0]
        Self.expectMalformed(Self.file(json: #"{"w":[1]}"#, data: data), "not an object")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}"#, data: data), "dtype is a number")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}"#, data: data), "not an array")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, data: data), "not an integer")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}"#, data: data), "unexpected key")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: data), "needs dtype, shape and data_offsets")
        Self.expectMalformed(Self.file(json: #"{"__metadata__":{"a":1}}"#), "not a string")
        Self.expectMalformed(Self.file(json: #"{"__metadata__":[]}"#), "not an object")
    }

    @Test func unsupportedDtype() {
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"I16","shape":[1],"data_offsets":[0,2]}}"#, data: [UInt8](repeating: 0, count: 2)),
                             "unsupported dtype")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#, data: [0]),
                             "unsupported dtype")
    }

    /// Integer and boolean tensors, and scalars, are written and read back
    /// with their safetensors dtypes (BatchNorm's num_batches_tracked is an
    /// int64 scalar).
    @Test func integerTensorsAndScalarsRoundTrip() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("ints.safetensors")
        let entries = [
            TensorEntry(name: "count", shape: [], dtype: .i64), TensorEntry(name: "ids", shape: [2], dtype: .i32),
            TensorEntry(name: "bytes", shape: [3], dtype: .u8), TensorEntry(name: "mask", shape: [2], dtype: .bool),
            TensorEntry(name: "scale", shape: [], dtype: .f32),
        ]
        let data: [[UInt8]] = [
            DType.i64.integerBytes(-3)!, DType.i32.integerBytes(7)! + DType.i32.integerBytes(-1)!,
            [0, 128, 255], [1, 0], withUnsafeBytes(of: Float(0.5).bitPattern.littleEndian, Array.init),
        ]
        try TensorFile.write(to: path, format: .safetensors, tensors: entries) { index, sink in
            try data[index].withUnsafeBytes { try sink.write($0) }
        }
        let header = try String(decoding: Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        #expect(header.contains(#""count":{"dtype":"I64","shape":[]"#) && header.contains(#""mask":{"dtype":"BOOL""#))
        let read = try Safetensors.read(path).tensors
        #expect(read.map(\.dtype) == [.i64, .i32, .u8, .bool, .f32])
        #expect(read.map(\.shape) == [[], [2], [3], [2], []])
        #expect(read.map { $0.doubleValues() } == [[-3], [7, -1], [0, 128, 255], [1, 0], [0.5]])
        // An integer entry cannot go into .npy.
        #expect(throws: WeightInitError.self) {
            try TensorFile.write(to: directory.file("i.npy"), format: .npy, tensors: [entries[0]]) { _, _ in }
        }
        #expect(DType.u8.integerBytes(256) == nil && DType.bool.integerBytes(2) == nil && DType.i64.integerBytes(0.5) == nil)
    }

    @Test func negativeAndOverflowingShapes() {
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#), "not an integer")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#), "not an integer")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#), "overflows")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,-4]}}"#), "not an integer")
    }

    @Test func offsetsThatDisagreeOverlapOrLeaveGaps() {
        let eight = [UInt8](repeating: 0, count: 8)
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#, data: eight), "needs 4")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: eight), "begin ≤ end")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, data: eight), "[begin, end]")
        Self.expectMalformed(Self.file(
            json: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
            data: eight), "overlaps")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight), "gap")
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: eight), "4 bytes after")
    }

    @Test func truncatedBodyAndOffsetsPastTheFile() {
        Self.expectMalformed(Self.file(json: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: [0, 0, 0]), "truncated")
        Self.expectMalformed(Self.file(
            json: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[9223372036854775800,9223372036854775804]}}"#), "gap")
    }

    @Test func fileThatIsNeither() {
        #expect(throws: WeightInitError.self) { try TensorFile.parse(Array("hello world, not a tensor".utf8)) }
        #expect(throws: WeightInitError.self) { try TensorFile.parse([]) }
    }

    /// The from-bytes entry point (the fuzz target's) rejects every
    /// malformed .npy case of NPYTests with the same reason as the file reader.
    @Test func npyFromBytesRejectsEveryMalformedCase() {
        for (name, bytes, reason) in NPYTests.malformed {
            do {
                _ = try NPY.parse(bytes, path: "x.npy")
                Issue.record("\(name): accepted")
            } catch let WeightInitError.malformedFile(_, message) {
                #expect(message.contains(reason), "\(name): \(message)")
            } catch {
                Issue.record("\(name): unexpected error \(error)")
            }
        }
        #expect(throws: Never.self) { try NPY.parse(NPYTests.valid) }
    }

    // MARK: JSON

    @Test func jsonEscapesAndSurrogates() throws {
        let value = try JSONParser.parse(Array(#"{"a\n\u00e9\ud83d\ude00":[1,-2.5e3,true,null]}"#.utf8))
        #expect(value == .object([("a\né😀", .array([.number("1"), .number("-2.5e3"), .bool(true), .null]))]))
        for bad in [#""\ud83d""#, #""\u12""#, #"[1,]"#, #"{"a":1,}"#, "01", "-", "1.", "\"\u{01}\"", #""\x""#, "tru", ""] {
            #expect(throws: JSONParser.Failure.self, "\(bad)") { try JSONParser.parse(Array(bad.utf8)) }
        }
        #expect(JSONValue.quoted("a\"\\\u{01}") == #""a\"\\\u0001""#)
    }
}
