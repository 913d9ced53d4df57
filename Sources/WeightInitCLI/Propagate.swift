import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitModels
import WeightInitAnalysis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `weightinit propagate`: the vanishing / exploding experiment of
/// <doc:ChoosingAnInitializer>, measured (see `Propagation`).
struct Propagate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure how activations and gradients scale through a deep dense network.",
        usage: "weightinit propagate [--activation <name>] [--scheme \"<scheme> [--<parameter> <value>…]\"…] [<options>]",
        discussion: """
            Pushes --batch N(0, 1) inputs through --depth dense layers of --width units \
            (weights from each --scheme, shape width × width, no biases) and prints the \
            standard deviation of the activations at every layer (layer 0 = input); then \
            pushes an N(0, 1) gradient from the output back to the input and prints its \
            standard deviation per layer. Too-small weights make both vanish, too-large \
            ones make them explode, the scheme made for the activation keeps them stable.

            Give a scheme with its parameters as one quoted argument; repeat --scheme to \
            compare schemes side by side. Without --scheme: "normal --std 0.01", \
            "normal --std 1" and the recommended scheme for the activation.

            "overflow" (JSON null) means some values were ±inf or NaN in that layer; 0 \
            means every value underflowed to the same number.

            --json prints, for one scheme, an object {"scheme", "activation", "depth", \
            "width", "batch", "seed", "dtype", "forward_std": [depth+1 numbers], \
            "backward_std": [depth+1 numbers]}; for several schemes, an array of such \
            objects in --scheme order.

            --plot writes an SVG of log10(std) against layer, one colour per scheme, \
            forward solid and backward dashed.

            Examples:
              weightinit propagate --activation relu
              weightinit propagate --activation tanh \\
                  --scheme "normal --std 0.01" --scheme xavier-normal --plot tanh.svg
              weightinit propagate --scheme "normal --std 1" --scheme kaiming-normal
              weightinit propagate --activation selu --scheme lecun-normal --json
            """
    )

    @OptionGroup var common: ExperimentOptions

    @Option(parsing: .unconditional, help: "Number of dense layers, ≥ 1.")
    var depth: Int = 50

    @Option(parsing: .unconditional, help: "Units per layer, ≥ 1.")
    var width: Int = 256

    @Option(parsing: .unconditional, help: "Input vectors pushed through together, ≥ 1.")
    var batch: Int = 256

    @Option(parsing: .unconditional, help: "Seed of the inputs, gradients and weights.")
    var seed: UInt64 = 0

    @Option(help: "Precision of the network: f32 (cblas_sgemm) or f64 (cblas_dgemm).")
    var dtype: DType = .f32

    @Option(parsing: .unconditional, help: "OpenBLAS and sampling threads, ≥ 1 (default: every core).")
    var threads: Int?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Also write an SVG plot of log10(std) against layer to this .svg path (replaced atomically).")
    var plot: String?

    func run() throws {
        let experiment = try makeExperiment()
        let results = try experiment.schemes.map { try experiment.run($0.initializer) }
        let labels = experiment.schemes.map(\.label)
        if let plot {
            let svg = PropagationPlot(experiment: experiment, labels: labels, results: results).svg()
            try AtomicFile.write(to: plot) { try $0.write(Array(svg.utf8)) }
        }
        print(json ? experiment.json(labels: labels, results: results) : experiment.table(labels: labels, results: results))
    }

    /// Every argument checked before any work, so bad input never leaves a file.
    func makeExperiment() throws -> PropagationExperiment {
        let activation = try common.nonlinearity()
        for (name, value) in [("depth", depth), ("width", width), ("batch", batch)] where value < 1 {
            throw CommandLineError.usage("invalid --\(name) \(value): must be ≥ 1")
        }
        if let threads, threads < 1 { throw CommandLineError.usage("invalid --threads \(threads): must be ≥ 1") }
        // Activations of every layer are kept for the backward pass, with every layer's weights.
        let sizes = "--depth \(depth), --batch \(batch) and --width \(width)"
        let (d, b, w, e) = (UInt64(depth), UInt64(batch), UInt64(width), UInt64(dtype.byteCount))
        try ExperimentLimits.checkWork(ExperimentLimits.propagationWork(depth: depth, width: width, batch: batch), what: sizes)
        try ExperimentLimits.checkMemory([[d + 1, b, w, e], [d, w, w, e]], what: sizes)
        if let plot { try PlotArgument.check(plot) }
        let shape = [width, width]
        let schemes = try common.schemeTexts(baseline: ["normal --std 0.01", "normal --std 1"], activation: activation)
            .map { try PropagationExperiment.Scheme(parsing: $0, shape: shape) }
        // Parameter errors of the schemes surface here, not after minutes of work.
        for scheme in schemes { _ = try scheme.initializer.distribution(shape: shape) }
        return PropagationExperiment(
            activation: activation, depth: depth, width: width, batch: batch, seed: seed,
            dtype: dtype, threads: threads, schemes: schemes)
    }
}
