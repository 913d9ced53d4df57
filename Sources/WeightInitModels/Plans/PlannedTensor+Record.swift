@_spi(Plumbing) import WeightInit

extension PlannedTensor {
    /// The tensor that a file's metadata record of it (``record``, under
    /// ``metadataKey(_:)``) describes — a spec entry without name, shape and
    /// dtype, which the file's header gives — and whether the file holds a
    /// block of it (`generate --shard`): then the record holds the full
    /// shape, which the fans come from. `weightinit stats` judges a file's
    /// tensors against the schemes recorded this way.
    package static func recorded(_ text: String, name: String, shape: [Int], dtype: DType) throws -> (tensor: PlannedTensor, isBlock: Bool) {
        guard case let .object(members)? = try? JSONParser.parse(Array(text.utf8)) else {
            throw ModelError(key: name, "the record is not a JSON object")
        }
        var fullShape = JSONValue.array(shape.map { .number(String($0)) })
        let isBlock = members.contains { $0.key == fullShapeKey }
        if let full = members.first(where: { $0.key == fullShapeKey })?.value { fullShape = full }
        let blockKeys = [shardKey, fullShapeKey, "shard-dim"]
        let entry = JSONValue.object(members.filter { !blockKeys.contains($0.key) } + [("name", .string(name)), ("shape", fullShape)])
        let tensor = try ModelSpec.tensor(entry, index: 0, defaults: ModelSpec.Defaults(seed: 0, layout: .torch, dtype: dtype))
        return (tensor, isBlock)
    }
}
