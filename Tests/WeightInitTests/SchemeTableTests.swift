import Testing
@_spi(Plumbing) @testable import WeightInit

/// The scheme table read both ways: every initializer rendered as a command
/// line parses back, through the scheme parser `generate`, C and Python use, to itself.
@Suite struct SchemeTableTests {
    /// At least one initializer per row, with non-default parameters wherever
    /// the row has them, so every parameter's rendering is exercised.
    static let initializers: [Initializer] = [
        .zeros, .ones, .constant(-2.5), .uniform(low: -0.5, high: 0.25), .uniformFanIn, .normal(mean: 0.1, std: 0.02),
        .truncatedNormal(mean: 0, std: 0.02), .truncatedNormal(mean: 1, std: 2, low: -1, high: 4),
        .xavierUniform(gain: 1.5), .xavierNormal(gain: 2, truncated: true), .xavierNormal(),
        .kaimingUniform(mode: .fanOut, nonlinearity: .tanh, gain: nil),
        .kaimingUniform(mode: .fanAvg, nonlinearity: .leakyRelu(negativeSlope: 0.2), gain: 0.5),
        .kaimingNormal(mode: .fanIn, nonlinearity: .relu, gain: nil, truncated: true),
        .kaimingNormal(mode: .fanIn, nonlinearity: .convTranspose2d), .lecunUniform, .lecunNormal(truncated: true),
        .lecunNormal(), .varianceScaling(scale: 2, mode: .fanAvg, distribution: .uniform),
        .orthogonal(gain: 0.5, method: .qr, blocks: 4), .orthogonal(), .deltaOrthogonal(gain: 2), .eye(gain: 3),
        .dirac(groups: 2), .sparse(sparsity: 0.25, std: 0.5), .normal(mean: -1e-05, std: 1.6666666666666667),
    ]

    @Test(arguments: initializers)
    func commandLineParsesBack(_ initializer: Initializer) throws {
        let text = SchemeEntry.commandLine(for: initializer)
        let spec = try SchemeText(parsing: text)
        let shape = Self.shape(for: spec.entry.name)
        #expect(try spec.initializer(shape: shape) == initializer, "\(text)")
    }

    /// Every row of the table is reached by some initializer above — but
    /// trunc-normal, PyTorch's spelling of truncated-normal with absolute
    /// default bounds, which renders as truncated-normal (tested below).
    @Test func everyRowIsCovered() {
        let rendered = Set(Self.initializers.map { SchemeEntry.arguments(of: $0).name })
        #expect(rendered == Set(SchemeEntry.all.map(\.name)).subtracting(["trunc-normal"]))
    }

    /// trunc-normal is trunc_normal_(mean, std, a, b): absolute bounds,
    /// [-2, 2] by default whatever the std (timm's std 0.02 is untruncated).
    @Test func truncNormalHasPyTorchsAbsoluteBounds() throws {
        #expect(try SchemeText(parsing: "trunc-normal --std 0.02").initializer(shape: [4])
            == .truncatedNormal(mean: 0, std: 0.02, low: -2, high: 2))
        #expect(try SchemeText(parsing: "trunc_normal --mean 1 --std 3 --a 0 --b 5").initializer(shape: [4])
            == .truncatedNormal(mean: 1, std: 3, low: 0, high: 5))
        // Ours keeps mean ± 2·std.
        #expect(try SchemeText(parsing: "truncated-normal --std 0.02").initializer(shape: [4])
            == .truncatedNormal(mean: 0, std: 0.02))
    }

    /// --fan-in/--fan-out replace the shape's fans with the one distribution
    /// they give; a fan the scheme reads must be given; the rank rule then
    /// follows the resolved distribution (a 1-D bias is fine).
    @Test func explicitFans() throws {
        #expect(try SchemeText(parsing: "uniform-fan-in --fan-in 400").initializer(shape: [7])
            == .uniform(low: -0.05, high: 0.05))
        #expect(try SchemeText(parsing: "kaiming-normal --fan-in 8 --nonlinearity linear").initializer(shape: [3])
            == .normal(mean: 0, std: 1 / 8.0.squareRoot()))
        #expect(try SchemeText(parsing: "uniform-fan-in --fan-in 400").rankEntry().name == "uniform")
        #expect(try SchemeText(parsing: "uniform-fan-in").rankEntry().name == "uniform-fan-in")
        #expect(throws: WeightInitError.self) { try SchemeText(parsing: "xavier-uniform --fan-in 4").initializer(shape: [3]) }
        #expect(throws: WeightInitError.self) {
            try SchemeText(parsing: "kaiming-uniform --mode fan-out --fan-in 4").initializer(shape: [3])
        }
        #expect(throws: WeightInitError.self) { try SchemeText(parsing: "uniform-fan-in --fan-in 0").initializer(shape: [3]) }
        // Without fans, a 1-D tensor is still refused.
        #expect(throws: WeightInitError.self) { try SchemeText(parsing: "uniform-fan-in").initializer(shape: [3]) }
    }

    /// A shape each scheme accepts.
    static func shape(for name: String) -> [Int] {
        switch name {
        case "dirac", "delta-orthogonal": [8, 4, 3, 3]
        case "orthogonal": [16, 4]
        default: [8, 4]
        }
    }
}
