@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A model spec: the JSON `weightinit generate --spec` reads — several
/// tensors in one file, listed, or taken from an existing checkpoint or a
/// Hugging Face config, with schemes given per tensor or by rules. (Scheme
/// text, "normal --std 0.02", is something else: the engine's `SchemeText`.)
///
/// ```json
/// {"seed": 42, "layout": "torch", "dtype": "f32",
///  "tensors": [{"name": "fc1.weight", "shape": [256, 784], "scheme": "kaiming-normal", "nonlinearity": "relu"},
///              {"name": "fc1.bias", "shape": [256], "scheme": "uniform-fan-in", "fan-of": "fc1.weight"}]}
/// ```
///
/// Top level: `tensors`, and defaults for every tensor: `seed` (0), `layout`
/// ("torch", "keras" or [in-axis, out-axis]: how fans are read), `dtype`
/// ("f32"). Where the tensors come from: `like` (a `.safetensors` checkpoint
/// or a `model.safetensors.index.json`: the manifest of its headers),
/// `config` (a Hugging Face `config.json`: the manifest its family
/// computes); `rules` (a built-in rule set's name, a rules file, or the
/// rules object itself) choose the schemes of the tensors that give none;
/// `variables` are numbers, booleans or nulls that rules and expressions
/// read, over the config's fields. Paths are relative to the spec's
/// directory. With `like` or `config`, `tensors` is optional, and an entry
/// naming a tensor of the manifest overrides it (its rule), while a new name
/// adds a tensor.
///
/// Each tensor: `name`, `shape` (`[]` for a scalar), `scheme` (required
/// unless a rule gives it); `seed`, `layout`, `dtype` (also i64, i32, u8,
/// bool, for zeros, ones and constant) override the defaults; `stream`
/// (optional); the scheme's parameters named as the scheme table names them
/// (`"gain": 1`, `"mode": "fan-out"`, `"truncated": true`,
/// `"negative-slope": 0.2`), numbers also as expressions (`"std":
/// "initializer_range / sqrt(2 * n_layer)"`); `fan-of` (another tensor whose
/// fans this one takes: a bias takes its weight's); `parts` (blocks with
/// schemes of their own, see ``PlannedTensor/Part``); `"shard-dim"` (0, 1,
/// or `null` for whole in every shard: which dimension a tensor-parallel
/// shard splits — some weights by rows, others by columns, the rest
/// replicated).
///
/// A tensor's random stream comes from its name unless it gives `stream`
/// (stream format 3): the stream is FNV-1a (32-bit) of the name's UTF-8
/// bytes (``PlannedTensor/stream(forName:)``) and the Philox key is the
/// seed with its high half flipped by FNV-1a (64-bit) of the name
/// (``PlannedTensor/seed(forName:seed:)``); with `stream` given, the key is
/// the seed itself. Derived from the name, not the position, so reordering
/// the spec or adding a tensor changes no other tensor's values; two
/// named tensors draw the same values only if both hashes of their names
/// collide (about n²/2⁶⁵ for n names). Two tensors or parts whose key and
/// stream coincide (explicit streams, or a crafted collision) are refused,
/// naming both, rather than silently correlated.
@_spi(Plumbing) public enum ModelSpec {
    /// Largest spec file read (a spec is a few kilobytes).
    static let maximumSize = 16 << 20

    /// `--spec -` reads the spec from standard input — only when asked:
    /// any other path must be a regular file.
    @_spi(Plumbing) public static let standardInput = "-"

    /// The plan the spec at `path` describes — a regular file, or
    /// ``standardInput`` — or, with `path` nil, `overrides` alone; the
    /// overrides (a command line's `--seed`, `--like`, `--config`,
    /// `--rules`, `--dtype`) win over the spec's own keys.
    @_spi(Plumbing) public static func plan(spec path: String?, overrides: SpecOverrides = SpecOverrides()) throws -> ModelPlan {
        guard let path else { return try plan(json: nil, directory: "", overrides: overrides, source: nil) }
        let bytes = path == standardInput
            ? try readStandardInput()
            : try TensorFile.readWholeFile(path, maximumSize: maximumSize)
        let directory = path == standardInput || !path.contains("/") ? "" : String(path[...path.lastIndex(of: "/")!])
        return try plan(bytes: bytes, source: path, directory: directory, overrides: overrides)
    }

