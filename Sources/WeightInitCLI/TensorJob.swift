@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One tensor to generate, resolved from `generate`'s flags or a spec entry:
/// everything its values depend on, checked.
@_spi(Plumbing) public struct TensorJob: Sendable {
    @_spi(Plumbing) public let name: String
    /// The scheme's table name (aliases resolved).
    let scheme: String
    /// The scheme parameters after defaults, named as the CLI flags.
    let parameters: [SchemeParameter: ParameterValue]
    @_spi(Plumbing) public let initializer: Initializer
    @_spi(Plumbing) public let shape: [Int]
    @_spi(Plumbing) public let format: ScalarFormat
    @_spi(Plumbing) public let layout: Layout
    @_spi(Plumbing) public let stream: RandomStream
    /// The block written, when `--shard` asked for one and the tensor is
    /// split; `nil`: the whole tensor.
    @_spi(Plumbing) public let region: TensorRegion?
    /// The shard this job belongs to (`nil` without `--shard`).
    let shard: ShardSelection?
    /// The dimension `region` splits (`nil` when the tensor is whole).
    let shardDimension: Int?

    /// Resolves `scheme` with `given` parameters through the CLI's scheme
    /// table, and checks the scheme against the shape and layout. With
    /// `shard`, the job writes its block along `shardDimension` (whole when
    /// that is `nil` or the tensor has no such dimension).
    init(name: String, scheme: String, given: [SchemeParameter: ParameterValue], shape: [Int],
         format: ScalarFormat, layout: Layout, stream: RandomStream,
         shard: ShardSelection? = nil, shardDimension: Int? = nil) throws {
        let entry = try SchemeEntry.named(scheme)
        initializer = try entry.initializer(given: given, shape: shape)
        // Every scheme's own checks (fans, ranks, groups, bounds), and that its
        // values are finite in the dtype, before any file is touched.
        try initializer.validate(shape: shape, layout: layout, format: format)
        var resolved = given
        for (parameter, fallback) in entry.parameters where resolved[parameter] == nil {
            if case let .value(value) = fallback { resolved[parameter] = value }
        }
        self.name = name
        self.scheme = entry.name
        parameters = resolved
        self.shape = shape
        self.format = format
        self.layout = layout
        self.stream = stream
        self.shard = shard
        region = try shard?.region(shape: shape, dimension: shardDimension)
        self.shardDimension = region == nil ? nil : shardDimension
    }

    /// What the file holds: the block's shape when sharded.
    @_spi(Plumbing) public var entry: TensorEntry { TensorEntry(name: name, shape: region?.shape ?? shape, format: format) }

    /// Whether the values are written chunk by chunk (sampling schemes and
    /// constants); the others are built in memory.
    @_spi(Plumbing) public var isStreamed: Bool { initializer.writesInChunks(shape: shape, layout: layout) }

    /// What the safetensors metadata records about the tensor: a spec entry
    /// without name, shape and dtype (the header has those), with the seed,
    /// stream and layout made explicit, so `stats` can rebuild the scheme and
    /// the tensor can be regenerated.
    var record: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("scheme", .string(scheme))]
        for parameter in SchemeParameter.allCases {
            guard let value = parameters[parameter] else { continue }
            members.append((parameter.rawValue, value.json))
        }
        members += [
            ("seed", .number(String(stream.seed))), ("stream", .number(String(stream.stream))),
            ("layout", layout.json),
        ]
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

    /// Metadata key of a tensor's record.
    static func metadataKey(_ name: String) -> String { "weightinit.tensor." + name }
    static let versionKey = "weightinit.stream_format_version"
    /// Record keys of a block: `[i, n]` and the unsharded shape.
    static let shardKey = "shard", fullShapeKey = "full-shape"

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
