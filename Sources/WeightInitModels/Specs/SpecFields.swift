@_spi(Plumbing) import WeightInit

/// A JSON object of a spec, a rule set or a rule: its members with typed
/// accessors whose errors are one line each.
struct SpecFields {
    let members: [(key: String, value: JSONValue)]
    let what: String

    init(_ value: JSONValue, what: String) throws {
        guard case let .object(members) = value else {
            throw ModelError("\(what) must be a JSON object, not \(value.kindDescription)")
        }
        self.members = members
        self.what = what
    }

    subscript(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

    func allow(_ keys: [String]) throws {
        if let stray = members.first(where: { !keys.contains($0.key) }) {
            throw ModelError("\(what): unknown key \(TerminalText.quoted(stray.key)); known: \(keys.joined(separator: ", "))")
        }
    }

    func unsigned(_ key: String, maximum: UInt64) throws -> UInt64? {
        guard let value = self[key] else { return nil }
        guard case let .number(text) = value, let number = UInt64(text), number <= maximum else {
            throw ModelError("\"\(key)\" must be an integer in 0 … \(maximum)")
        }
        return number
    }

    func seed() throws -> UInt64? { try unsigned("seed", maximum: .max) }

    /// `"shard-dim"`: 0 or 1 splits that dimension under a tensor-parallel
    /// shard, `null` writes the tensor whole into every shard; absent: the
    /// shard's own dimension.
    func shardDimension() throws -> PlannedTensor.ShardDimension {
        switch self["shard-dim"] {
        case nil: return .shards
        case .null?: return .whole
        case let value?:
            guard let dimension = value.integerValue, ShardSelection.dimensions.contains(dimension) else {
                throw ModelError("\"shard-dim\" must be 0 (rows), 1 (columns) or null (whole in every shard)")
            }
            return .dimension(dimension)
        }
    }

    func dtype() throws -> DType? {
        guard let value = self["dtype"] else { return nil }
        guard case let .string(name) = value, let format = DType(rawValue: name) else {
            throw ModelError("\"dtype\" must be one of \(DType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return format
    }

    /// A path in the spec, relative to the spec's directory unless absolute.
    func path(_ key: String, relativeTo directory: String) throws -> String? {
        guard let value = self[key] else { return nil }
        guard case let .string(path) = value, !path.isEmpty else { throw ModelError("\"\(key)\" must be a file name") }
        return path.hasPrefix("/") ? path : directory + path
    }

    /// The fans of the tensor `key` names (`"fan-of"`), read in `layout`.
    /// `"fan-of"` (of a tensor or a part) as `fan-in` and `fan-out` in
    /// `given`; with either of those given as well, an error.
    func addFans(to given: inout [SchemeParameter: ParameterValue], layout: Layout, shapes: [String: [Int]]) throws {
        guard let fans = try fans(of: "fan-of", layout: layout, shapes: shapes) else { return }
        guard given[.fanIn] == nil, given[.fanOut] == nil else {
            throw ModelError("\"fan-of\" and \"fan-in\"/\"fan-out\" both give the fans; give one")
        }
        given[.fanIn] = .integer(fans.fanIn)
        given[.fanOut] = .integer(fans.fanOut)
    }

    func fans(of key: String, layout: Layout, shapes: [String: [Int]]) throws -> Fans? {
        guard let value = self[key] else { return nil }
        guard case let .string(name) = value else { throw ModelError("\"\(key)\" must name a tensor") }
        guard let shape = shapes[name] else {
            throw ModelError("\"\(key)\" names \(TerminalText.quoted(name)), which is not a tensor of this model")
        }
        do {
            return try Fans(shape: shape, layout: layout)
        } catch let error as WeightInitError {
            throw ModelError("\"\(key)\" \(TerminalText.quoted(name)): \(error.description)")
        }
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
            throw ModelError("\"layout\" must be \"torch\", \"keras\" or [in-axis, out-axis]")
        }
    }

    /// `"shape"`: integers ≥ 1, or `[]` for a scalar.
    func shape() throws -> [Int] {
        guard case let .array(items)? = self["shape"] else {
            throw ModelError("\"shape\" must be an array of integers ≥ 1 ([] for a scalar)")
        }
        return try items.map { item in
            guard let dimension = item.integerValue, dimension >= 1 else {
                throw ModelError("\"shape\" must be an array of integers ≥ 1 ([] for a scalar)")
            }
            return dimension
        }
    }
}
