import ArgumentParser
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// `--format npy|safetensors`.
extension TensorFileFormat: ExpressibleByArgument {}

/// `generate --check` (and `weightinit-mpi generate --check`): the files
/// just written, read back and judged against their schemes.
@_spi(Plumbing) public enum WrittenCheck {
    /// Reads `path` back, prints each tensor's statistics against its
    /// scheme, and fails if any tensor does not match it.
    @_spi(Plumbing) public static func check(_ jobs: [PlannedTensor], at path: String) throws {
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

    /// Every shard of `checkpoint` read back and judged against its schemes.
    @_spi(Plumbing) public static func check(_ checkpoint: ShardedCheckpoint) throws {
        for file in checkpoint.files { try check(file.jobs, at: checkpoint.directory + "/" + file.name) }
    }
}
