/// A model ready to write: its jobs, and where they came from.
@_spi(Plumbing) public struct ModelJobs: Sendable {
    @_spi(Plumbing) public let jobs: [TensorJob]
    /// The Hugging Face config the layout came from (`--config`): written
    /// beside a sharded checkpoint, so `from_pretrained(directory)` works.
    package let config: ModelConfig?
    /// The rule set that chose schemes, if any (for the summary line).
    package let rules: String?
}
