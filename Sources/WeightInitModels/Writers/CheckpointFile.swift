@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Planned tensors written into one file (`.safetensors`, or `.npy` for a
/// single tensor): the header, then each tensor, sampling schemes streamed
/// in chunks — what ``ModelPlan/write(to:options:progress:)`` and each
/// shard of a ``ShardedCheckpoint`` write.
@_spi(Plumbing) public enum CheckpointFile {
    /// Bytes per streamed chunk; `WEIGHTINIT_WRITE_CHUNK_BYTES` overrides it
    /// (an internal knob, so tests can exercise many chunks on small tensors).
    @_spi(Plumbing) public static var chunkBytes: Int {
        if let text = getenv("WEIGHTINIT_WRITE_CHUNK_BYTES"), let value = Int(String(cString: text)), value >= 1 { return value }
        return Initializer.defaultWriteChunkBytes
    }

    /// `progress` is told the bytes written so far and the file's total as the write goes on.
    @_spi(Plumbing) public static func write(_ tensors: [PlannedTensor], to path: String, format: TensorFileFormat, options: FillOptions,
                                             progress: @escaping (_ written: Int, _ total: Int) -> Void = { _, _ in }) throws {
        let metadata = format == .safetensors ? PlannedTensor.metadata(tensors) : [:]
        _ = try checkedTotal(tensors)
        let chunk = chunkBytes
        try TensorFile.write(to: path, format: format, tensors: tensors.map(\.entry), metadata: metadata,
                             progress: progress) { index, sink in
            try tensors[index].write(to: sink, options: options, chunkBytes: chunk)
        }
    }

    /// Refuses, before any work, what cannot be written: bf16 in `.npy`,
    /// several tensors in `.npy`, a destination that is not a new name or a
    /// regular file (the input is wrong: status 64); structured schemes
    /// (built in memory) larger than the memory available now, and files
    /// larger than the free space (a failure of the environment, not of the
    /// input: status 1). `destination: false` leaves the destination to the
    /// caller (a sharded checkpoint's directory may not exist yet).
    @_spi(Plumbing) public static func check(_ jobs: [PlannedTensor], format: TensorFileFormat, output: String,
                                             destination: Bool = true) throws {
        if format == .npy {
            guard jobs.count == 1 else {
                throw WeightInitError.invalidFile(
                    path: TerminalText.escaped(output, limit: 512), reason: "a .npy file holds one tensor; write several to .safetensors")
            }
            if jobs[0].dtype == .bf16 {
                throw WeightInitError.invalidParameter(
                    "dtype", value: "bf16",
                    reason: "a .npy file cannot hold it (numpy has no bfloat16 dtype); bf16 needs .safetensors — or use f32, f64 or f16")
            }
            if !jobs[0].dtype.isFloatingPoint {
                throw WeightInitError.invalidParameter(
                    "dtype", value: jobs[0].dtype.rawValue, reason: "goes in .safetensors; a .npy file here holds f32, f64 or f16")
            }
        }
        if destination { try AtomicFile.checkDestination(output) }
        for job in jobs where !job.isStreamed {
            // Structured schemes build the whole tensor, even for one block of
            // it: more than this machine's memory is a wrong input (the
            // library's own check), more than is available now a failure.
            let bytes = UInt64(try Shape.elementCount(job.fillShape, elementSize: job.dtype.byteCount) * job.dtype.byteCount)
            if let available = AvailableMemory.bytes(), bytes > available {
                throw ModelError(
                    "\(TerminalText.quoted(job.name)): \(job.schemeName) is built in memory, and its \(bytes) bytes exceed the \(available) bytes of memory available now", kind: .failure)
            }
        }
        // Streamed tensors need no memory, but they need the disk: refuse
        // up front what cannot fit rather than fill the file system.
        let total = try checkedTotal(jobs)
        if let free = freeBytes(near: output), UInt64(total) > free {
            throw ModelError(
                "\(output): the file needs \(total) bytes, and its file system has \(free) bytes free (memory is not the limit: values are streamed)", kind: .failure)
        }
    }

    /// The bytes of every tensor, refused if the sum overflows Int.
    private static func checkedTotal(_ jobs: [PlannedTensor]) throws -> Int {
        try jobs.reduce(0) { total, job in
            let (sum, overflow) = total.addingReportingOverflow(try job.entry.byteCount())
            guard !overflow else { throw WeightInitError.tooLarge(shape: job.shape, reason: "the file size overflows Int") }
            return sum
        }
    }

    /// Bytes free to this user on the file system of `path`'s directory.
    private static func freeBytes(near path: String) -> UInt64? {
        var directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        var info = statvfs()
        // A directory not created yet (a sharded checkpoint's) will be on its parent's file system.
        while statvfs(directory.isEmpty ? "/" : directory, &info) != 0 {
            guard errno == ENOENT, let slash = directory.lastIndex(of: "/") else {
                if errno == ENOENT, directory != "." { directory = "."; continue }
                return nil
            }
            directory = String(directory[..<slash])
        }
        // Pseudo file systems (/proc) report no blocks at all: nothing to judge.
        guard info.f_blocks > 0 else { return nil }
        let (bytes, overflow) = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        return overflow ? .max : bytes
    }
}
