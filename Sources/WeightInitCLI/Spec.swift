@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `generate --spec FILE`: several tensors, one JSON file.
///
/// ```json
/// {"seed": 42, "layout": "torch", "dtype": "f32",
///  "tensors": [{"name": "fc1.weight", "shape": [256, 784], "scheme": "kaiming-normal", "nonlinearity": "relu"},
///              {"name": "fc1.bias", "shape": [256], "scheme": "zeros"}]}
/// ```
///
/// Top level: `tensors` (required), and defaults for every tensor: `seed`
/// (0), `layout` ("torch", "keras" or [in-axis, out-axis]), `dtype` ("f32").
/// Each tensor: `name`, `shape`, `scheme` (required); `seed`, `layout`,
/// `dtype` override the defaults; `stream` (optional); the scheme's
/// parameters named as `generate`'s flags (`"gain": 1`, `"mode": "fan-out"`,
/// `"truncated": true`, `"negative-slope": 0.2`). Under `generate --shard`,
/// `"shard-dim"` (0, 1, or `null` for whole in every shard) overrides
/// `--shard-dim` for that tensor — tensor parallelism splits some weights by
/// rows, others by columns, and replicates the rest.
///
/// A tensor's stream is FNV-1a (32-bit) of its name's UTF-8 bytes unless it
/// gives `stream`. Derived from the name, not the position, so reordering
/// the spec or adding a tensor changes no other tensor's values; two tensors
/// whose streams coincide (explicit, or a hash collision: about n²/2³³ for n
/// tensors) are refused rather than silently correlated.
@_spi(Plumbing) public enum Spec {
    /// Largest spec file read (a spec is a few kilobytes).
    static let maximumSize = 16 << 20

    /// The jobs of the spec at `path` — a regular file, or `-` for standard
    /// input; `seed`, if given, replaces the spec's top-level seed (not a
    /// tensor's own).
    @_spi(Plumbing) public static func jobs(path: String, seed: UInt64? = nil, shard: ShardSelection? = nil) throws -> [TensorJob] {
        let bytes = path == standardInput
            ? try readStandardInput()
            : try TensorFile.readWholeFile(path, maximumSize: maximumSize)
        return try jobs(bytes: bytes, source: path, seed: seed, shard: shard)
    }

    /// `--spec -` reads the spec from standard input — only when asked:
    /// any other path must be a regular file.
    @_spi(Plumbing) public static let standardInput = "-"

    /// The jobs of the spec in `bytes`, read from `source` (for messages):
    /// the parser behind ``jobs(path:seed:shard:)``, for the fuzzer.
    @_spi(Plumbing)
    @_spi(Plumbing) public static func jobs(bytes: [UInt8], source: String, seed: UInt64? = nil, shard: ShardSelection? = nil) throws -> [TensorJob] {
        let name = TerminalText.escaped(source, limit: 256)
        do {
            return try jobs(json: try JSONParser.parse(bytes), seed: seed, shard: shard)
        } catch let failure as JSONParser.Failure {
            throw CommandLineError.usage("invalid --spec '\(name)': not valid JSON: \(failure.reason)")
        } catch let error as CommandLineError {
            throw CommandLineError.usage("invalid --spec '\(name)': \(error.description)")
        }
    }

