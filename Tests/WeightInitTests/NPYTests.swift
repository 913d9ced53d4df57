import Foundation
import Testing
@_spi(Plumbing) import WeightInit

/// A fresh directory under the system temp directory, removed by `remove()`.
struct ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "weightinit-npy-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    func file(_ name: String) -> String { path + "/" + name }
    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct NPYTests {
    // MARK: Header

    @Test func headerMatchesNumpyLayout() throws {
        let header = try NPY.header(shape: [512, 256], dtype: .f32)
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (512, 256), }"
        #expect(header.count == 128)
        #expect(Array(header[0 ..< 8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        #expect(Int(header[8]) | Int(header[9]) << 8 == header.count - 10)
        let text = String(decoding: header[10...], as: UTF8.self)
        #expect(text == dict + String(repeating: " ", count: 128 - 10 - dict.utf8.count - 1) + "\n")
    }

    @Test(arguments: [
        ([5], DType.f64, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }"),
        ([2, 3, 4], .f16, "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3, 4), }"),
    ])
    func headerDict(shape: [Int], format: DType, dict: String) throws {
        let header = try NPY.header(shape: shape, dtype: format)
        #expect(header.count % 64 == 0)
        #expect(String(decoding: header[10...], as: UTF8.self).hasPrefix(dict + " "))
        #expect(header.last == 0x0A)
    }

    /// A dict longer than 65535 bytes needs the 32-bit length of version 2.0.
    @Test func longHeaderUsesVersion2() throws {
        let shape = [Int](repeating: 1, count: 30_000)
        let header = try NPY.header(shape: shape, dtype: .f32)
        #expect(header[6] == 2 && header[7] == 0)
        #expect(header.count % 64 == 0)
        let length = (0 ..< 4).reduce(0) { $0 | Int(header[8 + $1]) << (8 * $1) }
        #expect(length == header.count - 12)

        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try NPY.write([Float(2.5)], shape: shape, to: directory.file("long.npy"))
        let contents = try NPY.read(directory.file("long.npy"))
        #expect(contents.shape == shape)
        #expect(try contents.values(as: Float.self) == [2.5])
    }

    @Test func bfloat16IsRefused() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        #expect(throws: WeightInitError.self) { try NPY.header(shape: [2], dtype: .bf16) }
        let values = [BFloat16(1), BFloat16(2)]
        #expect(throws: WeightInitError.self) { try NPY.write(values, shape: [2], to: directory.file("b.npy")) }
        #expect(try directory.contents().isEmpty)
    }

    // MARK: Round trips

    @Test func roundTripFloat() throws { try roundTrip(Float.self) }
    @Test func roundTripDouble() throws { try roundTrip(Double.self) }
    #if arch(x86_64) || arch(arm64)
    @Test func roundTripFloat16() throws { try roundTrip(Float16.self) }
    #endif

    private func roundTrip<T: WeightScalar & Equatable>(_: T.Type) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let shape = [3, 5, 7]
        let values = (0 ..< 105).map { T(rounding: Double($0) * 0.25 - 7) }
        let path = directory.file("w.npy")
        try NPY.write(values, shape: shape, to: path)
        let contents = try NPY.read(path)
        #expect(contents.shape == shape)
        #expect(contents.dtype == T.dtype)
        #expect(contents.bytes.count == 105 * T.dtype.byteCount)
        #expect(try contents.values(as: T.self) == values)
        #expect(try directory.contents() == ["w.npy"])
    }

    /// Data larger than one write chunk (1 MiB) is streamed in pieces.
    @Test func roundTripSeveralChunks() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let values = (0 ..< 300_000).map { Float($0) }
        try NPY.write(values, shape: [300, 1000], to: directory.file("big.npy"))
        #expect(try NPY.read(directory.file("big.npy")).values(as: Float.self) == values)
    }

    @Test func replacesAnExistingFile() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("w.npy")
        try NPY.write([Float(1), 2], shape: [2], to: path)
        try NPY.write([Double(3)], shape: [1, 1], to: path)
        let contents = try NPY.read(path)
        #expect(contents.shape == [1, 1] && contents.dtype == .f64)
        #expect(try directory.contents() == ["w.npy"])
    }

    @Test func mismatchedBufferIsRejected() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        #expect(throws: WeightInitError.self) { try NPY.write([Float(1), 2, 3], shape: [2, 2], to: directory.file("w.npy")) }
        #expect(try directory.contents().isEmpty)
    }

    // MARK: Atomic writes

    struct Interrupted: Error {}

    @Test func failedBodyLeavesNothing() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: directory.file("w.npy")) { file in
                try file.write([1, 2, 3])
                throw Interrupted()
            }
        }
        #expect(try directory.contents().isEmpty)
    }

    @Test func failedWriteKeepsTheOldFile() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("w.npy")
        try NPY.write([Float(1)], shape: [1], to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: path) { _ in throw Interrupted() }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try directory.contents() == ["w.npy"])
    }

    /// The rename fails after the temporary file was written: it must be removed.
    @Test func targetIsADirectory() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("w.npy"), withIntermediateDirectories: false)
        #expect(throws: WeightInitError.self) { try NPY.write([Float(1)], shape: [1], to: directory.file("w.npy")) }
        #expect(throws: WeightInitError.self) { try AtomicFile.checkDestination(directory.file("w.npy")) }
        #expect(try directory.contents() == ["w.npy"])
    }

    @Test func missingDirectory() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("missing/w.npy")
        #expect(throws: WeightInitError.self) { try AtomicFile.checkDestination(path) }
        // A path that names no usable place is the caller's input, not a failure.
        let error = #expect(throws: WeightInitError.self) { try NPY.write([Float(1)], shape: [1], to: path) }
        guard case let .invalidFile(errorPath, _)? = error else {
            Issue.record("expected an invalid-file error, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
    }

    // MARK: Strict reading

    /// A .npy file with `dict` as its header (padded like the writer does) and `dataBytes` bytes of data.
    static func file(dict: String, dataBytes: Int, version: UInt8 = 1) -> [UInt8] {
        let lengthBytes = version == 1 ? 2 : 4
        let unpadded = 8 + lengthBytes + dict.utf8.count + 1
        let length = dict.utf8.count + 1 + (64 - unpadded % 64) % 64
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        bytes += (0 ..< lengthBytes).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        bytes += Array(dict.utf8) + [UInt8](repeating: 0x20, count: length - dict.utf8.count - 1) + [0x0A]
        return bytes + [UInt8](repeating: 0, count: dataBytes)
    }

    static func dict(descr: String = "'<f4'", fortran: String = "False", shape: String = "(4,)") -> String {
        "{'descr': \(descr), 'fortran_order': \(fortran), 'shape': \(shape), }"
    }

    static let valid = file(dict: dict(), dataBytes: 16)

    /// (case, file bytes, text the reason must contain)
    static let malformed: [(String, [UInt8], String)] = [
        ("empty file", [], "too short"),
        ("shorter than the fixed prefix", Array(valid[0 ..< 9]), "too short"),
        ("bad magic", [0x93] + Array("NUMPX".utf8) + Array(valid[8...]), "bad magic"),
        ("no magic at all", Array("just some text that is long enough".utf8), "bad magic"),
        ("unsupported version", Array(valid[0 ..< 6]) + [9, 0] + Array(valid[8...]), "version 9.0"),
        ("unsupported minor version", Array(valid[0 ..< 6]) + [1, 1] + Array(valid[8...]), "version 1.1"),
        ("header length past the end", Array(valid[0 ..< 8]) + [0xFF, 0xFF] + Array(valid[10...]), "runs past the end"),
        ("header not a dict", file(dict: "[1, 2, 3]", dataBytes: 16), "expected '{'"),
        ("empty dict", file(dict: "{}", dataBytes: 16), "missing key"),
        ("missing shape", file(dict: "{'descr': '<f4', 'fortran_order': False, }", dataBytes: 16), "missing key"),
        ("unknown key", file(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1, }", dataBytes: 16), "unexpected key 'x'"),
        ("duplicate key", file(dict: "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", dataBytes: 16), "duplicate key"),
        ("missing comma", file(dict: "{'descr': '<f4' 'fortran_order': False, 'shape': (4,), }", dataBytes: 16), "expected ',' or '}'"),
        ("unterminated string", file(dict: "{'descr: '<f4', 'fortran_order': False, 'shape': (4,), }", dataBytes: 16), "expected ':'"),
        ("text after the dict", file(dict: dict() + " x", dataBytes: 16), "after the dict"),
        ("non-ASCII header", file(dict: dict(descr: "'<f4é'"), dataBytes: 16), "ASCII"),
        ("big-endian dtype", file(dict: dict(descr: "'>f4'"), dataBytes: 16), "unsupported dtype '>f4'"),
        ("integer dtype", file(dict: dict(descr: "'<i4'"), dataBytes: 16), "unsupported dtype '<i4'"),
        ("descr not a string", file(dict: dict(descr: "4"), dataBytes: 16), "expected a string"),
        ("Fortran order", file(dict: dict(fortran: "True"), dataBytes: 16), "Fortran order"),
        ("fortran_order not a bool", file(dict: dict(fortran: "0"), dataBytes: 16), "True or False"),
        ("negative dimension", file(dict: dict(shape: "(-1, 4)"), dataBytes: 16), "non-negative integer"),
        ("fractional dimension", file(dict: dict(shape: "(2.5,)"), dataBytes: 16), "expected ',' or ')'"),
        ("shape not a tuple", file(dict: dict(shape: "(4)"), dataBytes: 16), "not a tuple"),
        ("shape a list", file(dict: dict(shape: "[4]"), dataBytes: 16), "expected '('"),
        ("unclosed shape", file(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (4, }", dataBytes: 16), "non-negative integer"),
        ("dimension overflows Int", file(dict: dict(shape: "(99999999999999999999,)"), dataBytes: 16), "overflows Int"),
        ("element count overflows Int", file(dict: dict(shape: "(4294967296, 4294967296, 4)"), dataBytes: 16), "overflows the element count"),
        ("byte count overflows Int", file(dict: dict(shape: "(4611686018427387904,)"), dataBytes: 16), "overflows the byte count"),
        ("absurd shape, small file", file(dict: dict(shape: "(1000000000, 1000000000)"), dataBytes: 16), "truncated data"),
        ("truncated data", Array(valid.dropLast()), "truncated data"),
        ("trailing data", valid + [0], "after the data"),
        ("version 2 truncated length", Array(file(dict: dict(), dataBytes: 0, version: 2)[0 ..< 10]), "truncated header length"),
    ]

    @Test(arguments: malformed.map(\.0))
    func malformedFileIsRejected(name: String) throws {
        let (_, bytes, expectedReason) = Self.malformed.first { $0.0 == name }!
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("bad.npy")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: WeightInitError.self) { try NPY.read(path) }
        guard case let .malformedFile(errorPath, reason)? = error else {
            Issue.record("\(name): expected malformedFile, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(reason.contains(expectedReason), "\(name): \(reason)")
    }

    /// The fixture builder itself produces a readable file, so the cases above
    /// fail for the one defect each introduces.
    @Test(arguments: [1, 2, 3] as [UInt8])
    func validFixtureIsAccepted(version: UInt8) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("good.npy")
        try Data(Self.file(dict: Self.dict(), dataBytes: 16, version: version)).write(to: URL(fileURLWithPath: path))
        let contents = try NPY.read(path)
        #expect(contents.shape == [4] && contents.dtype == .f32 && contents.bytes == [UInt8](repeating: 0, count: 16))
    }

    @Test func numpyStyleVariantsAreAccepted() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let variants: [(String, [Int], Int)] = [
            ("{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3,)}", [2, 3], 48),
            ("{'shape': (), 'fortran_order': False, 'descr': '<f2'}", [], 2),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", [0, 5], 0),
        ]
        for (dict, shape, dataBytes) in variants {
            let path = directory.file("v.npy")
            try Data(Self.file(dict: dict, dataBytes: dataBytes)).write(to: URL(fileURLWithPath: path))
            #expect(try NPY.read(path).shape == shape, "\(dict)")
        }
    }

    /// A missing file and a directory are the caller's input, not a failure.
    @Test func unusablePathsAreInvalidFileErrors() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        for path in [directory.file("missing.npy"), directory.path] {
            let error = #expect(throws: WeightInitError.self) { try NPY.read(path) }
            guard case .invalidFile? = error, error?.kind == .invalidInput else {
                Issue.record("\(path): expected an invalid-file error, got \(String(describing: error))")
                continue
            }
        }
    }
}
