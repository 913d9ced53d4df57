import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitAnalysis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes jobs into one file: the header, then each tensor, sampling schemes
/// streamed in chunks (see ``Initializer/write(_:shape:layout:stream:options:chunkBytes:to:)``).
@_spi(Plumbing) public enum JobWriter {
    /// Bytes per streamed chunk; `WEIGHTINIT_WRITE_CHUNK_BYTES` overrides it
    /// (an internal knob, so tests can exercise many chunks on small tensors).
    @_spi(Plumbing) public static var chunkBytes: Int {
        if let text = getenv("WEIGHTINIT_WRITE_CHUNK_BYTES"), let value = Int(String(cString: text)), value >= 1 { return value }
        return Initializer.defaultWriteChunkBytes
    }

    @_spi(Plumbing) public static func write(_ jobs: [TensorJob], to path: String, format: TensorFileFormat, options: FillOptions, quiet: Bool) throws {
        let metadata = format == .safetensors ? TensorJob.metadata(jobs) : [:]
        let total = try checkedTotal(jobs)
        let bar = ProgressBar(totalBytes: total, quiet: quiet)
        defer { bar.finish() }
        let chunk = chunkBytes
        try TensorFile.write(to: path, format: format, tensors: jobs.map(\.entry), metadata: metadata,
                             progress: bar.update) { index, sink in
            try jobs[index].write(to: sink, options: options, chunkBytes: chunk)
        }
    }

    /// Refuses, before any work, what cannot be written: bf16 in `.npy`,
    /// several tensors in `.npy`, a destination that is not a new name or a
    /// regular file (the input is wrong: status 64); structured schemes
    /// (built in memory) larger than the memory available now, and files
    /// larger than the free space (a failure of the environment, not of the
    /// input: status 1). `destination: false` leaves the destination to the
    /// caller (a sharded checkpoint's directory may not exist yet).
    @_spi(Plumbing) public static func check(_ jobs: [TensorJob], format: TensorFileFormat, output: String,
                                             destination: Bool = true) throws {
        if format == .npy {
            guard jobs.count == 1 else {
                throw CommandLineError.usage("invalid --output '\(output)': a .npy file holds one tensor; use .safetensors for a spec")
            }
            if jobs[0].format == .bf16 {
                throw CommandLineError.usage(
                    "--dtype bf16 cannot go in a .npy file (numpy has no bfloat16 dtype); bf16 needs .safetensors — or use f32, f64 or f16")
            }
            if jobs[0].format.scalarFormat == nil {
                throw CommandLineError.usage(
                    "--dtype \(jobs[0].format.rawValue) goes in .safetensors; a .npy file here holds f32, f64 or f16")
            }
        }
        if destination { try AtomicFile.checkDestination(output) }
        for job in jobs where !job.isStreamed {
            // Structured schemes build the whole tensor, even for one block of
            // it: more than this machine's memory is a wrong input (the
            // library's own check), more than is available now a failure.
            let bytes = UInt64(try Shape.elementCount(job.fillShape, elementSize: job.format.byteCount) * job.format.byteCount)
            if let available = AvailableMemory.bytes(), bytes > available {
                throw CommandFailure(
                    "\(TerminalText.quoted(job.name)): \(job.scheme) is built in memory, and its \(bytes) bytes exceed the \(available) bytes of memory available now")
            }
        }
        // Streamed tensors need no memory, but they need the disk: refuse
        // up front what cannot fit rather than fill the file system.
        let total = try checkedTotal(jobs)
        if let free = freeBytes(near: output), UInt64(total) > free {
            throw CommandFailure(
                "\(output): the file needs \(total) bytes, and its file system has \(free) bytes free (memory is not the limit: values are streamed)")
        }
    }

    /// The bytes of every tensor, refused if the sum overflows Int.
    private static func checkedTotal(_ jobs: [TensorJob]) throws -> Int {
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

/// `--format npy|safetensors`.
extension TensorFileFormat: ExpressibleByArgument {}

extension JobWriter {
    /// `generate --check`: reads `path` back, prints each tensor's statistics
    /// against its scheme, and fails if any tensor does not match it.
    @_spi(Plumbing) public static func checkWritten(_ jobs: [TensorJob], at path: String) throws {
        let contents = try TensorFile.index(path)
        guard contents.tensors.count == jobs.count else {
            throw CheckFailure(description: "check: \(path) holds \(contents.tensors.count) tensors, expected \(jobs.count)")
        }
        var failures: [String] = []
        for (job, stored) in zip(jobs, contents.tensors) {
            let report = try TensorReport(stored, in: path, expectation: Expectation(job, source: "generate"))
            print(report.text)
            failures += report.problems.map { "\(TerminalText.quoted(job.name, limit: 256)): \($0)" }
        }
        guard failures.isEmpty else { throw CheckFailure(description: "check failed: " + failures.joined(separator: "; ")) }
    }
}
