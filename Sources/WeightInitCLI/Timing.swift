import ArgumentParser
import Dispatch
import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shortest of `runs` wall-clock times of `body`, in seconds.
func best(of runs: Int, _ body: () -> Void) -> Double {
    var shortest = Double.infinity
    for _ in 0 ..< runs {
        let start = monotonicSeconds()
        body()
        shortest = min(shortest, monotonicSeconds() - start)
    }
    return shortest
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

/// memset of `buffer` split into one contiguous part per thread, like a fill.
func parallelMemset(_ buffer: UnsafeMutableRawBufferPointer, threads: Int?) {
    let parts = max(1, min(threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), buffer.count / 65536))
    let base = UInt(bitPattern: buffer.baseAddress!), count = buffer.count
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        let start = count * part / parts, end = count * (part + 1) / parts
        memset(UnsafeMutableRawPointer(bitPattern: base + UInt(start))!, 0, end - start)
    }
}
