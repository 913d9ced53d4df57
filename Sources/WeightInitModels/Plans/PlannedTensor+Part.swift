@_spi(Plumbing) import WeightInit

extension PlannedTensor {
    /// A block of a tensor with a scheme of its own — the LSTM forget-gate
    /// bias of 1 on rows h ..< 2h of `bias_ih_l0` (Jozefowicz et al. 2015),
    /// one scheme per gate block, an embedding's padding row of zeros.
    ///
    /// A part is generated as a tensor of its own: of the part's shape (so its
    /// fans are the block's, unless `fan-in`/`fan-out` are given), from its own
    /// stream and key — derived, as a tensor's from its name, from the tensor's
    /// name followed by the part's slice, e.g. `lstm.bias_ih_l0[256:512]`
    /// (``PlannedTensor/stream(forName:)``, ``PlannedTensor/seed(forName:seed:)``)
    /// — and written over the tensor's own values,
    /// which elsewhere stay exactly what they are without the part. Parts of one
    /// tensor must not overlap, so their order never matters.
    public struct Part: Sendable {
        /// Where the part lies in the tensor (as the engine fills it: a
        /// scalar has none).
        public let region: TensorRegion
        /// The part's scheme, by its table name.
        package let schemeName: String
        /// Its parameters after defaults.
        package let parameters: [SchemeParameter: ParameterValue]
        /// The part's scheme as the engine fills it, over a tensor of the part's shape.
        public let initializer: Initializer
        /// The Philox key and stream the part draws from (as ``PlannedTensor/stream``).
        public let stream: RandomStream

        /// The part's scheme as scheme text, every parameter explicit (as ``PlannedTensor/scheme``).
        public var scheme: String { PlannedTensor.schemeText(schemeName, parameters) }

        /// Most parts a tensor may have: gates, heads and padding rows come in
        /// tens; the pairwise overlap check and the writer's pass over the parts
        /// of each chunk stay cheap.
        package static let maximumCount = 1024

        /// The part as a tensor of its own.
        package var shape: [Int] { region.shape }

        /// Resolves the part's scheme for the block `region` of a tensor of
        /// `tensorShape`, checked to lie inside it and to be non-empty.
        init(region: TensorRegion, in tensorShape: [Int], scheme: String, given: [SchemeParameter: ParameterValue],
             dtype: DType, layout: Layout, stream: RandomStream) throws {
            guard !tensorShape.isEmpty else { throw ModelError("a scalar has no parts") }
            for (dimension, range) in region.ranges.enumerated() {
                guard !range.isEmpty, range.lowerBound >= 0, range.upperBound <= tensorShape[dimension] else {
                    throw ModelError(
                        "part \(Self.slice(region)) is outside the tensor of shape \(tensorShape.map(String.init).joined(separator: ","))"
                            + " (dimension \(dimension) has 0..<\(tensorShape[dimension]); parts are non-empty)")
                }
            }
            let entry = try SchemeEntry.named(scheme)
            initializer = try entry.initializer(given: given, shape: region.shape)
            try initializer.validate(shape: region.shape, layout: layout, dtype: dtype)
            self.region = region
            schemeName = entry.name
            parameters = try entry.arguments(given: given).values
            self.stream = stream
        }

        /// The part's slice in Python's notation with every dimension given,
        /// `[256:512]` or `[0:1024, 0:64]`: how messages name it, and what its
        /// stream is derived from.
        package static func slice(_ region: TensorRegion) -> String {
            "[" + region.ranges.map { "\($0.lowerBound):\($0.upperBound)" }.joined(separator: ", ") + "]"
        }

        /// The stream name of a part of tensor `name`.
        static func streamName(tensor name: String, region: TensorRegion) -> String { name + slice(region) }

        /// Refuses parts that overlap: the order of parts then never matters.
        static func checkDisjoint(_ parts: [Part]) throws {
            for (i, first) in parts.enumerated() {
                for (j, second) in parts.enumerated() where j > i && first.region.intersection(second.region) != nil {
                    throw ModelError(
                        "parts \(i + 1) \(slice(first.region)) and \(j + 1) \(slice(second.region)) overlap; parts must be disjoint")
                }
            }
        }

        /// What the metadata records: the ranges, then the scheme as a spec part.
        var record: JSONValue {
            var members: [(key: String, value: JSONValue)] = [
                ("ranges", .array(region.ranges.map { .array([.number(String($0.lowerBound)), .number(String($0.upperBound))]) })),
            ]
            members += PlannedTensor.schemeRecord(schemeName, parameters)
            // The key and stream the part draws from: as a spec part with "seed" and
            // "stream" given, it draws from exactly these (stream format 3).
            members += [("seed", .number(String(stream.seed))), ("stream", .number(String(stream.stream)))]
            return .object(members)
        }
    }
}

extension TensorRegion {
    /// The elements both regions hold, or nil; both of the same rank.
    func intersection(_ other: TensorRegion) -> TensorRegion? {
        var ranges: [Range<Int>] = []
        for (a, b) in zip(self.ranges, other.ranges) {
            let lower = Swift.max(a.lowerBound, b.lowerBound), upper = Swift.min(a.upperBound, b.upperBound)
            guard lower < upper else { return nil }
            ranges.append(lower ..< upper)
        }
        return TensorRegion(ranges)
    }

    /// The region moved by `-origin` along every dimension: its place inside
    /// a block that starts at `origin`.
    func relative(to origin: [Int]) -> TensorRegion {
        TensorRegion(zip(ranges, origin).map { range, start in range.lowerBound - start ..< range.upperBound - start })
    }

    /// The lower bound of every range.
    var origin: [Int] { ranges.map(\.lowerBound) }
}
