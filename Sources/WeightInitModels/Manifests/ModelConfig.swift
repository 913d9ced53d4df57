@_spi(Plumbing) import WeightInit

/// A Hugging Face `config.json`, read without Python: its family
/// (`model_type`: `llama`, `gpt2` or `bert`) and architecture give the
/// model's manifest — every tensor's name and shape, computed as the
/// family's modeling code registers them — and its top-level numbers,
/// booleans and nulls are the variables rules read (`initializer_range`,
/// `n_layer`, `pad_token_id`).
///
/// ```swift
/// let config = try ModelConfig(path: "docs/examples/llama-config.json")
/// try config.manifest().tensors.count      // 39
/// config.variables["initializer_range"]    // .number(0.02)
/// ```
///
/// The architecture is `architectures[0]`; a config without `architectures`
/// is taken as the family's language-model architecture —
/// `LlamaForCausalLM`, `GPT2LMHeadModel`, `BertForMaskedLM` — the model one
/// trains from such a checkpoint (write `"architectures": ["LlamaModel"]`
/// for the base model).
public struct ModelConfig: Sendable {
    /// Largest config read (real ones are a few kilobytes).
    static let maximumSize = 16 << 20

    /// The file as given (messages name it), and its bytes, copied verbatim
    /// beside a sharded checkpoint so `from_pretrained(directory)` finds it.
    public let path: String
    let bytes: [UInt8]
    let members: [(key: String, value: JSONValue)]
    let family: ModelFamily

    /// Reads the config at `path` (a regular file of at most 16 MiB; a
    /// file that cannot be read is the engine's `WeightInitError`).
    public init(path: String) throws {
        try self.init(json: try TensorFile.readWholeFile(path, maximumSize: Self.maximumSize), path: path)
    }

    /// The config whose JSON text is `json`; `path` names it in messages
    /// (and is where it came from, if a file).
    public init(json: [UInt8], path: String) throws {
        func invalid(_ reason: String, key: String? = nil) -> ModelError { ModelError(source: .config(path), key: key, reason) }
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(json)
        } catch {
            throw invalid("not valid JSON: \(error.reason)")
        }
        guard case let .object(members) = parsed else { throw invalid("a config is a JSON object, not \(parsed.kindDescription)") }
        guard case let .string(type)? = members.first(where: { $0.key == "model_type" })?.value else {
            throw invalid("no \"model_type\" (supported: \(ModelFamily.supported))", key: "model_type")
        }
        guard let family = ModelFamily(rawValue: type) else {
            throw invalid("unsupported model_type \(TerminalText.quoted(type)); supported: \(ModelFamily.supported)", key: "model_type")
        }
        (self.path, self.bytes, self.members, self.family) = (path, json, members, family)
    }

    /// `model_type`: `llama`, `gpt2` or `bert`.
    public var modelType: String { family.rawValue }

    /// The architecture the manifest is computed for: `architectures[0]`,
    /// or without it the family's language-model architecture (see above).
    public var architecture: String {
        guard case let .array(items)? = self["architectures"], case let .string(name)? = items.first else {
            return family.defaultArchitecture
        }
        return name
    }

    /// The top-level numbers, booleans and nulls, which rules and expressions read.
    public var variables: [String: RuleValue] {
        // The config's own bytes parsed as they were when it was read: an object.
        (try? RuleValue.variables(json: bytes)) ?? [:]
    }

    /// The tensors a checkpoint of this config holds, in the order the
    /// modeling code registers them (the order of `state_dict()`), without
    /// the tied weights that `save_pretrained` leaves out. Their dtype is the
    /// config's `dtype` (formerly `torch_dtype`) when it names a float type;
    /// without one it is left to the rules and the plan (whose default is f32).
    public func manifest() throws -> ModelManifest {
        ModelManifest(try family.tensors(self).map { ModelManifest.Tensor(name: $0.name, shape: $0.shape, dtype: dtype) })
    }

    subscript(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

    /// An error in this config.
    func invalid(_ reason: String, key: String? = nil) -> ModelError {
        ModelError(source: .config(path), key: key, reason)
    }

    private func missing(_ key: String, _ what: String) -> ModelError {
        invalid("\(family.rawValue) needs \"\(key)\" (\(what))", key: key)
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

    /// The dtype the config names (`dtype`, formerly `torch_dtype`), if a float one.
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

    /// The architecture, checked to be one the family's manifest knows.
    func checkedArchitecture() throws -> String {
        let architecture = self.architecture
        guard family.architectures.contains(architecture) else {
            throw invalid(
                "architecture \(TerminalText.escaped(architecture, limit: TerminalText.valueLimit)) of \(family.rawValue) is not supported; supported: \(family.architectures.joined(separator: ", "))",
                key: "architectures")
        }
        return architecture
    }
}
