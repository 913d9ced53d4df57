import Foundation
import Testing
@_exported import _WeightInitTestSupport

/// The repository's root: Tests/WeightInitModelsTests/Support.swift → ../..
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The README's example files.
func example(_ name: String) -> String { repositoryRoot.appendingPathComponent("docs/examples/" + name).path }

/// `sha256sum` of every file under `directory`, keyed by the path relative to it.
func sha256(under directory: String) throws -> [String: String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "cd \"$1\" && find . -type f | sort | xargs sha256sum", "sh", directory]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return hashes(text)
}

/// "<sha256>  ./path" lines as [path: sha256].
func hashes(_ text: String) -> [String: String] {
    var result: [String: String] = [:]
    for line in text.split(separator: "\n") {
        let fields = line.split(separator: " ", maxSplits: 1)
        guard fields.count == 2 else { continue }
        result[String(fields[1].drop { $0 == " " })] = String(fields[0])
    }
    return result
}

/// What `weightinit generate` wrote for the README's examples before the model
/// layer became this library (Tests/WeightInitCLITests/ModelBytes).
func recordedCLIHashes() throws -> [String: String] {
    hashes(try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/WeightInitCLITests/ModelBytes/expected.sha256"),
                      encoding: .utf8))
}
