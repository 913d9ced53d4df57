@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One tensor to generate, resolved from `generate`'s flags, a spec entry or
/// a rule: everything its values depend on, checked.
@_spi(Plumbing) public struct TensorJob: Sendable {
    @_spi(Plumbing) public let name: String
    /// The scheme's table name (aliases resolved).
    package let scheme: String
    /// The scheme parameters after defaults, named as the CLI flags.
    package let parameters: [SchemeParameter: ParameterValue]
    @_spi(Plumbing) public let initializer: Initializer
    /// The tensor's shape as the file records it; empty for a scalar.
    @_spi(Plumbing) public let shape: [Int]
    /// The element type in the file: a sampled format, or an integer type
    /// (which holds only zeros, ones or a constant).
    @_spi(Plumbing) public let format: DType
    @_spi(Plumbing) public let layout: Layout
    @_spi(Plumbing) public let stream: RandomStream
    /// The block written, when `--shard` asked for one and the tensor is
    /// split; `nil`: the whole tensor.
    @_spi(Plumbing) public let region: TensorRegion?
    /// The shard this job belongs to (`nil` without `--shard`).
    package let shard: ShardSelection?
    /// The dimension `region` splits (`nil` when the tensor is whole).
    package let shardDimension: Int?
    /// Blocks of the tensor with schemes of their own, disjoint, written over
    /// the tensor's own scheme (an LSTM's forget-gate bias, a padding row).
    package let parts: [JobPart]

    /// Resolves `scheme` with `given` parameters through the CLI's scheme
    /// table, and checks the scheme against the shape, layout and element
    /// type, and `parts` against the tensor and each other. With `shard`,
    /// the job writes its block along `shardDimension` (whole when that is
    /// `nil` or the tensor has no such dimension).
    package init(name: String, scheme: String, given: [SchemeParameter: ParameterValue], shape: [Int],
         format: DType, layout: Layout, stream: RandomStream,
         shard: ShardSelection? = nil, shardDimension: Int? = nil, parts: [JobPart] = []) throws {
        let entry = try SchemeEntry.named(scheme)
        let fillShape = Self.fillShape(shape)
        initializer = try entry.initializer(given: given, shape: fillShape)
        if format.isFloatingPoint {
            // Every scheme's own checks (fans, ranks, groups, bounds), and that its
            // values are finite in the dtype, before any file is touched.
            try initializer.validate(shape: fillShape, layout: layout, dtype: format)
        } else {
            try Self.checkInteger(initializer, scheme: entry.name, format: format)
            if !parts.isEmpty { throw ModelError("parts need a floating-point dtype, not \(format.rawValue)") }
        }
        try JobPart.checkDisjoint(parts)
        self.name = name
        self.scheme = entry.name
        parameters = try entry.arguments(given: given).values
        self.shape = shape
        self.format = format
        self.layout = layout
        self.stream = stream
        self.shard = shard
        self.parts = parts
        region = try shard?.region(shape: shape, dimension: shardDimension)
        self.shardDimension = region == nil ? nil : shardDimension
    }

    /// The shape the engine fills: a scalar is filled as one element.
    package static func fillShape(_ shape: [Int]) -> [Int] { shape.isEmpty ? [1] : shape }
    package var fillShape: [Int] { Self.fillShape(shape) }

    /// Integer and boolean tensors hold constants only, each a value of the type.
    private static func checkInteger(_ initializer: Initializer, scheme: String, format: DType) throws {
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

    /// The constant of an integer or boolean job.
    package var integerConstant: Double? {
        guard !format.isFloatingPoint else { return nil }
        switch initializer {
        case .zeros: return 0
        case .ones: return 1
        case let .constant(value): return value
        default: return nil
        }
    }

    /// What the file holds: the block's shape when sharded.
    @_spi(Plumbing) public var entry: TensorEntry { TensorEntry(name: name, shape: region?.shape ?? shape, dtype: format) }

    /// Whether the values can be produced chunk by chunk at any flat index
    /// (sampling schemes, constants, integer constants, sparse, and parts of
    /// those); the others — orthogonal, eye, dirac, whole or in a part — are
    /// built in memory.
    @_spi(Plumbing) public var isStreamed: Bool {
        if !format.isFloatingPoint { return true }
        return initializer.writesInChunks(shape: fillShape, layout: layout)
            && parts.allSatisfy { $0.initializer.writesInChunks(shape: $0.shape, layout: layout) }
    }

    /// What the safetensors metadata records about the tensor: a spec entry
    /// without name, shape and dtype (the header has those), with the seed,
    /// stream and layout made explicit, so `stats` can rebuild the scheme and
    /// the tensor can be regenerated.
    package var record: JSONValue {
        var members = Self.schemeRecord(scheme, parameters)
        members += [
            ("seed", .number(String(stream.seed))), ("stream", .number(String(stream.stream))),
            ("layout", layout.json),
        ]
        if !parts.isEmpty { members.append(("parts", .array(parts.map(\.record)))) }
        // A block says which one, and of what: `stats` takes the fans from the full shape.
        if let shard, let dimension = shardDimension {
            members += [
                (Self.shardKey, .array([.number(String(shard.index)), .number(String(shard.count))])),
                ("shard-dim", .number(String(dimension))),
                (Self.fullShapeKey, .array(shape.map { .number(String($0)) })),
            ]
        }
        return .object(members)
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

    /// The file-level metadata for `jobs`.
    @_spi(Plumbing) public static func metadata(_ jobs: [TensorJob]) -> [String: String] {
        var metadata = [versionKey: String(StreamFormat.version)]
        for job in jobs { metadata[metadataKey(job.name)] = job.record.serialized }
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
