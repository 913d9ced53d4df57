@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One tensor of a ``ModelPlan``: everything its values depend on — name,
/// shape, dtype, the scheme that applies (from a rule or a spec entry), its
/// parts, the layout its fans are read in, and the stream it draws from —
/// checked, so filling it cannot fail on its inputs.
///
/// ```swift
/// let plan = try ModelPlan(config: try ModelConfig(path: "config.json"))
/// let down = plan.tensor(named: "model.layers.3.mlp.down_proj.weight")!
/// down.scheme            // "normal --mean 0 --std 0.02"
/// down.stream.stream     // FNV-1a of the name
/// var values = [Float](repeating: 0, count: down.shape.reduce(1, *))
/// try values.withUnsafeMutableBufferPointer { try down.fill($0) }
/// ```
public struct PlannedTensor: Sendable {
    /// The name, as `state_dict()` keys it.
    public let name: String
    /// The whole tensor's shape (also when the plan is sharded); empty for a scalar.
    public let shape: [Int]
    /// The dtype: a sampled one, or an integer type (which holds only zeros,
    /// ones or a constant).
    public let dtype: DType
    /// The scheme's table name (aliases resolved).
    package let schemeName: String
    /// The scheme parameters after defaults, named as the scheme table names them.
    package let parameters: [SchemeParameter: ParameterValue]
    /// The scheme as the engine fills it.
    public let initializer: Initializer
    /// How fans are read from the shape.
    public let layout: Layout
    /// The Philox key and stream every value is drawn from — what a
    /// `weightinit_fill` (C), `fill` (Python) or `weightinit generate
    /// <scheme> --seed … --stream …` of this scheme takes to reproduce it.
    /// Unless a spec gave the tensor a `"stream"`, the stream is
    /// ``stream(forName:)`` of the name and the key (`stream.seed`) is
    /// ``seed(forName:seed:)`` of the name and the plan's seed (stream
    /// format 3); with an explicit stream the key is the seed itself.
    public let stream: RandomStream
    /// Blocks of the tensor with schemes of their own, disjoint, written over
    /// the tensor's own scheme (an LSTM's forget-gate bias, a padding row).
    public let parts: [Part]
    /// The block this tensor's shard holds, in the whole tensor's
    /// coordinates, when the plan is sharded and the tensor split; `nil`:
    /// the whole tensor.
    public let region: TensorRegion?
    /// The shard this tensor belongs to (`nil` unless the plan is sharded).
    package let shard: ShardSelection?
    /// Which dimension a shard splits (a spec's `"shard-dim"`).
    package let shardDimension: ShardDimension

    /// Which dimension a tensor-parallel shard splits in a tensor.
    package enum ShardDimension: Sendable, Equatable {
        /// The shard's own dimension.
        case shards
        /// This one (a spec's `"shard-dim": 0` or `1`).
        case dimension(Int)
        /// None: whole in every shard (`"shard-dim": null`).
        case whole
    }

    /// The scheme and its parameters as scheme text, every parameter
    /// explicit — `"normal --mean 0 --std 0.02"`, `"uniform-fan-in --fan-in
    /// 64 --fan-out 256"` — which the engine's scheme parser (and the C
    /// ABI's `weightinit_scheme_parse`) turns back into ``initializer``.
    public var scheme: String { Self.schemeText(schemeName, parameters) }

    /// The stream a tensor named `name` draws from unless a spec gives it
    /// one: FNV-1a, 32-bit (Fowler, Noll & Vo; offset basis 2166136261, prime
    /// 16777619), of the name's UTF-8 bytes — `weightinit_name_stream` in C,
    /// `name_stream` in Python.
    public static func stream(forName name: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }

    /// The Philox key of a tensor named `name` whose stream comes from its
    /// name (``stream(forName:)``), in a plan of `seed`: `seed` with its
    /// high 32 bits flipped by the high 32 bits of FNV-1a, 64-bit (offset
    /// basis 0xcbf29ce484222325, prime 0x100000001b3), of the name's UTF-8
    /// bytes — `seed ^ (fnv1a64(name) >> 32 << 32)`. Stream format 3 (<doc:WholeModels#Streams-and-keys>):
    /// two named tensors then share a Philox stream only if both hashes of
    /// their names collide, not when the 32-bit stream alone does (which
    /// 65 000 names do with probability 0.4). `weightinit_name_seed` in C,
    /// `name_seed` in Python.
    public static func seed(forName name: String, seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return seed ^ (hash & 0xFFFF_FFFF_0000_0000)
    }

