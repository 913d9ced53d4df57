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
///
/// Every field the manifest or the family's rule set reads is checked when
/// the config is read, with the type transformers' config class declares
/// for it (its `@strict` validation refuses the same values): integers
/// (`hidden_size`; `16.0`, `"16"` and `true` are refused), integers or
/// null (`head_dim`, `pad_token_id`), booleans (`tie_word_embeddings`; not
/// 0, 1 or null), floats (`initializer_range`: written with a fraction or
/// exponent, `1.0` not `1`; Llama's in [0, 1]); `dtype` (or, when `dtype`
/// is absent or null, `torch_dtype`) names a torch floating-point type or
/// is null; `architectures` is a non-empty list of strings or null. A value
/// of another type is a ``ModelError`` naming the key — never the default
/// in its place. Sizes must also be ≥ 1 (0 would be an empty tensor,
/// negative ones torch refuses) and at most `Int.max`, and the counts of
/// layers ≥ 0 (0: embeddings and final norm only, as transformers builds
/// it); heads must divide the width (Llama's `head_dim` notwithstanding,
/// as `LlamaConfig` refuses it), and widths computed from them must not
/// overflow. Fields the manifest and rules do not read (`rms_norm_eps`,
/// `rope_theta`, …) are not checked.
public struct ModelConfig: Sendable {
    /// Largest config read (real ones are a few kilobytes).
    static let maximumSize = 16 << 20

