import Dispatch
import Foundation
import Testing
@_spi(Plumbing) @testable import WeightInit

#if canImport(Glibc)
import Glibc
#endif

/// Failure modes: memory that cannot fit, fork() after OpenBLAS has started
/// its threads.
@Suite struct OrthogonalReliabilityTests {
    // MARK: Memory

    /// A workspace LAPACK cannot even size (n·nb overflows its 32-bit
    /// integers, so the query would return garbage) is refused before the
    /// query and before any allocation.
    @Test(arguments: OrthogonalMethod.allCases)
    func hugeWorkspaceIsTooLargeBeforeAllocating(method: OrthogonalMethod) {
        #expect(throws: WeightInitError.tooLarge(
            shape: [1_000_000_000, 2_000_000_000],
            reason: "LAPACK's workspace (up to 64·2000000000 scalars) exceeds its 32-bit lapack_int")) {
            _ = try Orthogonal.Scratch<Float>(rows: 1_000_000_000, cols: 2_000_000_000, method: method)
        }
    }

    @Test func scratchIsComparedWithMemory() throws {
        try Orthogonal.checkFits(shape: [4, 4], scalars: [16, 4], scalarSize: 4, memory: 80)
        #expect(throws: WeightInitError.tooLarge(
            shape: [4, 4], reason: "orthogonal needs 84 bytes for the matrix and its scratch, more than the 80 bytes of memory")) {
            try Orthogonal.checkFits(shape: [4, 4], scalars: [17, 4], scalarSize: 4, memory: 80)
        }
        #expect(throws: WeightInitError.tooLarge(shape: [1, 1], reason: "the scratch byte count overflows Int")) {
            try Orthogonal.checkFits(shape: [1, 1], scalars: [Int.max / 2, 1], scalarSize: 4)
        }
    }

    /// A shape whose output cannot fit fails before the output is allocated.
    @Test func hugeShapeIsTooLarge() {
        #expect {
            let _: [Float] = try Initializer.orthogonal().makeArray(shape: [1 << 20, 1 << 20], seed: 0)
        } throws: { error in
            if case .tooLarge? = error as? WeightInitError { return true }
            return false
        }
    }

    // MARK: fork()

    /// A child forked after OpenBLAS has run multi-threaded — and while
    /// another thread holds a BLASThreads section — can still fill a matrix
    /// large enough to be threaded (2 OpenBLAS threads). Known to hang with
    /// OpenMP builds of OpenBLAS (pytorch/pytorch#21956); the child gets 60 s.
    @Test func forkedChildCanStillFill() throws {
        let n = Orthogonal.threadingThreshold
        var w = [Float](repeating: 0, count: n * n)
        func threadedFill() throws {
            try w.withUnsafeMutableBufferPointer {
                try Orthogonal.fill($0, rows: n, cols: n, gain: 1, stream: RandomStream(seed: 3),
                                    options: FillOptions(threads: 2))
            }
        }
        try threadedFill()  // starts OpenBLAS's worker pool in the parent

        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? BLASThreads.with(1) {
                holding.signal()
                release.wait()
            }
        }
        holding.wait()
        let pid = fork()
        if pid == 0 {
            // Child: only the forking thread exists.
            let ok = (try? threadedFill()) != nil && w[0].isFinite
            _exit(ok ? 0 : 1)
        }
        release.signal()
        #expect(pid > 0, "fork failed: errno \(errno)")
        guard pid > 0 else { return }
        var status: Int32 = 0
        var finished = false
        for _ in 0..<600 {
            if waitpid(pid, &status, WNOHANG) == pid { finished = true; break }
            usleep(100_000)
        }
        if !finished {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        #expect(finished, "the forked child hung")
        #expect(finished && (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0, "child status \(status)")
    }
}
