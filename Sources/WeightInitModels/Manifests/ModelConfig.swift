@_spi(Plumbing) import WeightInit

/// `--config config.json`: a Hugging Face model configuration, read without
/// Python. Its family (`model_type`) gives the layout — every tensor's name
/// and shape, computed as the family's modeling code registers them — and its
/// top-level numbers and booleans are the variables rules read
/// (`initializer_range`, `n_layer`, `pad_token_id`).
package struct ModelConfig: Sendable {
    /// Largest config read (real ones are a few kilobytes).
    static let maximumSize = 16 << 20

    /// The file as given (for messages), and its bytes, copied verbatim
    /// beside a sharded checkpoint so `from_pretrained(directory)` finds it.
    let path: String
    let bytes: [UInt8]
    let members: [(key: String, value: JSONValue)]
    let family: ModelFamily

    init(path: String) throws {
        let bytes = try TensorFile.readWholeFile(path, maximumSize: Self.maximumSize)
        try self.init(bytes: bytes, path: path)
    }

    init(bytes: [UInt8], path: String) throws {
        let shown = TerminalText.escaped(path, limit: 512)
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw ModelError("invalid --config '\(shown)': not valid JSON: \(error.reason)")
        }
        guard case let .object(members) = json else {
            throw ModelError("invalid --config '\(shown)': a config is a JSON object, not \(json.kindDescription)")
        }
        guard case let .string(type)? = members.first(where: { $0.key == "model_type" })?.value else {
            throw ModelError("invalid --config '\(shown)': no \"model_type\" (supported: \(ModelFamily.supported))")
        }
        guard let family = ModelFamily(rawValue: type) else {
            throw ModelError(
                "invalid --config '\(shown)': unsupported model_type \(TerminalText.quoted(type)); supported: \(ModelFamily.supported)")
        }
        (self.path, self.bytes, self.members, self.family) = (path, bytes, members, family)
    }

    subscript(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

    private func missing(_ key: String, _ what: String) -> ModelError {
        ModelError("invalid --config '\(TerminalText.escaped(path, limit: 512))': \(family.rawValue) needs \"\(key)\" (\(what))")
    }

    /// A required positive integer: a field the shapes are computed from.
    func dimension(_ key: String) throws -> Int {
        guard let value = self[key]?.integerValue, value >= 1 else { throw missing(key, "an integer ≥ 1") }
        return value
    }

    /// An optional positive integer (absent or null: `fallback`).
    func dimension(_ key: String, default fallback: Int) throws -> Int {
        switch self[key] {
        case nil, .null?: return fallback
        default: return try dimension(key)
        }
    }

    /// An optional boolean (absent: the family's default, as its config class has it).
    func flag(_ key: String, default fallback: Bool) throws -> Bool {
        switch self[key] {
        case nil: return fallback
        case let .bool(value)?: return value
        default: throw missing(key, "true or false")
        }
    }

    /// The architecture the checkpoint is for: `architectures[0]`, or the family's base model.
    var architecture: String? {
        guard case let .array(items)? = self["architectures"], case let .string(name)? = items.first else { return nil }
        return name
    }

    /// The element type the config names (`dtype`, formerly `torch_dtype`), if a float one.
    var dtype: DType? {
        for key in ["dtype", "torch_dtype"] {
            guard case let .string(name)? = self[key] else { continue }
            switch name {
            case "float32": return .f32
            case "float64": return .f64
            case "float16": return .f16
            case "bfloat16": return .bf16
            default: return nil
            }
        }
        return nil
    }

    /// The top-level numbers, booleans and nulls, for rules.
    var variables: [String: RuleValue] {
        var variables: [String: RuleValue] = [:]
        for (key, value) in members {
            if let value = RuleValue(value) { variables[key] = value }
        }
        return variables
    }

    /// The tensors a checkpoint of this config holds, in the order the
    /// modeling code registers them (the order of `state_dict()`), without
    /// the tied weights that `save_pretrained` leaves out. Their element type
    /// is the config's `dtype`; a config without one leaves it to the rules
    /// and the spec (whose default is f32), as a checkpoint's layout cannot.
    func layout() throws -> [LayoutTensor] {
        try family.tensors(self).map { LayoutTensor(name: $0.name, shape: $0.shape, format: dtype) }
    }
}
