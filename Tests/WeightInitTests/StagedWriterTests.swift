import Foundation
import Testing
@_spi(Plumbing) @testable import WeightInit

/// The staged writer behind every atomic write: whatever mix of copied and
/// in-place appends, buffer boundaries, block alignment and file system,
/// the file holds exactly the bytes appended, in order — on the direct-I/O
/// path with its writer thread (files of 16 MiB or more) and on the
/// synchronous one; and a failed write is reported, not lost.
@Suite struct StagedWriterTests {
    /// Deterministic bytes: byte i of the stream of appends.
    static func byte(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }

    /// Appends `total` bytes in pieces of the given sizes (cycled), every
    /// third piece in place with the element size 2, 4 or 8 (the rest copied),
    /// and returns the file's bytes.
    private func write(total: Int, pieces: [Int], expected: Int?, in directory: String) throws -> [UInt8] {
        let path = directory + "/out.bin"
        try AtomicFile.write(to: path, expectedBytes: expected) { file in
            var position = 0, piece = 0
            while position < total {
                let size = Swift.min(pieces[piece % pieces.count], total - position)
                if piece % 3 == 2, size >= 8 {
                    let elementSize = [2, 4, 8][piece % 9 / 3]
                    let wanted = size / elementSize * elementSize
                    let start = position
                    let written = try file.appendInPlace(maxBytes: wanted, elementSize: elementSize) { raw in
                        for i in raw.indices { raw[i] = Self.byte(start + i) }
                        return raw.count
                    }
                    #expect(written > 0 && written <= wanted && written % elementSize == 0)
                    position += written
                } else {
                    let bytes = (position ..< position + size).map(Self.byte)
                    try file.write(bytes)
                    position += size
                }
                piece += 1
            }
        }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test(arguments: [
        (20 << 20, [1 << 20, 3, 4099, 5 << 20, 1], 20 << 20),    // direct I/O: odd pieces across buffers
        ((16 << 20) + 4097, [8 << 20], (16 << 20) + 4097),       // exactly full buffers, then a partial block
        (3 << 20, [7, 1_234_567], nil),                            // size unknown: synchronous
        (100_000, [1, 2, 3, 40_000], 100_000),                     // small: synchronous
        (0, [1], 0),                                               // empty
    ])
    func fileHoldsTheBytesAppended(total: Int, pieces: [Int], expected: Int?) throws {
        for directory in ["/dev/shm", NSTemporaryDirectory()] where FileManager.default.isWritableFile(atPath: directory) {
            let scratch = directory + "/weightinit-staged-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let bytes = try write(total: total, pieces: pieces, expected: expected, in: scratch)
            #expect(bytes.count == total, "\(scratch)")
            if let mismatch = bytes.indices.first(where: { bytes[$0] != Self.byte($0) }) {
                Issue.record("\(scratch): byte \(mismatch) of \(total) differs")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch) == ["out.bin"])
        }
    }

    /// A descriptor that refuses writes: the failure surfaces as an I/O
    /// error on both paths, the writer thread is waited for, and nothing
    /// hangs or crashes when the writer goes away.
    @Test(arguments: [nil, 64 << 20] as [Int?])
    func failedWritesAreReported(expected: Int?) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        #expect(FileManager.default.createFile(atPath: directory.file("r.bin"), contents: Data()))
        let descriptor = open(directory.file("r.bin"), O_RDONLY)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let writer = StagedWriter(descriptor: descriptor, path: directory.file("r.bin"), expectedBytes: expected)
        let chunk = [UInt8](repeating: 7, count: 3 << 20)
        do {
            for _ in 0 ..< 12 { try chunk.withUnsafeBytes { try writer.append($0) } }
            try writer.finish()
            Issue.record("writes to a read-only descriptor succeeded")
        } catch let WeightInitError.io(path, reason) {
            #expect(path == directory.file("r.bin") && reason.hasPrefix("cannot write"), "\(reason)")
        }
        writer.cancel()
    }

    /// A large tensor file through the sink, in place, with a tensor of an
    /// odd number of halves before a float tensor (unaligned in-place
    /// appends fall back to a copy): the bytes the values say.
    @Test func largeFileWithUnalignedTensors() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("m.safetensors")
        let a: [Float16] = (0 ..< 1001).map { Float16(Float($0) * 0.5) }
        let b: [Float] = (0 ..< (5 << 20)).map { Float($0 % 1000) - 500 }
        try TensorFile.write(to: path, format: .safetensors, tensors: [
            TensorEntry(name: "a", shape: [1001], format: .f16), TensorEntry(name: "b", shape: [5 << 20], format: .f32),
        ]) { index, sink in
            if index == 0 { return try sink.write(a) }
            var done = 0
            while done < b.count {
                let start = done
                done += try sink.appendInPlace(Float.self, maxCount: Swift.min(777_777, b.count - start)) { part in
                    for i in part.indices { part[i] = b[start + i] }
                }
            }
        }
        let contents = try TensorFile.read(path)
        #expect(contents.tensors.map(\.name) == ["a", "b"])
        #expect(contents.tensors[0].bytes == a.withUnsafeBytes { Array($0) })
        #expect(contents.tensors[1].bytes == b.withUnsafeBytes { Array($0) })
    }
}