    /// The file as given (messages name it), and its bytes, copied verbatim
    /// beside a sharded checkpoint so `from_pretrained(directory)` finds it.
    public let path: String
    let bytes: [UInt8]
    let members: [(key: String, value: JSONValue)]
    let family: ModelFamily
    /// The element type `dtype` (or `torch_dtype`) names, if any.
    private(set) var dtype: DType?

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
        let type: String
        switch members.first(where: { $0.key == "model_type" })?.value {
        case let .string(text)?: type = text
        case nil: throw invalid("no \"model_type\" (supported: \(ModelFamily.supported))", key: "model_type")
        case let value?: throw invalid("\"model_type\" must be a string, not \(value.kindDescription) (supported: \(ModelFamily.supported))", key: "model_type")
        }
        guard let family = ModelFamily(rawValue: type) else {
            throw invalid("unsupported model_type \(TerminalText.quoted(type)); supported: \(ModelFamily.supported)", key: "model_type")
        }
        (self.path, self.bytes, self.members, self.family) = (path, json, members, family)
        for (key, kind) in family.fields {
            if let value = self[key] { try check(key, value, kind) }
        }
        try checkArchitectures()
        try checkPadding()
        dtype = try readDType()
    }

    /// Llama's and BERT's `pad_token_id` is their word embedding's
    /// `padding_idx`, which `nn.Embedding` takes from -vocab_size to
    /// vocab_size - 1 (a negative one counting from the end) and refuses
    /// otherwise.
    private func checkPadding() throws {
        guard family.padsEmbedding, let pad = self["pad_token_id"]?.integerValue, let vocabulary = self["vocab_size"]?.integerValue,
              vocabulary >= 1 else { return }
        guard pad >= -vocabulary, pad < vocabulary else {
            throw invalid(
                "pad_token_id \(pad) is not a row of the \(vocabulary)-row word embedding (nn.Embedding takes -\(vocabulary) … \(vocabulary - 1) as its padding_idx)",
                key: "pad_token_id")
        }
    }

    /// The kinds of value transformers' config classes declare (`@strict`
    /// dataclass fields: `int`, `int | None`, `bool`, `float`, and Llama's
    /// `interval(min=0.0, max=1.0)` float).
    enum FieldKind: Sendable {
        case integer, integerOrNull, boolean, float, unitFloat
    }

    /// Refuses `value` of `key` unless it is of `kind`, as Python's `json`
    /// reads it: an integer is a number without fraction or exponent, a
    /// float one with either (transformers refuses `1` for a float field).
    private func check(_ key: String, _ value: JSONValue, _ kind: FieldKind) throws {
        func refuse(_ wanted: String) -> ModelError {
            invalid("\"\(key)\" must be \(wanted), not \(Self.shown(value)) (transformers' \(family.configClass) refuses it)", key: key)
        }
        let isInteger: Bool, isFloat: Bool
        if case let .number(text) = value {
            isFloat = text.contains { ".eE".contains($0) }
            isInteger = !isFloat
        } else {
            (isInteger, isFloat) = (false, false)
        }
        switch kind {
        case .integer: guard isInteger else { throw refuse("an integer") }
        case .integerOrNull: guard isInteger || value == .null else { throw refuse("an integer or null") }
        case .boolean: guard case .bool = value else { throw refuse("true or false") }
        case .float:
            guard isFloat else { throw refuse("a floating-point number (written with a fraction or an exponent: 1.0, not 1)") }
            // Python reads 1e400 as inf, which no initialisation can use.
            guard value.doubleValue != nil else { throw invalid("\"\(key)\" must be a finite number, not \(Self.shown(value))", key: key) }
        case .unitFloat:
            guard isFloat, let number = value.doubleValue, (0 ... 1).contains(number) else {
                throw refuse("a floating-point number from 0.0 to 1.0 (written with a fraction or an exponent)")
            }
        }
    }

    /// `architectures`: absent, null, or a non-empty list of strings.
    private func checkArchitectures() throws {
        switch self["architectures"] {
        case nil, .null?: return
        case let .array(items)? where !items.isEmpty && items.allSatisfy({ if case .string = $0 { true } else { false } }): return
        case let value?:
            var shown = value.kindDescription
            if case let .array(items) = value {
                shown = items.first(where: { if case .string = $0 { false } else { true } }).map { "a list holding \($0.kindDescription)" } ?? "an empty list"
            }
            throw invalid(
                "\"architectures\" must be a non-empty list of class names (such as [\"\(family.defaultArchitecture)\"]) or null, not \(shown)",
                key: "architectures")
        }
    }

    /// The torch dtype names of the floating-point types a checkpoint holds
    /// (`getattr(torch, name)`, as transformers reads them, aliases included).
    static let torchDTypes: [(name: String, dtype: DType)] = [
        ("float32", .f32), ("float", .f32), ("float64", .f64), ("double", .f64), ("float16", .f16), ("half", .f16), ("bfloat16", .bf16),
    ]

    /// The dtype the config names: `dtype`, or if that is absent or null
    /// `torch_dtype` (transformers keeps `dtype` when both are given).
    private func readDType() throws -> DType? {
        for key in ["dtype", "torch_dtype"] {
            switch self[key] {
            case nil, .null?: continue
            case let .string(name)?:
                guard let found = Self.torchDTypes.first(where: { $0.name == name }) else {
                    throw invalid(
                        "\"\(key)\" \(TerminalText.quoted(name)) is not a floating-point torch dtype; give \"float32\" (\"float\"), \"float16\" (\"half\"), \"bfloat16\" or \"float64\" (\"double\"), or null",
                        key: key)
                }
                return found.dtype
            case let value?:
                throw invalid("\"\(key)\" must be a torch dtype's name (\"float32\", \"bfloat16\", …) or null, not \(value.kindDescription)", key: key)
            }
        }
        return nil
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

    /// The top-level numbers, booleans and nulls, which rules and expressions
    /// read. A negative `pad_token_id` of Llama or BERT is the row it names,
    /// counted from the end as `nn.Embedding` counts its `padding_idx` (-1:
    /// vocab_size - 1, the row transformers' `_init_weights` zeroes).
    public var variables: [String: RuleValue] {
        // The config's own bytes parsed as they were when it was read: an object.
        var variables = (try? RuleValue.variables(json: bytes)) ?? [:]
        if family.padsEmbedding, let pad = self["pad_token_id"]?.integerValue, pad < 0, let vocabulary = self["vocab_size"]?.integerValue {
            variables["pad_token_id"] = .number(Double(vocabulary + pad))
        }
        return variables
    }

    /// The tensors a checkpoint of this config holds, in the order the
    /// modeling code registers them (the order of `state_dict()`), without
    /// the tied weights that `save_pretrained` leaves out. Their dtype is the
    /// config's `dtype` (formerly `torch_dtype`); without one it is left to
    /// the rules and the plan (whose default is f32).
    public func manifest() throws -> ModelManifest {
        ModelManifest(try family.tensors(self).map { ModelManifest.Tensor(name: $0.name, shape: $0.shape, dtype: dtype) })
    }

    subscript(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

    /// Refuses a field that `rules` declares as a variable (its defaults)
    /// but that holds neither a number, a boolean nor null: the rules would
    /// otherwise read the set's default in its place.
    package func checkVariables(of rules: RuleSet?) throws {
        for key in (rules?.variables.keys).map({ $0.sorted() }) ?? [] {
            if let value = self[key], RuleValue(value) == nil {
                throw invalid(
                    "\"\(key)\" must be a number, a boolean or null, not \(RuleValue.unusable(value)): rules \(TerminalText.escaped(rules?.name ?? "", limit: TerminalText.valueLimit)) read it as a variable",
                    key: key)
            }
        }
    }

    /// An error in this config.
    func invalid(_ reason: String, key: String? = nil) -> ModelError {
        ModelError(source: .config(path), key: key, reason)
    }

    private func missing(_ key: String, _ what: String) -> ModelError {
        invalid("\(family.rawValue) needs \"\(key)\" (\(what))", key: key)
    }

    /// A required integer of at least `minimum` (1: a size; 0: a count of
    /// layers, which transformers builds as a model without blocks): a field
    /// the shapes are computed from. Sizes of 0, which transformers builds
    /// as empty tensors, and negative ones, which torch refuses, are refused;
    /// so is an integer past `Int.max`, which no tensor can have.
    func dimension(_ key: String, minimum: Int = 1) throws -> Int {
        guard let raw = self[key] else { throw missing(key, "an integer ≥ \(minimum)") }
        guard let value = raw.integerValue else {
            // An integer as JSON writes it (no fraction, no exponent) that Int cannot hold.
            if case let .number(text) = raw, !text.contains(where: { ".eE".contains($0) }) {
                throw invalid(
                    text.hasPrefix("-") ? "\"\(key)\" must be ≥ \(minimum), not \(Self.shown(raw))"
                        : "\"\(key)\" \(Self.shown(raw)) is too large (at most \(Int.max))",
                    key: key)
            }
            throw invalid("\"\(key)\" must be an integer ≥ \(minimum), not \(Self.shown(raw))", key: key)
        }
        guard value >= minimum else {
            throw invalid("\"\(key)\" must be ≥ \(minimum), not \(value)\(minimum == 1 ? " (a tensor of that size would be empty or invalid)" : "")", key: key)
        }
        return value
    }

    /// An optional integer of at least `minimum` (absent or null: `fallback`).
    func dimension(_ key: String, minimum: Int = 1, default fallback: Int) throws -> Int {
        switch self[key] {
        case nil, .null?: return fallback
        default: return try dimension(key, minimum: minimum)
        }
    }

    /// `value` as a message shows it: a string quoted and escaped, a
    /// number as written (bounded), otherwise its kind.
    static func shown(_ value: JSONValue) -> String {
        switch value {
        case let .string(text): "the string \(TerminalText.quoted(text))"
        case let .number(text): TerminalText.escaped(text, limit: TerminalText.valueLimit)
        case let .bool(flag): "\(flag)"
        default: value.kindDescription
        }
    }

    /// An optional boolean (absent: the family's default, as its config class has it).
    func flag(_ key: String, default fallback: Bool) throws -> Bool {
        switch self[key] {
        case nil: return fallback
        case let .bool(value)?: return value
        case let value?: throw invalid("\"\(key)\" must be true or false, not \(Self.shown(value))", key: key)
        }
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