    /// The plan of the spec in `bytes`, its paths relative to `directory`;
    /// `source` names it in messages. The parser behind
    /// ``plan(spec:overrides:)``, which the fuzzer calls.
    @_spi(Plumbing) public static func plan(bytes: [UInt8], source: String, directory: String = "",
                                            overrides: SpecOverrides = SpecOverrides()) throws -> ModelPlan {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {  // typed throws: error is a JSONParser.Failure
            throw ModelError(source: .spec(source), "not valid JSON: \(error.reason)")
        }
        return try plan(json: json, directory: directory, overrides: overrides, source: .spec(source))
    }

    /// Standard input, refused past ``maximumSize``.
    private static func readStandardInput() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                throw ModelError(source: .spec(standardInput),
                                 "cannot read the spec from standard input: \(String(cString: strerror(errno)))", kind: .failure)
            }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
            guard bytes.count <= maximumSize else {
                throw ModelError(source: .spec(standardInput), "standard input holds more than the \(maximumSize) bytes allowed")
            }
        }
    }

    /// The top-level keys of a spec.
    static let topKeys = ["seed", "layout", "dtype", "tensors", "like", "config", "rules", "variables"]

    /// The plan of a parsed spec (nil: the overrides alone): the manifest
    /// (from `like` or `config`), the rules and variables, the spec's own
    /// entries over the manifest.
    static func plan(json: JSONValue?, directory: String, overrides: SpecOverrides, source: ModelError.Source?) throws -> ModelPlan {
        do {
            let top = try json.map { try SpecFields($0, what: "the spec") }
            try top?.allow(topKeys)
            let defaults = Defaults(
                seed: try overrides.seed ?? top?.seed() ?? 0, layout: try top?.layout() ?? .torch,
                dtype: try top?.dtype() ?? .f32, dtypeOverride: overrides.dtype)
            let like = try overrides.like ?? top?.path("like", relativeTo: directory)
            let config = try (overrides.config ?? top?.path("config", relativeTo: directory)).map { try ModelConfig(path: $0) }
            let manifest = try like.map { try ModelManifest(checkpoint: $0) } ?? config?.manifest() ?? ModelManifest([])

            let rules: RuleSet?
            switch (overrides.rules, top?["rules"]) {
            case let (name?, _): rules = try RuleSet.load(name)
            case let (nil, .string(name)?): rules = try RuleSet.load(name, relativeTo: directory)
            case let (nil, value?) where { if case .object = value { true } else { false } }():
                rules = try RuleSet(value, name: "the spec's rules")
            case (nil, _?): throw ModelError("\"rules\" must be a rule set's name, a rules file or a rules object")
            case (nil, nil): rules = try config.map { try RuleSet(named: $0.family.ruleSet) }
            }
            var variables = rules?.variables ?? [:]
            variables.merge(config?.variables ?? [:]) { $1 }
            if let value = top?["variables"] { variables.merge(try RuleValue.parse(value, what: "\"variables\"")) { $1 } }

            return try self.plan(manifest: manifest, config: config, rules: rules, variables: variables,
                                 tensors: top?["tensors"], defaults: defaults)
        } catch let error as ModelError {
            throw error.located(in: source)
        }
    }

    /// The plan of `manifest` and the spec entries `tensors` (a JSON array,
    /// or nil): each tensor's entry from itself or the first rule that
    /// applies (a tensor no rule applies to is refused, or left out with
    /// `skipUnmatched`), checked, its key and stream distinct from every
    /// other tensor's and part's.
    static func plan(manifest: ModelManifest, config: ModelConfig?, rules: RuleSet?, variables: [String: RuleValue],
                     tensors: JSONValue?, defaults: Defaults, skipUnmatched: Bool = false) throws -> ModelPlan {
        try config?.checkVariables(of: rules)
        if let dtype = defaults.dtypeOverride, !dtype.isFloatingPoint {
            throw ModelError(
                key: "dtype",
                "the dtype of every floating-point tensor cannot be \(dtype.rawValue): give f32, f64, f16 or bf16 (integer tensors keep theirs)")
        }
        let (entries, shapes) = try self.entries(tensors, manifest: manifest, rules: rules, variables: variables,
                                                 skipUnmatched: skipUnmatched)
        let context = EntryContext(variables: variables, shapes: shapes)
        var planned: [PlannedTensor] = []
        var owners: [RandomStream: String] = [:]
        for (index, entry) in entries.enumerated() {
            let tensor = try self.tensor(entry.json, index: index, defaults: defaults, context: context)
            for (stream, owner) in [(tensor.stream, tensor.name)]
                + tensor.parts.map({ ($0.stream, tensor.name + PlannedTensor.Part.slice($0.region)) }) {
                if let other = owners[stream] {
                    throw ModelError(key: owner, Self.sameStream(other, owner, stream))
                }
                owners[stream] = owner
            }
            planned.append(tensor)
        }
        return ModelPlan(tensors: planned, config: config, ruleSet: rules?.name)
    }

    /// Why two tensors (or parts) that would draw the same values are refused, and how to resolve it.
    private static func sameStream(_ first: String, _ second: String, _ stream: RandomStream) -> String {
        "tensors \(TerminalText.quoted(first)) and \(TerminalText.quoted(second)) would draw the same values (key \(stream.seed), "
            + "stream \(stream.stream)); give one of them an explicit \"stream\" (a number no other tensor of the seed uses) in the spec's \"tensors\""
    }

    /// One tensor's entry, complete: name, shape and dtype filled in.
    struct ResolvedEntry {
        let name: String
        let shape: [Int]
        let json: JSONValue
    }

    /// Every tensor's entry: the manifest's tensors in order, then the
    /// spec's new names; an explicit `scheme` wins over the rules, and an
    /// entry's other keys over a rule's.
    /// Returns them with the shapes of every tensor (a skipped one's too:
    /// another may take its fans, as a bias its weight's).
    private static func entries(_ tensors: JSONValue?, manifest: ModelManifest, rules: RuleSet?,
                                variables: [String: RuleValue], skipUnmatched: Bool) throws
        -> (entries: [ResolvedEntry], shapes: [String: [Int]]) {
        var explicit: [String: SpecFields] = [:]
        var order = manifest.tensors.map(\.name)
        let listed = Dictionary(manifest.tensors.map { ($0.name, $0) }) { first, _ in first }
        if listed.count < order.count {
            var seen = Set<String>()
            let twice = order.first { !seen.insert($0).inserted }!
            throw ModelError(key: twice, "tensor name \(TerminalText.quoted(twice)) is used twice")
        }
        var byName = listed
        if let tensors {
            guard case let .array(items) = tensors else { throw ModelError("\"tensors\" must be an array of tensor objects") }
            for (index, item) in items.enumerated() {
                let fields = try SpecFields(item, what: "tensor \(index + 1)")
                guard case let .string(name)? = fields["name"], !name.isEmpty else {
                    throw ModelError("tensor \(index + 1): \"name\" must be a non-empty string")
                }
                guard explicit[name] == nil else { throw ModelError(key: name, "tensor name \(TerminalText.quoted(name)) is used twice") }
                explicit[name] = fields
                if byName[name] == nil {
                    do {
                        byName[name] = ModelManifest.Tensor(name: name, shape: try fields.shape(), dtype: try fields.dtype())
                    } catch let error as ModelError {
                        throw error.located(in: nil, key: name, context: "tensor \(TerminalText.quoted(name))")
                    }
                    order.append(name)
                }
            }
        }
        guard !order.isEmpty else {
            throw ModelError(tensors == nil
                ? "no tensors: give \"tensors\", or a checkpoint or a Hugging Face config to take them from"
                : "\"tensors\" is empty")
        }
        try ModelManifest.checkCount(order.count, source: nil)
        if let long = order.first(where: { $0.utf8.count > ModelManifest.maximumNameLength }) {
            throw ModelError(
                key: long,
                "tensor \(TerminalText.quoted(long)): the name is \(long.utf8.count) bytes long; at most \(ModelManifest.maximumNameLength)")
        }
        let ranks = byName.mapValues(\.shape.count)
        try rules?.checkPairs(tensors: order.count(where: { explicit[$0]?["scheme"] == nil }))
        var matching = RuleSet.Matching()
        let resolved: [ResolvedEntry] = try order.compactMap { name in
            let tensor = byName[name]!
            let context = "tensor \(TerminalText.quoted(name))"
            var members: [(key: String, value: JSONValue)]
            var ruleDType: DType?
            let own = explicit[name]
            if let own, own["scheme"] != nil {
                members = own.members
            } else if let rules, let (rule, captures) = try located(name, context: context, {
                try rules.rule(for: tensor, ranks: ranks, variables: variables, matching: &matching)
            }) {
                members = try located(name, context: "\(context): rules \(rules.name), rule \(rule.number)") {
                    try rule.entry(captures: captures)
                }
                ruleDType = rule.dtype
                // The spec's own keys (a seed, a stream, a parameter) over the rule's.
                for (key, value) in own?.members ?? [] {
                    members.removeAll { $0.key == key }
                    members.append((key, value))
                }
            } else if skipUnmatched, rules != nil {
                return nil
            } else {
                let shape = tensor.shape.map(String.init).joined(separator: ",")
                throw ModelError(key: name, rules.map {
                    "\(context) (shape [\(shape)]): no rule of \($0.name) applies to it; add a rule, or give it a \"scheme\" in the spec's \"tensors\""
                } ?? "\(context): no \"scheme\", and no rules to choose one (give a rule set)")
            }
            if let own, own["shape"] != nil, let manifestTensor = listed[name] {
                let shape = try located(name, context: context) { try own.shape() }
                guard shape == manifestTensor.shape else {
                    throw ModelError(key: name, "\(context): \"shape\" \(shape) differs from the manifest's \(manifestTensor.shape)")
                }
            }
            // dtype: the entry's own, else the manifest's, else the rule's, else the spec's default.
            members.removeAll { ["name", "shape"].contains($0.key) }
            if !members.contains(where: { $0.key == "dtype" }), let dtype = tensor.dtype ?? ruleDType {
                members.append(("dtype", .string(dtype.rawValue)))
            }
            members = [("name", .string(name)), ("shape", .array(tensor.shape.map { .number(String($0)) }))] + members
            return ResolvedEntry(name: name, shape: tensor.shape, json: .object(members))
        }
        return (resolved, byName.mapValues(\.shape))
    }

    /// `body`'s errors as errors about tensor `name`, after `context`.
    private static func located<T>(_ name: String, context: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ModelError {
            throw error.located(in: nil, key: name, context: context)
        }
    }

    /// What every tensor of a spec takes unless it says otherwise.
    package struct Defaults {
        package let seed: UInt64
        package let layout: Layout
        package let dtype: DType
        /// `--dtype`: the dtype of every floating-point tensor.
        var dtypeOverride: DType? = nil

        package init(seed: UInt64, layout: Layout, dtype: DType, dtypeOverride: DType? = nil) {
            (self.seed, self.layout, self.dtype, self.dtypeOverride) = (seed, layout, dtype, dtypeOverride)
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

    /// The tensor a complete entry describes (`index` numbers it in messages).
    package static func tensor(_ item: JSONValue, index: Int, defaults: Defaults, context: EntryContext = .empty) throws -> PlannedTensor {
        let fields = try SpecFields(item, what: "tensor \(index + 1)")
        guard case let .string(name)? = fields["name"], !name.isEmpty else {
            throw ModelError("tensor \(index + 1): \"name\" must be a non-empty string")
        }
        let quoted = "tensor \(TerminalText.quoted(name))"
        do {
            guard case let .string(scheme)? = fields["scheme"] else { throw ModelError("\"scheme\" must be a string") }
            let shape = try fields.shape()
            let layout = try fields.layout() ?? defaults.layout
            var dtype = try fields.dtype() ?? defaults.dtype
            if let override = defaults.dtypeOverride, dtype.isFloatingPoint { dtype = override }
            var given = try parameters(fields, variables: context.variables)
            try fields.addFans(to: &given, layout: layout, shapes: context.shapes)
            let seed = try fields.seed() ?? defaults.seed
            let stream = PlannedTensor.randomStream(
                name: name, seed: seed, stream: try fields.unsigned("stream", maximum: UInt64(UInt32.max)).map { UInt32($0) })
            var parts: [PlannedTensor.Part] = []
            if let value = fields["parts"] {
                guard dtype.isFloatingPoint else {
                    throw ModelError("parts need a floating-point dtype, not \(dtype.rawValue)")
                }
                parts = try self.parts(value, tensor: name, shape: shape, dtype: dtype, layout: layout, seed: seed, context: context)
            }
            return try PlannedTensor(
                name: name, scheme: scheme, given: given, shape: shape, dtype: dtype, layout: layout,
                stream: stream, shardDimension: try fields.shardDimension(), parts: parts)
        } catch let error as ModelError {
            throw error.located(in: nil, key: name, context: quoted)
        } catch let error as WeightInitError where error.kind == .invalidInput {
            throw ModelError(key: name, "\(quoted): \(error.description)")
        }
    }

    /// The keys of a part that are not scheme parameters.
    static let partKeys = ["rows", "columns", "block", "dim", "ranges", "scheme", "seed", "stream", "when", "fan-of"]

    /// `"parts"`: blocks by `rows` and/or `columns` ([begin, end], numbers
    /// or expressions), `block` ([i, n]: the i-th of n equal blocks along
    /// `dim`, 0 by default — gate i of an LSTM's 4), or `ranges` (one
    /// [begin, end] per dimension, as the metadata records them); a part
    /// with `when` applies only if that variable is set.
    static func parts(_ value: JSONValue, tensor name: String, shape: [Int], dtype: DType, layout: Layout,
                      seed: UInt64, context: EntryContext) throws -> [PlannedTensor.Part] {
        guard case let .array(items) = value else { throw ModelError("\"parts\" must be an array of part objects") }
        guard items.count <= PlannedTensor.Part.maximumCount else {
            throw ModelError("\(items.count) parts; a tensor has at most \(PlannedTensor.Part.maximumCount)")
        }
        return try items.enumerated().compactMap { index, item in
            let fields = try SpecFields(item, what: "part \(index + 1)")
            do {
                let when = try Rule.strings(fields["when"], what: "\"when\"")
                guard when.allSatisfy({ context.variables[$0]?.isSet ?? false }) else { return nil }
                guard case let .string(scheme)? = fields["scheme"] else { throw ModelError("\"scheme\" must be a string") }
                let region = try partRegion(fields, shape: shape, variables: context.variables)
                var given = try parameters(fields, variables: context.variables, reserved: partKeys)
                try fields.addFans(to: &given, layout: layout, shapes: context.shapes)
                let stream = PlannedTensor.randomStream(
                    name: PlannedTensor.Part.streamName(tensor: name, region: region), seed: try fields.seed() ?? seed,
                    stream: try fields.unsigned("stream", maximum: UInt64(UInt32.max)).map { UInt32($0) })
                return try PlannedTensor.Part(region: region, in: shape, scheme: scheme, given: given, dtype: dtype, layout: layout,
                                   stream: stream)
            } catch let error as ModelError {
                throw error.located(in: nil, context: "part \(index + 1)")
            } catch let error as WeightInitError where error.kind == .invalidInput {
                throw ModelError("part \(index + 1): \(error.description)")
            }
        }
    }

    /// Where a part lies: every dimension whole unless `rows`, `columns`,
    /// `block` or `ranges` say otherwise (checked against the tensor by ``PlannedTensor/Part``).
    private static func partRegion(_ fields: SpecFields, shape: [Int], variables: [String: RuleValue]) throws -> TensorRegion {
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
    static func parameters(_ fields: SpecFields, variables: [String: RuleValue] = [:], reserved: [String] = tensorKeys) throws -> [SchemeParameter: ParameterValue] {
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
}