    /// The key and stream of a tensor (or part) named `name` in a plan of
    /// `seed`: `stream` as given, with `seed` as the key; else both from the name.
    package static func randomStream(name: String, seed: UInt64, stream: UInt32?) -> RandomStream {
        if let stream { return RandomStream(seed: seed, stream: stream) }
        return RandomStream(seed: Self.seed(forName: name, seed: seed), stream: Self.stream(forName: name))
    }

    /// Resolves `scheme` with `given` parameters through the scheme table,
    /// and checks the scheme against the shape, layout and dtype, and
    /// `parts` against the tensor and each other.
    package init(name: String, scheme: String, given: [SchemeParameter: ParameterValue], shape: [Int],
                 dtype: DType, layout: Layout, stream: RandomStream,
                 shardDimension: ShardDimension = .shards, parts: [Part] = []) throws {
        let entry = try SchemeEntry.named(scheme)
        let fillShape = Self.fillShape(shape)
        initializer = try entry.initializer(given: given, shape: fillShape)
        if dtype.isFloatingPoint {
            // Every scheme's own checks (fans, ranks, groups, bounds), and that its
            // values are finite in the dtype, before any file is touched.
            try initializer.validate(shape: fillShape, layout: layout, dtype: dtype)
        } else {
            try Self.checkInteger(initializer, scheme: entry.name, dtype: dtype)
            if !parts.isEmpty { throw ModelError("parts need a floating-point dtype, not \(dtype.rawValue)") }
        }
        try Part.checkDisjoint(parts)
        self.name = name
        schemeName = entry.name
        parameters = try entry.arguments(given: given).values
        self.shape = shape
        self.dtype = dtype
        self.layout = layout
        self.stream = stream
        self.parts = parts
        self.shardDimension = shardDimension
        region = nil
        shard = nil
    }

    private init(_ tensor: PlannedTensor, shard: ShardSelection?, region: TensorRegion?) {
        (name, shape, dtype, schemeName, parameters, initializer) =
            (tensor.name, tensor.shape, tensor.dtype, tensor.schemeName, tensor.parameters, tensor.initializer)
        (layout, stream, parts, shardDimension) = (tensor.layout, tensor.stream, tensor.parts, tensor.shardDimension)
        (self.shard, self.region) = (shard, region)
    }

    /// This tensor in shard `selection`: its block along the dimension it is
    /// split (its own ``ShardDimension``, else the shard's), or whole when it
    /// has no such dimension.
    package func sharded(_ selection: ShardSelection) throws -> PlannedTensor {
        let dimension: Int? = switch shardDimension {
        case .shards: selection.dimension
        case let .dimension(dimension): dimension
        case .whole: nil
        }
        return PlannedTensor(self, shard: selection, region: try selection.region(shape: shape, dimension: dimension))
    }

    /// The dimension ``region`` splits (`nil` when the tensor is whole).
    package var splitDimension: Int? {
        guard let shard, region != nil else { return nil }
        if case let .dimension(dimension) = shardDimension { return dimension }
        return shard.dimension
    }

    /// The shape the engine fills: a scalar is filled as one element.
    package static func fillShape(_ shape: [Int]) -> [Int] { shape.isEmpty ? [1] : shape }
    package var fillShape: [Int] { Self.fillShape(shape) }

    /// Integer and boolean tensors hold constants only, each a value of the type.
    private static func checkInteger(_ initializer: Initializer, scheme: String, dtype format: DType) throws {
        let value: Double
        switch initializer {
        case .zeros: value = 0
        case .ones: value = 1
        case let .constant(constant): value = constant
        default:
            throw ModelError(
                "\(scheme) samples floating-point values; a tensor of dtype \(format.rawValue) takes only zeros, ones or constant")
        }
        guard format.holds(value) else {
            throw WeightInitError.invalidParameter(
                "value", value: "\(value)",
                reason: format == .bool ? "a bool tensor holds 0 or 1" : "is not a \(format.rawValue) value (an integer in its range)")
        }
    }

