import Foundation
import Testing

/// The bytes the CLI writes for the README's whole-model examples (and a few
/// single tensors) do not change: `ModelBytes/run.sh` runs them with the
/// built `weightinit` and prints each file's SHA-256, which must equal
/// `ModelBytes/expected.sha256`, recorded with the CLI as it was before the
/// model layer became the WeightInitModels library (main at 59ee671) and
/// regenerated once, deliberately, for stream format 3 (see run.sh).
@Suite struct ModelBytesTests {
    static let directory = CLI.package.appendingPathComponent("Tests/WeightInitCLITests/ModelBytes")

    @Test func readmeExamplesWriteTheRecordedBytes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.directory.appendingPathComponent("run.sh").path, try CLI.executable(), scratch.output]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let failed = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "run.sh: \(failed)")
        let expected = try String(contentsOf: Self.directory.appendingPathComponent("expected.sha256"), encoding: .utf8)
        let lines = { (text: String) in text.split(separator: "\n").map(String.init) }
        #expect(lines(printed).count == lines(expected).count)
        for (got, want) in zip(lines(printed), lines(expected)) { #expect(got == want) }
    }
}