    /// Standard input, refused past ``maximumSize``.
    private static func readStandardInput() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                throw CommandFailure("cannot read the spec from standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
            guard bytes.count <= maximumSize else {
                throw CommandLineError.usage("invalid --spec -: standard input holds more than the \(maximumSize) bytes allowed")
            }
        }
    }

    static func jobs(json: JSONValue, seed: UInt64? = nil, shard: ShardSelection? = nil) throws -> [TensorJob] {
        let top = try Fields(json, what: "the spec")
        try top.allow(["seed", "layout", "dtype", "tensors"])
        let defaults = try Defaults(seed: seed ?? top.seed() ?? 0, layout: top.layout() ?? .torch, format: top.dtype() ?? .f32,
                                    shard: shard)
        guard case let .array(items)? = top["tensors"] else {
            throw CommandLineError.usage("\"tensors\" must be an array of tensor objects")
        }
        guard !items.isEmpty else { throw CommandLineError.usage("\"tensors\" is empty") }
        var jobs: [TensorJob] = []
        var names: [String: Int] = [:], streams: [UInt32: String] = [:]
        for (index, item) in items.enumerated() {
            let job = try self.job(item, index: index, defaults: defaults)
            if names[job.name] != nil { throw CommandLineError.usage("tensor name \(TerminalText.quoted(job.name)) is used twice") }
            names[job.name] = index
            if let other = streams[job.stream.stream] {
                throw CommandLineError.usage(
                    "tensors \(TerminalText.quoted(other)) and \(TerminalText.quoted(job.name)) get the same stream \(job.stream.stream); give one an explicit \"stream\"")
            }
            streams[job.stream.stream] = job.name
            jobs.append(job)
        }
        return jobs
    }

    struct Defaults {
        let seed: UInt64
        let layout: Layout
        let format: ScalarFormat
        var shard: ShardSelection? = nil
    }

    /// The keys of a tensor entry that are not scheme parameters.
    static let tensorKeys = ["name", "shape", "scheme", "seed", "stream", "layout", "dtype", "shard-dim"]

    static func job(_ item: JSONValue, index: Int, defaults: Defaults) throws -> TensorJob {
        let fields = try Fields(item, what: "tensor \(index + 1)")
        guard case let .string(name)? = fields["name"], !name.isEmpty else {
            throw CommandLineError.usage("tensor \(index + 1): \"name\" must be a non-empty string")
        }
        let context = "tensor \(TerminalText.quoted(name))"
        do {
            guard case let .string(scheme)? = fields["scheme"] else { throw CommandLineError.usage("\"scheme\" must be a string") }
            let shape = try fields.shape()
            let given = try parameters(fields)
            let stream = try fields.unsigned("stream", maximum: UInt64(UInt32.max)).map { UInt32($0) } ?? nameStream(name)
            return try TensorJob(
                name: name, scheme: scheme, given: given, shape: shape, format: try fields.dtype() ?? defaults.format,
                layout: try fields.layout() ?? defaults.layout,
                stream: RandomStream(seed: try fields.seed() ?? defaults.seed, stream: stream),
                shard: defaults.shard, shardDimension: try fields.shardDimension(default: defaults.shard?.dimension))
        } catch let error as CommandLineError {
            throw CommandLineError.usage("\(context): \(error.description)")
        } catch let error as WeightInitError where error.kind == .invalidInput {
            throw CommandLineError.usage("\(context): \(error.description)")
        }
    }

    /// The scheme parameters of a tensor entry, typed by the parameter's kind.
    static func parameters(_ fields: Fields) throws -> [SchemeParameter: ParameterValue] {
        var given: [SchemeParameter: ParameterValue] = [:]
        for (key, value) in fields.members where !tensorKeys.contains(key) {
            guard let parameter = SchemeParameter(rawValue: canonicalName(key)) else {
                throw CommandLineError.usage(
                    "unknown key \(TerminalText.quoted(key)); known: \((tensorKeys + SchemeParameter.allCases.map(\.rawValue)).joined(separator: ", "))")
            }
            switch (parameter.kind, value) {
            case (.number, _):
                guard let number = value.doubleValue else { throw CommandLineError.usage("\"\(key)\" must be a number") }
                given[parameter] = .number(number)
            case (.integer, _):
                guard let integer = value.integerValue else { throw CommandLineError.usage("\"\(key)\" must be an integer") }
                given[parameter] = .integer(integer)
            case (.flag, .bool(let on)):
                if on { given[parameter] = .on }
            case (.flag, _):
                throw CommandLineError.usage("\"\(key)\" must be true or false")
            case (.choice, .string(let text)):
                given[parameter] = .text(text)
            case (.choice, _):
                throw CommandLineError.usage("\"\(key)\" must be a string")
            }
        }
        return given
    }

    /// FNV-1a, 32-bit (Fowler, Noll & Vo; offset basis 2166136261, prime
    /// 16777619), of the name's UTF-8 bytes.
    package static func nameStream(_ name: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }
}

/// A JSON object's members with typed, one-line-error accessors.
struct Fields {
    let members: [(key: String, value: JSONValue)]
    let what: String

    init(_ value: JSONValue, what: String) throws {
        guard case let .object(members) = value else {
            throw CommandLineError.usage("\(what) must be a JSON object, not \(value.kindDescription)")
        }
        self.members = members
        self.what = what
    }

    subscript(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

    func allow(_ keys: [String]) throws {
        if let stray = members.first(where: { !keys.contains($0.key) }) {
            throw CommandLineError.usage("\(what): unknown key \(TerminalText.quoted(stray.key)); known: \(keys.joined(separator: ", "))")
        }
    }

    func unsigned(_ key: String, maximum: UInt64) throws -> UInt64? {
        guard let value = self[key] else { return nil }
        guard case let .number(text) = value, let number = UInt64(text), number <= maximum else {
            throw CommandLineError.usage("\"\(key)\" must be an integer in 0 … \(maximum)")
        }
        return number
    }

    func seed() throws -> UInt64? { try unsigned("seed", maximum: .max) }

    /// `"shard-dim"`: 0 or 1 splits that dimension under `--shard`, `null`
    /// writes the tensor whole into every shard; absent: `fallback`.
    func shardDimension(default fallback: Int?) throws -> Int? {
        switch self["shard-dim"] {
        case nil: return fallback
        case .null?: return nil
        case let value?:
            guard let dimension = value.integerValue, ShardSelection.dimensions.contains(dimension) else {
                throw CommandLineError.usage("\"shard-dim\" must be 0 (rows), 1 (columns) or null (whole in every shard)")
            }
            return dimension
        }
    }

    func dtype() throws -> ScalarFormat? {
        guard let value = self["dtype"] else { return nil }
        guard case let .string(name) = value, let format = ScalarFormat(rawValue: name) else {
            throw CommandLineError.usage("\"dtype\" must be one of \(ScalarFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return format
    }

    func layout() throws -> Layout? {
        switch self["layout"] {
        case nil: return nil
        case .string("torch"): return .torch
        case .string("keras"): return .keras
        case let .array(axes) where axes.count == 2:
            if let input = axes[0].integerValue, let output = axes[1].integerValue { return .axes(input: input, output: output) }
            fallthrough
        default:
            throw CommandLineError.usage("\"layout\" must be \"torch\", \"keras\" or [in-axis, out-axis]")
        }
    }

    func shape() throws -> [Int] {
        guard case let .array(items)? = self["shape"], !items.isEmpty else {
            throw CommandLineError.usage("\"shape\" must be a non-empty array of integers ≥ 1")
        }
        return try items.map { item in
            guard let dimension = item.integerValue, dimension >= 1 else {
                throw CommandLineError.usage("\"shape\" must be a non-empty array of integers ≥ 1")
            }
            return dimension
        }
    }
}
