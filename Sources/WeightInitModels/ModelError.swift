@_spi(Plumbing) import WeightInit

/// What was wrong with a model's description — a spec, a Hugging Face
/// config, a checkpoint's header, a rule set — or what kept a valid model
/// from being written (``kind``).
///
/// ```swift
/// do {
///     _ = try ModelPlan(config: try ModelConfig(path: "config.json"))
/// } catch let error as ModelError {
///     print(error.source, error.key, error.reason)  // config("config.json"), "n_layer", "gpt2 needs …"
/// }
/// ```
///
/// The library never words an error as a command-line flag: the
/// `weightinit` command says "invalid --config 'config.json': …" for a
/// ``Source/config(_:)`` error, and exits with 64 for `ErrorKind.invalidInput`
/// and 1 for `ErrorKind.failure`.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible, KindedError {
    /// Where the model's description came from.
    public enum Source: Sendable, Equatable {
        /// A model spec (the JSON `weightinit generate --spec` reads), by its path.
        case spec(String)
        /// A Hugging Face `config.json`, by its path (or the name it was given).
        case config(String)
        /// A `.safetensors` checkpoint or a `model.safetensors.index.json`, by its path.
        case checkpoint(String)
        /// A rule set: a built-in set's name or a rules file's path.
        case rules(String)
    }

    /// The input at fault, if one is; `nil`: the model as a whole (a tensor
    /// no rule applies to, tensors that overlap, a file too large for the disk).
    public var source: Source?
    /// What in that input: a config field (`"n_layer"`), a tensor's name, a
    /// rule (`"rule 3"`), a spec key; `nil` when the whole input is at fault.
    public var key: String?
    /// One line saying what was wrong and what is allowed; text from the
    /// input is already escaped (see the engine's `TerminalText`).
    public var reason: String
    /// `ErrorKind.invalidInput` (fix the description) or
    /// `ErrorKind.failure` (the disk or memory is short now).
    public var kind: ErrorKind

    public init(source: Source? = nil, key: String? = nil, _ reason: String, kind: ErrorKind = .invalidInput) {
        self.source = source
        self.key = key
        self.reason = reason
        self.kind = kind
    }

    /// `config 'config.json': gpt2 needs "n_layer" (an integer ≥ 1)`: the
    /// source, then the reason; safe to print (escaped).
    public var description: String {
        TerminalText.escaped((source.map { "\($0.noun) '\(TerminalText.escaped($0.name, limit: 512))': " } ?? "") + reason)
    }
}

extension ModelError {
    /// This error, as one about `source` and, when given, `key` — its
    /// reason after `context` (`tensor "fc.bias": …`) — unless it names an
    /// input of its own already (a config or rules file a spec names keeps
    /// its own source).
    package func located(in source: Source?, key: String? = nil, context: String? = nil) -> ModelError {
        guard self.source == nil else { return self }
        return ModelError(source: source, key: self.key ?? key, context.map { "\($0): \(reason)" } ?? reason, kind: kind)
    }
}

extension ModelError.Source {
    /// The path or name.
    public var name: String {
        switch self {
        case let .spec(name), let .config(name), let .checkpoint(name), let .rules(name): name
        }
    }

    /// How ``ModelError/description`` names the kind of input.
    var noun: String {
        switch self {
        case .spec: "spec"
        case .config: "config"
        case .checkpoint: "checkpoint"
        case .rules: "rules"
        }
    }
}
