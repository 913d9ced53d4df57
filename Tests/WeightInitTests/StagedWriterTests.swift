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

    /// `byte(i)` depends on the low 21 bits of `i` only: one period of it,
    /// so the tests copy and compare runs of bytes (they would spend
    /// minutes calling `byte` per byte in a debug build).
    static let period: [UInt8] = (0 ..< 1 << 21).map(byte)

    /// Writes `byte(start + i)` to `raw[i]`.
    static func fill(_ raw: UnsafeMutableRawBufferPointer, from start: Int) {
        var done = 0
        while done < raw.count {
            let phase = (start + done) & (period.count - 1), count = Swift.min(raw.count - done, period.count - phase)
            period.withUnsafeBytes { (raw.baseAddress! + done).copyMemory(from: $0.baseAddress! + phase, byteCount: count) }
            done += count
        }
    }

    /// The first index where `bytes` differs from `byte(i)`, if any.
    static func firstMismatch(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let count = Swift.min(raw.count - start, period.count)
                let same = period.withUnsafeBytes { memcmp(raw.baseAddress! + start, $0.baseAddress!, count) == 0 }
                if !same { return (start ..< start + count).first { raw[$0] != byte($0) } }
                start += count
            }
            return nil
        }
    }

    /// Appends `total` bytes in pieces of the given sizes (cycled), every
    /// third piece in place with the element size 2, 4 or 8 (the rest copied),
    /// and returns the file's bytes.
    private func write(total: Int, pieces: [Int], expected: Int?, in directory: String,
                       calls: StagedWriter.SystemCalls = .system) throws -> [UInt8] {
        let path = directory + "/out.bin"
        try AtomicFile.write(to: path, expectedBytes: expected, calls: calls) { file in
            var position = 0, piece = 0
            while position < total {
                let size = Swift.min(pieces[piece % pieces.count], total - position)
                if piece % 3 == 2, size >= 8 {
                    let elementSize = [2, 4, 8][piece % 9 / 3]
                    let wanted = size / elementSize * elementSize
                    let start = position
                    let written = try file.appendInPlace(maxBytes: wanted, elementSize: elementSize) { raw in
                        Self.fill(raw, from: start)
                        return raw.count
                    }
                    #expect(written > 0 && written <= wanted && written % elementSize == 0)
                    position += written
                } else {
                    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                        Self.fill(UnsafeMutableRawBufferPointer(buffer), from: position)
                        count = size
                    }
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
            if let mismatch = Self.firstMismatch(bytes) {
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
            TensorEntry(name: "a", shape: [1001], dtype: .f16), TensorEntry(name: "b", shape: [5 << 20], dtype: .f32),
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

    // MARK: Paths this machine's file systems do not take

    /// Stand-ins for the writer's system calls: the real `pwrite` and
    /// write-back, with direct I/O refused when it is turned on
    /// (`refuseDirect`), or refused with EINVAL at direct write
    /// `refuseDirectAt` (1-based), or `failure` (an errno) at write
    /// `failAt`; every call recorded. Direct I/O is never really turned on:
    /// the writes go through the page cache whatever the writer believes,
    /// so the test does not depend on the file system.
    final class Stand: @unchecked Sendable {
        let refuseDirect: Bool, refuseDirectAt: Int?, failAt: Int?, failure: Int32
        private let lock = NSLock()
        private var writes = 0, directWrites = 0, directOn = false
        /// The offset of the direct write refused, if any.
        private(set) var refusedAt: Int64?
        /// Every write-back range started or finished, in order.
        private(set) var writeBacks: [(offset: Int64, count: Int64)] = []
        /// Every change of direct I/O asked for.
        private(set) var directChanges: [Bool] = []

        init(refuseDirect: Bool = false, refuseDirectAt: Int? = nil, failAt: Int? = nil, failure: Int32 = ENOSPC) {
            (self.refuseDirect, self.refuseDirectAt, self.failAt, self.failure) = (refuseDirect, refuseDirectAt, failAt, failure)
        }

        private func locked<R>(_ body: () -> R) -> R { lock.lock(); defer { lock.unlock() }; return body() }

        var calls: StagedWriter.SystemCalls {
            StagedWriter.SystemCalls(
                write: { [self] descriptor, bytes, count, offset, direct in
                    let refusal: Int32? = locked {
                        writes += 1
                        if direct { directWrites += 1 }
                        if writes == failAt { return failure }
                        if direct, directWrites == refuseDirectAt {
                            refusedAt = offset
                            return EINVAL
                        }
                        return nil
                    }
                    if let refusal {
                        errno = refusal
                        return -1
                    }
                    return pwrite(descriptor, bytes, count, off_t(offset))
                },
                directIO: { [self] _, on in
                    locked {
                        directChanges.append(on)
                        guard !(on && refuseDirect) else { errno = EINVAL; return -1 }
                        directOn = on
                        return 0
                    }
                },
                writebackStart: { [self] descriptor, offset, count in
                    locked { writeBacks.append((offset, count)) }
                    StagedWriter.SystemCalls.system.writebackStart(descriptor, offset, count)
                },
                writebackFinish: { [self] descriptor, offset, count in
                    locked { writeBacks.append((offset, count)) }
                    StagedWriter.SystemCalls.system.writebackFinish(descriptor, offset, count)
                })
        }
    }

    /// A large file on a file system that refuses direct I/O: through the
    /// page cache with write-behind, the same bytes as any other path.
    @Test(arguments: [(16 << 20) + 12_345, 24 << 20])
    func pageCachePathHoldsTheBytesAppended(total: Int) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let stand = Stand(refuseDirect: true)
        let bytes = try write(total: total, pieces: [1 << 20, 3, 4099, 5 << 20, 1], expected: total,
                              in: directory.path, calls: stand.calls)
        #expect(stand.directChanges == [true], "direct I/O asked for once, refused")
        #expect(!stand.writeBacks.isEmpty, "write-behind ran")
        #expect(bytes.count == total)
        if let mismatch = Self.firstMismatch(bytes) {
            Issue.record("byte \(mismatch) of \(total) differs")
        }
    }

    /// Direct I/O refused with EINVAL at the k-th direct write (a file
    /// system that takes O_DIRECT but not these writes): the writer goes on
    /// through the page cache from that write, with write-behind from there
    /// (not from offset 0), and the file holds the same bytes.
    @Test(arguments: [1, 2])
    func directIORefusedAtAWrite(k: Int) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let total = (24 << 20) + 777
        let stand = Stand(refuseDirectAt: k)
        let bytes = try write(total: total, pieces: [1 << 20, 3, 4099, 5 << 20, 1], expected: total,
                              in: directory.path, calls: stand.calls)
        #expect(stand.directChanges.first == true && stand.directChanges.dropFirst().allSatisfy { !$0 })
        let refusedAt = try #require(stand.refusedAt, "the refusal happened")
        // Write-behind covers only what went through the page cache: from the refused write on.
        #expect(!stand.writeBacks.isEmpty && stand.writeBacks.allSatisfy { $0.offset >= refusedAt },
                "refused at \(refusedAt); write-back of \(stand.writeBacks.map { "\($0.offset)+\($0.count)" })")
        #expect(bytes.count == total)
        if let mismatch = Self.firstMismatch(bytes) {
            Issue.record("byte \(mismatch) of \(total) differs")
        }
    }

    static let large = (16 << 20) + 777

    /// A write failing with ENOSPC (or EIO) at the k-th write, on every path:
    /// thrown as an I/O error naming the destination and the cause, and no
    /// file left — neither the destination nor the temporary file.
    @Test(arguments: [
        (nil, false, 1, ENOSPC), (nil, false, 2, EIO),                      // synchronous
        // Large (two full buffers, then a partial block: three writes):
        (Self.large, false, 1, ENOSPC), (Self.large, false, 2, ENOSPC),  // direct I/O, writer thread
        (Self.large, false, 3, EIO),                                      // the last partial block
        (Self.large, true, 2, ENOSPC), (Self.large, true, 3, ENOSPC),    // page cache, writer thread
    ] as [(Int?, Bool, Int, Int32)])
    func failedWriteLeavesNoFile(expected: Int?, refuseDirect: Bool, k: Int, code: Int32) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let total = expected ?? (3 << 20) + 5
        let stand = Stand(refuseDirect: refuseDirect, failAt: k, failure: code)
        do {
            _ = try write(total: total, pieces: [1 << 20, 3, 4099, 5 << 20, 1], expected: expected,
                          in: directory.path, calls: stand.calls)
            Issue.record("a failed write was not reported")
        } catch let WeightInitError.io(path, reason) {
            #expect(path == directory.file("out.bin"))
            #expect(reason == "cannot write: " + String(cString: strerror(code)), "\(reason)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
    }
}
