@_spi(Plumbing) import WeightInit

extension ModelManifest {
    /// Largest index file read (a 70B model's index is about 100 KB).
    static let maximumIndexSize = 16 << 20

    /// The manifest of an existing checkpoint — a `.safetensors` file, or a
    /// Hugging Face `model.safetensors.index.json` with its shards beside it
    /// — from the headers alone (no tensor data is read), in the order of
    /// the data: for an index, shard after shard in file-name order. Every
    /// name of an index must be in its shard, and every tensor of a shard in
    /// the index; an index names `.safetensors` files beside it only.
    public init(checkpoint path: String) throws {
        let tensors = path.hasSuffix(".json") ? try Self.readIndex(path) : try Self.readCheckpoint(path)
        try Self.checkCount(tensors.count, source: .checkpoint(path))
        self.init(tensors)
    }

    /// One `.safetensors` file's tensors (a checkpoint, or a shard an index names).
    static func readCheckpoint(_ path: String) throws -> [Tensor] {
        func invalid(_ reason: String, key: String? = nil) -> ModelError { ModelError(source: .checkpoint(path), key: key, reason) }
        let index = try TensorFile.index(path)
        guard index.format == .safetensors else { throw invalid("give a .safetensors checkpoint or a model.safetensors.index.json") }
        guard !index.tensors.isEmpty else { throw invalid("the checkpoint holds no tensors") }
        return try index.tensors.map { tensor in
            guard tensor.shape.allSatisfy({ $0 >= 1 }) else {
                throw invalid(
                    "tensor \(TerminalText.quoted(tensor.name)) has no elements (shape \(TerminalText.clipped(tensor.shape))); every dimension must be ≥ 1",
                    key: tensor.name)
            }
            return Tensor(name: tensor.name, shape: tensor.shape, dtype: tensor.dtype)
        }
    }

    /// A Hugging Face index: `{"metadata": {…}, "weight_map": {name: shard}}`,
    /// the shards beside it.
    static func readIndex(_ path: String) throws -> [Tensor] {
        func invalid(_ reason: String, key: String? = nil) -> ModelError { ModelError(source: .checkpoint(path), key: key, reason) }
        let json: JSONValue
        do {
            json = try JSONParser.parse(try TensorFile.readWholeFile(path, maximumSize: maximumIndexSize))
        } catch let failure as JSONParser.Failure {
            throw invalid("not valid JSON: \(failure.reason)")
        }
        guard case let .object(members) = json, case let .object(map)? = members.first(where: { $0.key == "weight_map" })?.value else {
            throw invalid("an index is an object with a \"weight_map\" object (a model.safetensors.index.json)")
        }
        var shards: [String: [String]] = [:]
        for (name, value) in map {
            // A shard is a .safetensors file beside the index: never a path
            // elsewhere, nor another index (which could name this one).
            guard case let .string(file) = value, file.hasSuffix(".safetensors"), !file.hasPrefix("."),
                  !file.contains("/"), !file.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw invalid("weight_map of \(TerminalText.quoted(name)) must name a .safetensors shard file beside the index", key: name)
            }
            shards[file, default: []].append(name)
        }
        guard !shards.isEmpty else { throw invalid("the weight_map is empty") }
        let directory = path.contains("/") ? String(path[...path.lastIndex(of: "/")!]) : ""
        var tensors: [Tensor] = []
        for file in shards.keys.sorted() {
            let inShard = try readCheckpoint(directory + file)
            let listed = Set(shards[file]!), present = Set(inShard.map(\.name))
            if let missing = shards[file]!.first(where: { !present.contains($0) }) {
                throw invalid("the weight_map puts \(TerminalText.quoted(missing)) in \(TerminalText.quoted(file)), which does not hold it", key: missing)
            }
            if let extra = inShard.first(where: { !listed.contains($0.name) }) {
                throw invalid("\(TerminalText.quoted(file)) holds \(TerminalText.quoted(extra.name)), which the weight_map does not list", key: extra.name)
            }
            tensors += inShard
        }
        return tensors
    }
}
