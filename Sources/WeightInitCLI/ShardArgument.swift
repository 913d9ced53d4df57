@_spi(Plumbing) import WeightInit
import WeightInitModels

/// `--shard i/n` and `--shard-dim d`: block `i` of `n` of every tensor.
enum ShardArgument {
    /// Parses `i/n` (decimal, 0 ≤ i < n) and the dimension (0 or 1, default 0).
    static func parse(_ text: String, dimension: Int?) throws -> ShardSelection {
        func invalid(_ reason: String) -> CommandLineError {
            .usage("invalid --shard '\(TerminalText.escaped(text, limit: TerminalText.valueLimit))': \(reason)")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            throw invalid("give the block and the count as i/n, e.g. 0/4")
        }
        guard let index = Int(parts[0]), let count = Int(parts[1]) else { throw invalid("the numbers do not fit in Int") }
        guard count >= 1 else { throw invalid("the count must be ≥ 1") }
        guard index < count else { throw invalid("the block must be in 0 … \(count - 1) (blocks are numbered from 0)") }
        let dimension = dimension ?? 0
        guard ShardSelection.dimensions.contains(dimension) else {
            throw CommandLineError.usage("invalid --shard-dim \(dimension): must be 0 (rows) or 1 (columns)")
        }
        return try ShardSelection(index: index, count: count, dimension: dimension)
    }
}
