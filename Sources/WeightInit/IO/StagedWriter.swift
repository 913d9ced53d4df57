import _WeightInitSignals
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file front to back through two staging buffers: the caller fills
/// one (by copying bytes in, or by computing values straight into it) while
/// a writer thread writes the other to the file.
///
/// Files of ``directThreshold`` bytes or more go by direct I/O (O_DIRECT):
/// every write but the last is a multiple of ``blockBytes`` at a multiple of
/// it, from a buffer aligned to it, and goes from the buffer to the disk with
/// no copy into the page cache. That copy, not the disk, was what limited
/// large files (see `WeightInitSignals.h`); a file system that refuses direct
/// I/O gets the same writes through the page cache, with write-behind. The
/// last partial block always goes through the page cache. Smaller files, and
/// files of unknown size, are written synchronously through the page cache.
///
/// Not thread-safe: one caller at a time. ``finish()`` flushes (errors of the
/// writer thread surface there or at the next buffer switch); ``cancel()``
/// waits for the writer thread and must run before the descriptor is closed.
final class StagedWriter {
    /// Bytes per staging buffer.
    static let bufferBytes = 8 << 20
    /// Direct I/O's alignment of addresses, offsets and lengths.
    static let blockBytes = Int(WI_DIRECT_IO_ALIGNMENT)
    /// Files expected to be at least this large use direct I/O and the writer thread.
    static let directThreshold = 2 * bufferBytes

    private let shared: Shared
    /// Writes run here (`nil`: synchronously, on the caller's thread).
    private let queue: DispatchQueue?
    /// The buffer the caller fills, and how many of its bytes are filled.
    private var current = 0, used = 0
    /// The file offset of `current`'s first byte.
    private var fileOffset: Int64 = 0
    private var done = false
    /// Where `appendInPlace` has values written when the file position is
    /// not aligned to their size: `capacity` bytes, allocated at the first
    /// such call and kept (a tensor after an odd-count f16 one is unaligned
    /// for every chunk).
    private var scratch: UnsafeMutableRawPointer?

    /// A writer for the open file `descriptor` (`path` names it in errors),
    /// which will receive about `expectedBytes` bytes (`nil`: unknown),
    /// through `calls` (the system's, unless a test stands in).
    init(descriptor: Int32, path: String, expectedBytes: Int?, calls: SystemCalls = .system) {
        let large = (expectedBytes ?? 0) >= Self.directThreshold
        let capacity = large ? Self.bufferBytes
            : Swift.min(Self.bufferBytes, Swift.max(Self.blockBytes, (expectedBytes ?? 1 << 20) + Self.blockBytes - 1)
                / Self.blockBytes * Self.blockBytes)
        shared = Shared(descriptor: descriptor, path: path, capacity: capacity, buffers: large ? 2 : 1,
                        direct: large && calls.directIO(descriptor, true) == 0, calls: calls)
        queue = large ? DispatchQueue(label: "weightinit.staged-writer", qos: .userInitiated) : nil
        shared.idle[0].wait()  // the caller owns buffer 0
    }

    /// Whether a writer thread sends full buffers to the disk while the
    /// caller fills the other (large files).
    var writesBehind: Bool { queue != nil }

    /// The system calls a writer makes. Tests substitute their own to reach
    /// what this machine's file systems do not show: a file system that
    /// refuses direct I/O (tmpfs accepts it since Linux 6.6), one that
    /// refuses it only at some write, a full disk.
    struct SystemCalls: Sendable {
        /// `pwrite(2)`: the bytes written, or -1 with `errno` set. `direct`
        /// says whether the writer has direct I/O on.
        var write: @Sendable (_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int, _ offset: Int64,
                              _ direct: Bool) -> Int
        /// Turns direct I/O on or off (`wi_direct_io`): 0, or -1 with `errno` set.
        var directIO: @Sendable (_ descriptor: Int32, _ on: Bool) -> Int32
        /// Starts the write-back of a range (`wi_writeback_start`).
        var writebackStart: @Sendable (_ descriptor: Int32, _ offset: Int64, _ count: Int64) -> Void
        /// Waits for a range's write-back and drops it from the cache (`wi_writeback_finish`).
        var writebackFinish: @Sendable (_ descriptor: Int32, _ offset: Int64, _ count: Int64) -> Void

