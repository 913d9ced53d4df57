@_spi(Plumbing) import WeightInit

/// `--like FILE`: the layout of an existing checkpoint — a `.safetensors`
/// file, or a Hugging Face `model.safetensors.index.json` with its shards —
/// from the headers alone: no tensor data is read.
enum CheckpointLayout {
    /// Largest index file read (a 70B model's index is about 100 KB).
    static let maximumIndexSize = 16 << 20

    /// The tensors of the checkpoint at `path`, in the order of their data:
    /// for an index, shard after shard in file-name order.
    static func read(_ path: String) throws -> [LayoutTensor] {
        let tensors = path.hasSuffix(".json") ? try readIndex(path) : try readCheckpoint(path)
        try LayoutTensor.checkCount(tensors.count, source: "invalid --like '\(TerminalText.escaped(path, limit: 512))'")
        return tensors
    }

    /// One `.safetensors` file's tensors (a checkpoint, or a shard an index names).
    static func readCheckpoint(_ path: String) throws -> [LayoutTensor] {
        let index = try TensorFile.index(path)
        guard index.format == .safetensors else {
            throw ModelError("invalid --like '\(TerminalText.escaped(path, limit: 512))': give a .safetensors checkpoint or a model.safetensors.index.json")
        }
        guard !index.tensors.isEmpty else {
            throw ModelError("invalid --like '\(TerminalText.escaped(path, limit: 512))': the checkpoint holds no tensors")
        }
        return try index.tensors.map { tensor in
            guard tensor.shape.allSatisfy({ $0 >= 1 }) else {
                throw ModelError(
                    "\(TerminalText.escaped(path, limit: 512)): tensor \(TerminalText.quoted(tensor.name)) has no elements (shape \(TerminalText.clipped(tensor.shape))); every dimension must be ≥ 1")
            }
            return LayoutTensor(name: tensor.name, shape: tensor.shape, format: tensor.dtype)
        }
    }

    /// A Hugging Face index: `{"metadata": {…}, "weight_map": {name: shard}}`,
    /// the shards beside it. Every name must be in its shard, and every
    /// tensor of a shard in the map.
    static func readIndex(_ path: String) throws -> [LayoutTensor] {
        let shown = TerminalText.escaped(path, limit: 512)
        func invalid(_ reason: String) -> ModelError { ModelError("invalid --like '\(shown)': \(reason)") }
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
                throw invalid("weight_map of \(TerminalText.quoted(name)) must name a .safetensors shard file beside the index")
            }
            shards[file, default: []].append(name)
        }
        guard !shards.isEmpty else { throw invalid("the weight_map is empty") }
        let directory = path.contains("/") ? String(path[...path.lastIndex(of: "/")!]) : ""
        var tensors: [LayoutTensor] = []
        for file in shards.keys.sorted() {
            let inShard = try readCheckpoint(directory + file)
            let listed = Set(shards[file]!), present = Set(inShard.map(\.name))
            if let missing = shards[file]!.first(where: { !present.contains($0) }) {
                throw invalid("the weight_map puts \(TerminalText.quoted(missing)) in \(TerminalText.quoted(file)), which does not hold it")
            }
            if let extra = inShard.first(where: { !listed.contains($0.name) }) {
                throw invalid("\(TerminalText.quoted(file)) holds \(TerminalText.quoted(extra.name)), which the weight_map does not list")
            }
            tensors += inShard
        }
        return tensors
    }
}
