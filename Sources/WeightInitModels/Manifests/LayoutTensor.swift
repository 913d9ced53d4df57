@_spi(Plumbing) import WeightInit

/// A tensor of a model's layout: what a checkpoint's header or a config
/// says exists — name, shape, element type — before any scheme is chosen.
struct LayoutTensor: Sendable, Equatable {
    let name: String
    /// Empty for a scalar.
    let shape: [Int]
    /// The element type the source fixes (a checkpoint's, a config's
    /// `dtype`), or nil when the spec or a rule decides.
    let format: DType?
}

extension LayoutTensor {
    /// Most tensors a layout may hold. The largest real checkpoints hold
    /// about 10⁵; what this tool writes for 2¹⁸ tensors — the header
    /// entry and the metadata record of each, some 300 bytes — already
    /// approaches safetensors' 100 MB header limit, and a config such as
    /// `num_hidden_layers: 1e9` must be refused before its layout is built.
    static let maximumCount = 1 << 18

    /// Longest tensor name, in UTF-8 bytes. Module paths are far shorter;
    /// rules match every name against every pattern, so a name of
    /// megabytes (a header allows it) must not reach them.
    static let maximumNameLength = 1024

    static func checkCount(_ count: Int, source: String) throws {
        guard count <= maximumCount else {
            throw ModelError("\(source): \(count) tensors, more than the \(maximumCount) a model may hold")
        }
    }
}

/// The tensors of a config's layout as a family's code lists them: the
/// count bounded (``LayoutTensor/maximumCount``) as they are added, and
/// every dimension computed with overflow checked, so no config, however
/// absurd, makes the layout trap or grow without bound.
struct LayoutList {
    let config: ModelConfig
    private(set) var tensors: [(name: String, shape: [Int])] = []

    init(_ config: ModelConfig) { self.config = config }

    /// Refuses, before any tensor is listed, `blocks` repeated blocks of
    /// `perBlock` tensors each plus `others`, past the limit.
    func reserve(blocks: Int, perBlock: Int, others: Int) throws {
        let limit = LayoutTensor.maximumCount
        guard blocks <= (limit - others) / perBlock else {
            throw ModelError(
                "invalid --config '\(TerminalText.escaped(config.path, limit: 512))': \(blocks) layers of \(perBlock) tensors is more than the \(limit) tensors a layout holds")
        }
    }

    mutating func add(_ name: String, _ shape: [Int]) throws {
        tensors.append((name, shape))
        try LayoutTensor.checkCount(tensors.count, source: "invalid --config '\(TerminalText.escaped(config.path, limit: 512))'")
    }

    /// `a · b`, a dimension computed from the config's `what`, refused if it overflows.
    func product(_ a: Int, _ b: Int, _ what: String) throws -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else {
            throw ModelError("invalid --config '\(TerminalText.escaped(config.path, limit: 512))': \(what) = \(a) × \(b) overflows")
        }
        return value
    }
}