    /// The constant of an integer or boolean tensor.
    package var integerConstant: Double? {
        guard !dtype.isFloatingPoint else { return nil }
        switch initializer {
        case .zeros: return 0
        case .ones: return 1
        case let .constant(value): return value
        default: return nil
        }
    }

    /// What the file holds: the block's shape when sharded.
    @_spi(Plumbing) public var entry: TensorEntry { TensorEntry(name: name, shape: region?.shape ?? shape, dtype: dtype) }

    /// Whether the values can be produced chunk by chunk at any flat index
    /// (sampling schemes, constants, integer constants, sparse, and parts of
    /// those); the others — orthogonal, eye, dirac, whole or in a part — are
    /// built in memory.
    @_spi(Plumbing) public var isStreamed: Bool {
        if !dtype.isFloatingPoint { return true }
        return initializer.writesInChunks(shape: fillShape, layout: layout)
            && parts.allSatisfy { $0.initializer.writesInChunks(shape: $0.shape, layout: layout) }
    }

    /// What the safetensors metadata records about the tensor: a spec entry
    /// without name, shape and dtype (the header has those), with the seed,
    /// stream and layout made explicit, so `stats` can rebuild the scheme and
    /// the tensor can be regenerated.
    package var record: JSONValue {
        var members = Self.schemeRecord(schemeName, parameters)
        members += [
            ("seed", .number(String(stream.seed))), ("stream", .number(String(stream.stream))),
            ("layout", layout.json),
        ]
        if !parts.isEmpty { members.append(("parts", .array(parts.map(\.record)))) }
        // A block says which one, and of what: `stats` takes the fans from the full shape.
        if let shard, let dimension = splitDimension {
            members += [
                (Self.shardKey, .array([.number(String(shard.index)), .number(String(shard.count))])),
                ("shard-dim", .number(String(dimension))),
                (Self.fullShapeKey, .array(shape.map { .number(String($0)) })),
            ]
        }
        return .object(members)
    }

    /// `scheme` and its `parameters` as scheme text, in table order.
    static func schemeText(_ scheme: String, _ parameters: [SchemeParameter: ParameterValue]) -> String {
        ([scheme] + SchemeParameter.allCases.compactMap { parameter in
            parameters[parameter].map { $0 == .on ? parameter.option : "\(parameter.option) \($0)" }
        }).joined(separator: " ")
    }

    /// `"scheme"` and the parameters, in table order.
    static func schemeRecord(_ scheme: String, _ parameters: [SchemeParameter: ParameterValue]) -> [(key: String, value: JSONValue)] {
        var members: [(key: String, value: JSONValue)] = [("scheme", .string(scheme))]
        for parameter in SchemeParameter.allCases {
            guard let value = parameters[parameter] else { continue }
            members.append((parameter.rawValue, value.json))
        }
        return members
    }

    /// Metadata key of a tensor's record.
    package static func metadataKey(_ name: String) -> String { "weightinit.tensor." + name }
    package static let versionKey = "weightinit.stream_format_version"
    /// Record keys of a block: `[i, n]` and the unsharded shape.
    package static let shardKey = "shard", fullShapeKey = "full-shape"

    /// The file-level metadata of a file holding `tensors`.
    @_spi(Plumbing) public static func metadata(_ tensors: [PlannedTensor]) -> [String: String] {
        var metadata = [versionKey: String(StreamFormat.version)]
        for tensor in tensors { metadata[metadataKey(tensor.name)] = tensor.record.serialized }
        return metadata
    }
}

extension ParameterValue {
    var json: JSONValue {
        switch self {
        case let .number(value): .number(value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : "\(value)")
        case let .integer(value): .number(String(value))
        case .on: .bool(true)
        case let .text(value): .string(value)
        }
    }
}

extension Layout {
    var json: JSONValue {
        switch self {
        case .torch: .string("torch")
        case .keras: .string("keras")
        case let .axes(input, output): .array([.number(String(input)), .number(String(output))])
        }
    }
}
