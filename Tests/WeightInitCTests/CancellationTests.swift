import Foundation
import Testing

/// ABI 1.1's cancellable region fill, from C (Programs/cancel_test.c): a
/// flag set before or during the fill stops it with nothing written.
@Suite("Cancellable fills from C")
struct CancellationTests {
    @Test("a flag set before or while filling returns WEIGHTINIT_ERROR_CANCELLED and writes nothing")
    func cancelledFillsWriteNothing() throws {
        let scratch = try Scratch()
        let run = try run(try Compiler.build("cancel_test.c", in: scratch), [], in: scratch)
        #expect(run.status == 0, "cancel_test:\n\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasSuffix("0 failures\n"), "\(run.stdout)")
    }
}
