@_spi(Plumbing) import WeightInit

/// The tensors of a config's manifest as a family's code lists them: the
/// count bounded (``ModelManifest/maximumCount``) as they are added, and
/// every dimension computed with overflow checked, so no config, however
/// absurd, makes the manifest trap or grow without bound.
struct ManifestBuilder {
    let config: ModelConfig
    private(set) var tensors: [(name: String, shape: [Int])] = []

    init(_ config: ModelConfig) { self.config = config }

    /// Refuses, before any tensor is listed, `blocks` repeated blocks of
    /// `perBlock` tensors each plus `others`, past the limit.
    /// `key` is the config's count of layers, which the error names.
    func reserve(blocks: Int, perBlock: Int, others: Int, key: String) throws {
        let limit = ModelManifest.maximumCount
        guard blocks <= (limit - others) / perBlock else {
            throw config.invalid("\(blocks) layers of \(perBlock) tensors is more than the \(limit) tensors a manifest holds", key: key)
        }
    }

    mutating func add(_ name: String, _ shape: [Int]) throws {
        // Whatever dtype it gets (at most 8 bytes), its byte count must be an Int.
        guard Shape.product(shape, times: 8) != nil else {
            throw config.invalid("\(name) of shape \(shape.map(String.init).joined(separator: ",")) is too large: its byte count overflows")
        }
        tensors.append((name, shape))
        try ModelManifest.checkCount(tensors.count, source: .config(config.path))
    }

    /// `a · b`, a dimension computed from the config's `what`, refused if
    /// it overflows (naming `key`, the field the error is put on).
    func product(_ a: Int, _ b: Int, _ what: String, key: String) throws -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw config.invalid("\(what) = \(a) × \(b) overflows", key: key) }
        return value
    }
}