        static let system = SystemCalls(
            write: { descriptor, bytes, count, offset, _ in pwrite(descriptor, bytes, count, off_t(offset)) },
            directIO: { descriptor, on in wi_direct_io(descriptor, on ? 1 : 0) },
            writebackStart: { descriptor, offset, count in _ = wi_writeback_start(descriptor, offset, count) },
            writebackFinish: { descriptor, offset, count in _ = wi_writeback_finish(descriptor, offset, count) })
    }

    deinit {
        cancel()
        shared.deallocate()
        scratch?.deallocate()
    }

    private var capacity: Int { shared.capacity }
    private var buffer: UnsafeMutableRawPointer { shared.buffers[current] }

    /// Appends `bytes`.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let count = Swift.min(remaining, capacity - used)
            (buffer + used).copyMemory(from: next, byteCount: count)
            used += count
            next += count
            remaining -= count
            if used == capacity { try submit() }
        }
    }

    /// Lets `fill` write up to `maxBytes` bytes (≥ `elementSize`, a power of
    /// two) straight into the staging buffer, at an address aligned to
    /// `elementSize`, and appends the bytes it says it wrote (a multiple of
    /// `elementSize`, at most what it was given). Returns that count. Where
    /// the file position is not aligned (a tensor after one of an odd
    /// number of 2-byte elements), `fill` writes into a scratch buffer, kept
    /// for the writer's lifetime, that is then copied.
    func appendInPlace(maxBytes: Int, elementSize: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        precondition(maxBytes >= elementSize && elementSize > 0 && elementSize & (elementSize - 1) == 0)
        if capacity - used < elementSize { try submit() }
        guard used % elementSize == 0, capacity - used >= elementSize else {
            let count = Swift.min(maxBytes, capacity) / elementSize * elementSize
            let start = scratch ?? UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: Self.blockBytes)
            scratch = start
            let written = try fill(UnsafeMutableRawBufferPointer(start: start, count: count))
            precondition(written <= count && written % elementSize == 0, "fill wrote more than it was given")
            try append(UnsafeRawBufferPointer(start: start, count: written))
            return written
        }
        let count = Swift.min(maxBytes, capacity - used) / elementSize * elementSize
        let written = try fill(UnsafeMutableRawBufferPointer(start: buffer + used, count: count))
        precondition(written <= count && written % elementSize == 0, "fill wrote more than it was given")
        used += written
        if used == capacity { try submit() }
        return written
    }

    /// Writes out everything appended and waits until it is written (not
    /// yet flushed to disk: the caller's fsync does that).
    func finish() throws {
        try submit()
        waitForWrites()
        try shared.check()
        if used > 0 {
            // The last partial block: through the page cache.
            if shared.direct { _ = shared.leaveDirect(at: fileOffset) }
            shared.write(current, count: used, at: fileOffset)
            try shared.check()
            fileOffset += Int64(used)
            used = 0
        }
        done = true
        shared.idle[current].signal()
    }

    /// Waits for the writer thread, discarding what was not written. Idempotent.
    func cancel() {
        guard !done else { return }
        done = true
        waitForWrites()
        // Every semaphore back at its initial value: libdispatch refuses to
        // dispose of one that is still taken.
        shared.idle[current].signal()
    }

    /// Hands the filled blocks of the current buffer to the writer, keeping
    /// the bytes of a last partial block (direct I/O writes whole blocks).
    private func submit() throws {
        guard let queue else {
            guard used > 0 else { return }
            shared.write(current, count: used, at: fileOffset)
            try shared.check()
            fileOffset += Int64(used)
            used = 0
            return
        }
        let blocks = used / Self.blockBytes * Self.blockBytes
        guard blocks > 0 else { return }
        let next = 1 - current, tail = used - blocks
        shared.idle[next].wait()  // its previous write is done: the caller owns it now
        do {
            try shared.check()
        } catch {
            shared.idle[next].signal()  // not taken after all: cancel() waits for it
            throw error
        }
        shared.buffers[next].copyMemory(from: buffer + blocks, byteCount: tail)
        let (shared, index, offset) = (shared, current, fileOffset)
        queue.async {
            shared.write(index, count: blocks, at: offset)
            shared.idle[index].signal()
        }
        current = next
        fileOffset += Int64(blocks)
        used = tail
    }

    /// Returns once no write is pending. Writes run in order, so the last
    /// one handed over — the other buffer's — ends last.
    private func waitForWrites() {
        guard queue != nil else { return }
        shared.idle[1 - current].wait()
        shared.idle[1 - current].signal()
    }

    /// What the caller's thread and the writer thread share. Ownership of a
    /// buffer passes through its semaphore (`idle[i]` is signalled when
    /// buffer i's write is done), and `failure` and `direct` are written by
    /// the writer thread before that signal and read by the caller after
    /// waiting for it, so no two threads touch the same memory at once.
    private final class Shared: @unchecked Sendable {
        let descriptor: Int32
        let path: String
        let capacity: Int
        let buffers: [UnsafeMutableRawPointer]
        let idle: [DispatchSemaphore]
        let calls: SystemCalls
        var direct: Bool
        var failure: (action: String, code: Int32)?
        /// Write-behind when the writes go through the page cache.
        var started: Int64 = 0, finished: Int64 = 0

        init(descriptor: Int32, path: String, capacity: Int, buffers count: Int, direct: Bool, calls: SystemCalls) {
            self.descriptor = descriptor
            self.calls = calls
            self.path = path
            self.capacity = capacity
            buffers = (0 ..< count).map { _ in
                UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: StagedWriter.blockBytes)
            }
            idle = (0 ..< 2).map { _ in DispatchSemaphore(value: 1) }
            self.direct = direct
        }

        func deallocate() {
            for buffer in buffers { buffer.deallocate() }
        }

        func check() throws {
            if let failure { throw AtomicFile.ioError(path, failure.action, failure.code) }
        }

        /// Writes `count` bytes of buffer `index` at file offset `offset`.
        func write(_ index: Int, count: Int, at offset: Int64) {
            guard failure == nil else { return }
            var next = UnsafeRawPointer(buffers[index]), remaining = count, position = offset
            while remaining > 0 {
                let written = calls.write(descriptor, next, remaining, position, direct)
                if written < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    // The file system refuses direct I/O: the page cache, then.
                    if code == EINVAL, direct, leaveDirect(at: position) { continue }
                    failure = ("cannot write", code)
                    return
                }
                next += written
                remaining -= written
                position += Int64(written)
            }
            if !direct { writeBehind(upTo: position) }
        }

        /// Turns direct I/O off for the writes from file offset `offset` on
        /// (the last partial block, or every write after the file system
        /// refused one) and returns whether it is off. Write-behind starts
        /// there: nothing before it went through the page cache, and from 0
        /// it would walk the whole file written so far in `sync_file_range`
        /// calls (128 for 1 GiB). Every place that leaves direct I/O goes
        /// through here, so the two cannot disagree.
        func leaveDirect(at offset: Int64) -> Bool {
            direct = false
            (started, finished) = (offset, offset)
            return calls.directIO(descriptor, false) == 0
        }

        /// Starts the write-back of what was written since the last call, and
        /// waits for (and drops from the cache) what lies more than
        /// `lagBytes` behind: the disk works while the next buffer is filled,
        /// and the dirty pages stay bounded.
        private func writeBehind(upTo end: Int64) {
            let window = Int64(StagedWriter.bufferBytes), lag = 8 * window
            guard end - started >= window else { return }
            calls.writebackStart(descriptor, started, end - started)
            started = end
            while started - finished > lag {
                calls.writebackFinish(descriptor, finished, window)
                finished += window
            }
        }
    }
}
