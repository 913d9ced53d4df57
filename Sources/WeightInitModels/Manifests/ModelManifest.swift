@_spi(Plumbing) import WeightInit

/// The tensors a model holds — each one's name, shape and, where the source
/// fixes it, dtype — before any scheme is chosen: what a checkpoint's header
/// lists (``init(checkpoint:)``), what a Hugging Face config describes
/// (``ModelConfig/manifest()``), or a list of your own.
///
/// ```swift
/// let manifest = try ModelManifest(checkpoint: "resnet18.safetensors")
/// manifest.tensors[0]   // name "conv1.weight", shape [64, 3, 7, 7], dtype f32
/// ```
///
/// A manifest holds at most ``maximumCount`` tensors with names of at most
/// ``maximumNameLength`` bytes: names and counts come from files.
public struct ModelManifest: Sendable, Equatable {
    /// One tensor of a manifest.
    public struct Tensor: Sendable, Equatable {
        /// The name, as `state_dict()` keys it (`model.layers.0.mlp.up_proj.weight`).
        public var name: String
        /// The shape; empty for a scalar.
        public var shape: [Int]
        /// The dtype the source fixes (a checkpoint's, a config's `dtype`),
        /// or nil when a rule or the plan's default decides.
        public var dtype: DType?

        public init(name: String, shape: [Int], dtype: DType? = nil) {
            self.name = name
            self.shape = shape
            self.dtype = dtype
        }
    }

    /// In the order of the model's `state_dict()` (for a checkpoint: of its data).
    public var tensors: [Tensor]

    public init(_ tensors: [Tensor]) {
        self.tensors = tensors
    }

    /// Most tensors a manifest may hold. The largest real checkpoints hold
    /// about 10⁵; what this library writes for 2¹⁸ tensors — the header
    /// entry and the metadata record of each, some 300 bytes — already
    /// approaches safetensors' 100 MB header limit, and a config such as
    /// `num_hidden_layers: 1e9` must be refused before its manifest is built.
    public static let maximumCount = 1 << 18

    /// Longest tensor name, in UTF-8 bytes. Module paths are far shorter;
    /// rules match every name against every pattern, so a name of
    /// megabytes (a header allows it) must not reach them.
    public static let maximumNameLength = 1024

    /// Refuses `count` tensors past ``maximumCount``.
    static func checkCount(_ count: Int, source: ModelError.Source?) throws {
        guard count <= maximumCount else {
            throw ModelError(source: source, "\(count) tensors, more than the \(maximumCount) a model may hold")
        }
    }
}
