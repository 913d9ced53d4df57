import WeightInit
// stdio's `stdout` is a mutable C global, which Swift 6 refuses to read
// unless the module is imported @preconcurrency; only this file needs it.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Flushes standard output at the end of a run. Output goes through stdio's
/// buffer, which swallows write errors; a full disk (`> /dev/full`), a closed
/// descriptor or an I/O error would otherwise pass for success. Returns the
/// run's `status`, or 1 after an `error: …` line on stderr (where that still
/// works) if standard output could not be written.
@_spi(Plumbing) public func flushStandardOutput(status: Int32) -> Int32 {
    let flushed = fflush(stdout) == 0
    let code = errno
    guard !flushed || ferror(stdout) != 0 else { return status }
    let reason = flushed ? "" : ": \(String(cString: strerror(code)))"
    writeErrorLine("cannot write to standard output\(reason)")
    return status == 0 ? ExitStatus.failure : status
}
