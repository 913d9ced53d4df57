@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `generate --spec FILE`: several tensors, one JSON file — listed, or
/// taken from an existing checkpoint or a Hugging Face config, with schemes
/// given per tensor or by rules.
///
/// ```json
/// {"seed": 42, "layout": "torch", "dtype": "f32",
///  "tensors": [{"name": "fc1.weight", "shape": [256, 784], "scheme": "kaiming-normal", "nonlinearity": "relu"},
///              {"name": "fc1.bias", "shape": [256], "scheme": "uniform-fan-in", "fan-of": "fc1.weight"}]}
/// ```
///
/// Top level: `tensors`, and defaults for every tensor: `seed` (0), `layout`
/// ("torch", "keras" or [in-axis, out-axis]), `dtype` ("f32"). Where the
/// tensors come from: `like` (a `.safetensors` checkpoint or a
/// `model.safetensors.index.json`: names, shapes and dtypes from its
/// headers), `config` (a Hugging Face `config.json`: the layout its family
/// computes); `rules` (a built-in rule set's name, a rules file, or the
/// rules object itself) choose the schemes of the tensors that give none;
/// `variables` are numbers, booleans or nulls that rules and expressions
/// read, over the config's fields. Paths are relative to the spec's
/// directory. With `like` or `config`, `tensors` is optional, and an entry
/// naming a tensor of the layout overrides it (its rule), while a new name
/// adds a tensor.
///
/// Each tensor: `name`, `shape` (`[]` for a scalar), `scheme` (required
/// unless a rule gives it); `seed`, `layout`, `dtype` (also i64, i32, u8,
/// bool, for zeros, ones and constant) override the defaults; `stream`
/// (optional); the scheme's parameters named as `generate`'s flags (`"gain":
/// 1`, `"mode": "fan-out"`, `"truncated": true`, `"negative-slope": 0.2`),
/// numbers also as expressions (`"std": "initializer_range / sqrt(2 *
/// n_layer)"`); `fan-of` (another tensor whose fans this one takes: a bias
/// takes its weight's); `parts` (blocks with schemes of their own, see
/// ``JobPart``). Under `generate --shard`, `"shard-dim"` (0, 1, or `null` for
/// whole in every shard) overrides `--shard-dim` for that tensor — tensor
/// parallelism splits some weights by rows, others by columns, and
/// replicates the rest.
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
        try model(spec: path, options: SpecOptions(seed: seed, shard: shard)).jobs
    }

    /// The model a spec (or `nil`: the command line alone) describes, with
    /// the command line's `options` over the spec's own keys.
    @_spi(Plumbing) public static func model(spec path: String?, options: SpecOptions) throws -> ModelJobs {
        guard let path else { return try model(json: nil, directory: "", options: options) }
        let bytes = path == standardInput
            ? try readStandardInput()
            : try TensorFile.readWholeFile(path, maximumSize: maximumSize)
        let directory = path == standardInput || !path.contains("/") ? "" : String(path[...path.lastIndex(of: "/")!])
        return try model(bytes: bytes, source: path, directory: directory, options: options)
    }

    /// `--spec -` reads the spec from standard input — only when asked:
    /// any other path must be a regular file.
    @_spi(Plumbing) public static let standardInput = "-"

    /// The jobs of the spec in `bytes`, read from `source` (for messages):
    /// the parser behind ``jobs(path:seed:shard:)``, for the fuzzer.
    @_spi(Plumbing) public static func jobs(bytes: [UInt8], source: String, seed: UInt64? = nil, shard: ShardSelection? = nil) throws -> [TensorJob] {
        try model(bytes: bytes, source: source, directory: "", options: SpecOptions(seed: seed, shard: shard)).jobs
    }

    static func model(bytes: [UInt8], source: String, directory: String, options: SpecOptions) throws -> ModelJobs {
        let name = TerminalText.escaped(source, limit: 256)
        do {
            return try model(json: try JSONParser.parse(bytes), directory: directory, options: options)
        } catch let failure as JSONParser.Failure {
            throw ModelError("invalid --spec '\(name)': not valid JSON: \(failure.reason)")
        } catch let error as ModelError {
            throw ModelError("invalid --spec '\(name)': \(error.description)")
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
                throw ModelError("cannot read the spec from standard input: \(String(cString: strerror(errno)))", kind: .failure)
            }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
            guard bytes.count <= maximumSize else {
                throw ModelError("invalid --spec -: standard input holds more than the \(maximumSize) bytes allowed")
            }
        }
    }

    /// The top-level keys of a spec.
    static let topKeys = ["seed", "layout", "dtype", "tensors", "like", "config", "rules", "variables"]

    /// The model: the layout (from `like` or `config`), the spec's own
    /// entries over it, each tensor's entry from itself or the first rule
    /// that applies, and the jobs of those entries.
    static func model(json: JSONValue?, directory: String, options: SpecOptions) throws -> ModelJobs {
        let top = try json.map { try Fields($0, what: "the spec") }
        try top?.allow(topKeys)
        let defaults = Defaults(
            seed: try options.seed ?? top?.seed() ?? 0, layout: try top?.layout() ?? .torch, format: try top?.dtype() ?? .f32,
            shard: options.shard, dtypeOverride: options.dtype)
        let like = try options.like ?? top?.path("like", relativeTo: directory)
        let config = try (options.config ?? top?.path("config", relativeTo: directory)).map { try ModelConfig(path: $0) }
        let layout = try like.map { try CheckpointLayout.read($0) } ?? config?.layout() ?? []

        let rules: RuleSet?
        switch (options.rules, top?["rules"]) {
        case let (name?, _): rules = try RuleSet.load(name)
        case let (nil, .string(name)?): rules = try RuleSet.load(name, relativeTo: directory)
        case let (nil, value?) where { if case .object = value { true } else { false } }():
            rules = try RuleSet(value, name: "the spec's rules")
        case (nil, _?): throw ModelError("\"rules\" must be a rule set's name, a rules file or a rules object")
        case (nil, nil): rules = try config.map { try RuleSet.load($0.family.ruleSet) }
        }
        var variables = rules?.variables ?? [:]
        variables.merge(config?.variables ?? [:]) { $1 }
        if let value = top?["variables"] { variables.merge(try RuleValue.parse(value, what: "\"variables\"")) { $1 } }

        let entries = try self.entries(top: top, layout: layout, rules: rules, variables: variables)
        let context = EntryContext(variables: variables, shapes: Dictionary(entries.map { ($0.name, $0.shape) }) { first, _ in first })
        var jobs: [TensorJob] = []
        var streams: [UInt32: String] = [:]
        for (index, entry) in entries.enumerated() {
            let job = try self.job(entry.json, index: index, defaults: defaults, context: context)
            for (stream, owner) in [(job.stream.stream, job.name)] + job.parts.map({ ($0.stream.stream, job.name + JobPart.slice($0.region)) }) {
                if let other = streams[stream] {
                    throw ModelError(
                        "tensors \(TerminalText.quoted(other)) and \(TerminalText.quoted(owner)) get the same stream \(stream); give one an explicit \"stream\"")
                }
                streams[stream] = owner
            }
            jobs.append(job)
        }
        return ModelJobs(jobs: jobs, config: config, rules: rules?.name)
    }

    /// One tensor's entry, complete: name, shape and dtype filled in.
    struct ResolvedEntry {
        let name: String
        let shape: [Int]
        let json: JSONValue
    }

    /// Every tensor's entry: the layout's tensors in order, then the spec's
    /// new names; an explicit `scheme` wins over the rules, and an entry's
    /// other keys over a rule's.
    private static func entries(top: Fields?, layout: [LayoutTensor], rules: RuleSet?, variables: [String: RuleValue]) throws -> [ResolvedEntry] {
        var explicit: [String: Fields] = [:]
        var order = layout.map(\.name)
        var byName = Dictionary(layout.map { ($0.name, $0) }) { first, _ in first }
        if let value = top?["tensors"] {
            guard case let .array(items) = value else { throw ModelError("\"tensors\" must be an array of tensor objects") }
            for (index, item) in items.enumerated() {
                let fields = try Fields(item, what: "tensor \(index + 1)")
                guard case let .string(name)? = fields["name"], !name.isEmpty else {
                    throw ModelError("tensor \(index + 1): \"name\" must be a non-empty string")
                }
                guard explicit[name] == nil else { throw ModelError("tensor name \(TerminalText.quoted(name)) is used twice") }
                explicit[name] = fields
                if byName[name] == nil {
                    do {
                        byName[name] = LayoutTensor(name: name, shape: try fields.shape(), format: try fields.dtype())
                    } catch let error as ModelError {
                        throw ModelError("tensor \(TerminalText.quoted(name)): \(error.description)")
                    }
                    order.append(name)
                }
            }
        }
        guard !order.isEmpty else {
            throw ModelError(top?["tensors"] == nil
                ? "no tensors: give \"tensors\", or a layout with --like/--config (or the spec's \"like\"/\"config\")"
                : "\"tensors\" is empty")
        }
        try LayoutTensor.checkCount(order.count, source: "the model")
        if let long = order.first(where: { $0.utf8.count > LayoutTensor.maximumNameLength }) {
            throw ModelError(
                "tensor \(TerminalText.quoted(long)): the name is \(long.utf8.count) bytes long; at most \(LayoutTensor.maximumNameLength)")
        }
        let ranks = byName.mapValues(\.shape.count)
        return try order.map { name in
            let tensor = byName[name]!
            let context = "tensor \(TerminalText.quoted(name))"
            var members: [(key: String, value: JSONValue)]
            var ruleFormat: DType?
            let own = explicit[name]
            if let own, own["scheme"] != nil {
                members = own.members
            } else if let rules, let (rule, captures) = try rules.rule(for: tensor, ranks: ranks, variables: variables) {
                do {
                    members = try rule.entry(captures: captures)
                } catch let error as ModelError {
                    throw ModelError("\(context): rules \(rules.name), rule \(rule.number): \(error.description)")
                }
                ruleFormat = rule.dtype
                // The spec's own keys (a seed, a stream, a parameter) over the rule's.
                for (key, value) in own?.members ?? [] {
                    members.removeAll { $0.key == key }
                    members.append((key, value))
                }
            } else {
                let shape = tensor.shape.map(String.init).joined(separator: ",")
                throw ModelError(rules.map {
                    "\(context) (shape [\(shape)]): no rule of \($0.name) applies to it; add a rule, or give it a \"scheme\" in the spec's \"tensors\""
                } ?? "\(context): no \"scheme\", and no rules to choose one (give --rules NAME|FILE or the spec's \"rules\")")
            }
            if let own, own["shape"] != nil, let layoutTensor = layout.first(where: { $0.name == name }) {
                guard try own.shape() == layoutTensor.shape else {
                    throw ModelError(
                        "\(context): \"shape\" \(try own.shape()) differs from the layout's \(layoutTensor.shape)")
                }
            }
            // dtype: the entry's own, else the layout's, else the rule's, else the spec's default.
            members.removeAll { ["name", "shape"].contains($0.key) }
            if !members.contains(where: { $0.key == "dtype" }), let format = tensor.format ?? ruleFormat {
                members.append(("dtype", .string(format.rawValue)))
            }
            members = [("name", .string(name)), ("shape", .array(tensor.shape.map { .number(String($0)) }))] + members
            return ResolvedEntry(name: name, shape: tensor.shape, json: .object(members))
        }
    }

    package struct Defaults {
        package let seed: UInt64
        package let layout: Layout
        package let format: DType
        var shard: ShardSelection? = nil
        /// `--dtype`: the element type of every floating-point tensor.
        var dtypeOverride: DType? = nil

        package init(seed: UInt64, layout: Layout, format: DType, shard: ShardSelection? = nil, dtypeOverride: DType? = nil) {
            (self.seed, self.layout, self.format, self.shard, self.dtypeOverride) = (seed, layout, format, shard, dtypeOverride)
        }
    }

    /// What an entry may refer to beyond itself: variables for expressions,
    /// the model's tensor shapes for `fan-of`.
    package struct EntryContext {
        var variables: [String: RuleValue] = [:]
        var shapes: [String: [Int]] = [:]
        package static let empty = EntryContext()
    }

    /// The keys of a tensor entry that are not scheme parameters.
    static let tensorKeys = ["name", "shape", "scheme", "seed", "stream", "layout", "dtype", "shard-dim", "fan-of", "parts"]

    package static func job(_ item: JSONValue, index: Int, defaults: Defaults, context: EntryContext = .empty) throws -> TensorJob {
        let fields = try Fields(item, what: "tensor \(index + 1)")
        guard case let .string(name)? = fields["name"], !name.isEmpty else {
            throw ModelError("tensor \(index + 1): \"name\" must be a non-empty string")
        }
        let quoted = "tensor \(TerminalText.quoted(name))"
        do {
            guard case let .string(scheme)? = fields["scheme"] else { throw ModelError("\"scheme\" must be a string") }
            let shape = try fields.shape()
            let layout = try fields.layout() ?? defaults.layout
            var format = try fields.dtype() ?? defaults.format
            if let override = defaults.dtypeOverride, format.isFloatingPoint { format = override }
            var given = try parameters(fields, variables: context.variables)
            try fields.addFans(to: &given, layout: layout, shapes: context.shapes)
            let seed = try fields.seed() ?? defaults.seed
            let stream = try fields.unsigned("stream", maximum: UInt64(UInt32.max)).map { UInt32($0) } ?? nameStream(name)
            var parts: [JobPart] = []
            if let value = fields["parts"] {
                guard format.isFloatingPoint else {
                    throw ModelError("parts need a floating-point dtype, not \(format.rawValue)")
                }
                parts = try self.parts(value, tensor: name, shape: shape, format: format, layout: layout, seed: seed, context: context)
            }
            return try TensorJob(
                name: name, scheme: scheme, given: given, shape: shape, format: format, layout: layout,
                stream: RandomStream(seed: seed, stream: stream),
                shard: defaults.shard, shardDimension: try fields.shardDimension(default: defaults.shard?.dimension), parts: parts)
        } catch let error as ModelError {
            throw ModelError("\(quoted): \(error.description)")
        } catch let error as WeightInitError where error.kind == .invalidInput {
            throw ModelError("\(quoted): \(error.description)")
        }
    }

    /// The keys of a part that are not scheme parameters.
    static let partKeys = ["rows", "columns", "block", "dim", "ranges", "scheme", "stream", "when", "fan-of"]

    /// `"parts"`: blocks by `rows` and/or `columns` ([begin, end], numbers
    /// or expressions), `block` ([i, n]: the i-th of n equal blocks along
    /// `dim`, 0 by default — gate i of an LSTM's 4), or `ranges` (one
    /// [begin, end] per dimension, as the metadata records them); a part
    /// with `when` applies only if that variable is set.
    static func parts(_ value: JSONValue, tensor name: String, shape: [Int], format: DType, layout: Layout,
                      seed: UInt64, context: EntryContext) throws -> [JobPart] {
        guard case let .array(items) = value else { throw ModelError("\"parts\" must be an array of part objects") }
        guard items.count <= JobPart.maximumCount else {
            throw ModelError("\(items.count) parts; a tensor has at most \(JobPart.maximumCount)")
        }
        return try items.enumerated().compactMap { index, item in
            let fields = try Fields(item, what: "part \(index + 1)")
            do {
                let when = try Rule.strings(fields["when"], what: "\"when\"")
                guard when.allSatisfy({ context.variables[$0]?.isSet ?? false }) else { return nil }
                guard case let .string(scheme)? = fields["scheme"] else { throw ModelError("\"scheme\" must be a string") }
                let region = try partRegion(fields, shape: shape, variables: context.variables)
                var given = try parameters(fields, variables: context.variables, reserved: partKeys)
                try fields.addFans(to: &given, layout: layout, shapes: context.shapes)
                let stream = try fields.unsigned("stream", maximum: UInt64(UInt32.max)).map { UInt32($0) }
                    ?? nameStream(JobPart.streamName(tensor: name, region: region))
                return try JobPart(region: region, in: shape, scheme: scheme, given: given, format: format, layout: layout,
                                   stream: RandomStream(seed: seed, stream: stream))
            } catch let error as ModelError {
                throw ModelError("part \(index + 1): \(error.description)")
            } catch let error as WeightInitError where error.kind == .invalidInput {
                throw ModelError("part \(index + 1): \(error.description)")
            }
        }
    }

    /// Where a part lies: every dimension whole unless `rows`, `columns`,
    /// `block` or `ranges` say otherwise (checked against the tensor by ``JobPart``).
    private static func partRegion(_ fields: Fields, shape: [Int], variables: [String: RuleValue]) throws -> TensorRegion {
        guard !shape.isEmpty else { throw ModelError("a scalar has no parts") }
        var ranges = shape.map { 0 ..< $0 }
        func bounds(_ key: String) throws -> Range<Int>? {
            guard let value = fields[key] else { return nil }
            guard case let .array(items) = value, items.count == 2 else {
                throw ModelError("\"\(key)\" must be [begin, end]")
            }
            let (begin, end) = (try integer(items[0], key, variables), try integer(items[1], key, variables))
            guard begin < end else { throw ModelError("\"\(key)\" [\(begin), \(end)] is empty; give begin < end") }
            return begin ..< end
        }
        let given = ["rows", "columns", "block", "ranges"].filter { fields[$0] != nil }
        guard !given.isEmpty else { throw ModelError("a part needs \"rows\", \"columns\", \"block\" or \"ranges\"") }
        if given.contains("block") || given.contains("ranges"), given.count > 1 {
            throw ModelError("give \"block\" or \"ranges\" alone, or \"rows\" and/or \"columns\"")
        }
        if fields["dim"] != nil, fields["block"] == nil { throw ModelError("\"dim\" goes with \"block\"") }
        if let rows = try bounds("rows") { ranges[0] = rows }
        if let columns = try bounds("columns") {
            guard shape.count >= 2 else { throw ModelError("a 1-D tensor has no columns; give \"rows\"") }
            ranges[1] = columns
        }
        if case let .array(items)? = fields["ranges"] {
            guard items.count == shape.count else {
                throw ModelError("\"ranges\" needs one [begin, end] per dimension (\(shape.count))")
            }
            ranges = try items.map { item in
                guard case let .array(pair) = item, pair.count == 2 else { throw ModelError("\"ranges\" holds [begin, end] pairs") }
                let (begin, end) = (try integer(pair[0], "ranges", variables), try integer(pair[1], "ranges", variables))
                guard begin < end else { throw ModelError("\"ranges\" [\(begin), \(end)] is empty; give begin < end") }
                return begin ..< end
            }
        } else if fields["ranges"] != nil {
            throw ModelError("\"ranges\" must be an array of [begin, end]")
        }
        if let value = fields["block"] {
            guard case let .array(items) = value, items.count == 2 else { throw ModelError("\"block\" must be [i, n]") }
            let (block, count) = (try integer(items[0], "block", variables), try integer(items[1], "block", variables))
            let dimension = try fields["dim"].map { try integer($0, "dim", variables) } ?? 0
            guard shape.indices.contains(dimension) else {
                throw ModelError("\"dim\" \(dimension) is not a dimension of the \(shape.count)-D tensor")
            }
            guard count >= 1, (0 ..< count).contains(block), shape[dimension] % count == 0 else {
                throw ModelError(
                    "\"block\" [\(block), \(count)] must be block i of n (0 ≤ i < n) of a dimension divisible by n; dimension \(dimension) has \(shape[dimension])")
            }
            let size = shape[dimension] / count
            ranges[dimension] = block * size ..< (block + 1) * size
        }
        return TensorRegion(ranges)
    }

    /// An integer, given as a number or an expression.
    private static func integer(_ value: JSONValue, _ key: String, _ variables: [String: RuleValue]) throws -> Int {
        if let integer = value.integerValue { return integer }
        if case let .string(text) = value {
            let number = try RuleExpression.evaluate(text, variables: variables)
            if let integer = Int(exactly: number) { return integer }
            throw ModelError("\"\(key)\": \(TerminalText.quoted(text)) is \(number), not an integer")
        }
        throw ModelError("\"\(key)\" holds \(value.kindDescription), not an integer or an expression")
    }

    /// The scheme parameters of an entry, typed by the parameter's kind;
    /// numbers may be written as expressions over `variables`.
    static func parameters(_ fields: Fields, variables: [String: RuleValue] = [:], reserved: [String] = tensorKeys) throws -> [SchemeParameter: ParameterValue] {
        var given: [SchemeParameter: ParameterValue] = [:]
        for (key, value) in fields.members where !reserved.contains(key) {
            guard let parameter = SchemeParameter(rawValue: canonicalName(key)) else {
                throw ModelError(
                    "unknown key \(TerminalText.quoted(key)); known: \((reserved + SchemeParameter.allCases.map(\.rawValue)).joined(separator: ", "))")
            }
            switch (parameter.kind, value) {
            case let (.number, .string(text)):
                given[parameter] = .number(try RuleExpression.evaluate(text, variables: variables))
            case (.number, _):
                guard let number = value.doubleValue else { throw ModelError("\"\(key)\" must be a number") }
                given[parameter] = .number(number)
            case (.integer, _):
                given[parameter] = .integer(try integer(value, key, variables))
            case (.flag, .bool(let on)):
                if on { given[parameter] = .on }
            case (.flag, _):
                throw ModelError("\"\(key)\" must be true or false")
            case (.choice, .string(let text)):
                given[parameter] = .text(text)
            case (.choice, _):
                throw ModelError("\"\(key)\" must be a string")
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

    /// `"shard-dim"`: 0 or 1 splits that dimension under `--shard`, `null`
    /// writes the tensor whole into every shard; absent: `fallback`.
    func shardDimension(default fallback: Int?) throws -> Int? {
        switch self["shard-dim"] {
        case nil: return fallback
        case .null?: return nil
        case let value?:
            guard let dimension = value.integerValue, ShardSelection.dimensions.contains(dimension) else {
                throw ModelError("\"shard-dim\" must be 0 (rows), 1 (columns) or null (whole in every shard)")
            }
            return dimension
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
