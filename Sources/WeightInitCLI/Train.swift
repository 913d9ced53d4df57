import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitModels
import WeightInitAnalysis

/// `weightinit train`: what initialisation does to training, measured (see
/// `Training` and <doc:WhyInitialisationMatters>).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train small dense networks from each scheme and show what the initialisation did.",
        usage: "weightinit train [--activation <name>] [--scheme \"<scheme> [--<parameter> <value>…]\"…] [<options>]",
        discussion: """
            Trains a network of --depth hidden layers of --width units (each followed by \
            --activation, then a linear output layer; biases start at 0; every weight \
            matrix from the --scheme) to tell two interleaved spirals apart: --samples \
            points to train on and as many held out, all generated from --seed. Plain \
            mini-batch SGD (--lr, --batch, --momentum) on the softmax cross-entropy, \
            --epochs passes over the training set, each in a fresh random order.

            Prints, per scheme: loss and accuracy on the held-out and training sets after \
            every epoch (epoch 0 = as initialised), the norm of each layer's weight \
            gradient at the first step, the number of distinct units in each hidden layer \
            (units whose incoming weights and bias differ by more than 1e-4 of the layer's \
            largest) at the start and the end, the epoch at which held-out accuracy first \
            reached --target, and the epoch at which the loss stopped being finite \
            (diverged; training stops there). The linear baseline — the same training \
            without hidden layers — shows what needs no depth at all.

            Give a scheme with its parameters as one quoted argument; repeat --scheme to \
            compare. Without --scheme: zeros, "normal --std 0.01", "normal --std 1" and \
            the recommended scheme for the activation.

            --json prints one object {"task", "activation", "depth", "width", "epochs", \
            "lr", "momentum", "batch", "samples", "target_accuracy", "seed", "threads", \
            "linear_baseline": {"loss", "accuracy", "train_loss", "train_accuracy"}, \
            "runs": [{"scheme", "loss", "accuracy", "train_loss", "train_accuracy", \
            "epochs_to_target", "diverged_epoch", "distinct_units_start", \
            "distinct_units_end", "first_step_grad_norm"}]}: "loss" and "accuracy" are \
            per-epoch arrays on the held-out set (null for a loss that was not finite), \
            "epochs_to_target" and "diverged_epoch" an epoch or null.

            --plot writes an SVG of the learning curves side by side, one column per scheme: \
            held-out (solid) and training (dashed) loss on a log scale shared by all panels, \
            above held-out accuracy, against epoch, with the linear baseline in grey; a \
            circle marks where a run diverged.

            Results are bit-reproducible for a --seed and --threads.

            Examples:
              weightinit train
              weightinit train --activation tanh --scheme "normal --std 0.01" \\
                  --scheme xavier-uniform --plot tanh.svg
              weightinit train --scheme zeros --scheme "constant --value 0.1" --json
              weightinit train --activation selu --scheme lecun-normal --lr 0.01 --momentum 0.9
            """
    )

    @OptionGroup var common: ExperimentOptions

    @Option(parsing: .unconditional, help: "Hidden layers, ≥ 1.")
    var depth: Int = TrainingSetup().depth

    @Option(parsing: .unconditional, help: "Units per hidden layer, ≥ 1.")
    var width: Int = TrainingSetup().width

    @Option(parsing: .unconditional, help: "Passes over the training set, in 1 ... 10000.")
    var epochs: Int = TrainingSetup().epochs

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate, > 0.")
    var learningRate: Double = TrainingSetup().learningRate

    @Option(parsing: .unconditional, help: "Momentum, in [0, 1); 0 is plain SGD.")
    var momentum: Double = TrainingSetup().momentum

    @Option(parsing: .unconditional, help: "Training points per step, ≥ 1.")
    var batch: Int = TrainingSetup().batch

    @Option(parsing: .unconditional, help: "Training points, and again held-out points, ≥ 2.")
    var samples: Int = TrainingSetup().samples

    @Option(name: .customLong("target"), parsing: .unconditional, help: "Held-out accuracy to reach, in (0, 1].")
    var targetAccuracy: Double = TrainingSetup().targetAccuracy

    @Option(parsing: .unconditional, help: "Seed of the data, the batch order and the weights.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "OpenBLAS and sampling threads, ≥ 1 (default: every core).")
    var threads: Int?

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    @Option(help: "Also write an SVG of the learning curves to this .svg path (replaced atomically).")
    var plot: String?

    func run() throws {
        let experiment = try makeExperiment()
        let report = try experiment.run()
        if let plot {
            let svg = TrainingPlot(report: report).svg()
            try AtomicFile.write(to: plot) { try $0.write(Array(svg.utf8)) }
        }
        print(json ? report.json : report.table)
    }

    /// Every argument checked before any work, so bad input never leaves a file.
    func makeExperiment() throws -> TrainingExperiment {
        let activation = try common.nonlinearity()
        for (name, value) in [("depth", depth), ("width", width), ("epochs", epochs), ("batch", batch)] where value < 1 {
            throw CommandLineError.usage("invalid --\(name) \(value): must be ≥ 1")
        }
        guard samples >= 2 else { throw CommandLineError.usage("invalid --samples \(samples): must be ≥ 2") }
        guard learningRate.isFinite, learningRate > 0 else {
            throw CommandLineError.usage("invalid --lr \(learningRate): must be finite and > 0")
        }
        guard momentum >= 0, momentum < 1 else {
            throw CommandLineError.usage("invalid --momentum \(momentum): must be in [0, 1)")
        }
        guard targetAccuracy > 0, targetAccuracy <= 1 else {
            throw CommandLineError.usage("invalid --target \(targetAccuracy): must be in (0, 1]")
        }
        if let threads, threads < 1 { throw CommandLineError.usage("invalid --threads \(threads): must be ≥ 1") }
        guard epochs <= ExperimentLimits.epochs else {
            throw CommandLineError.usage(
                "invalid --epochs \(epochs): must be at most \(ExperimentLimits.epochs) (a row per epoch is kept, printed and plotted)")
        }
        // Held at once: both point sets, the weights with gradients and
        // velocities, and the activations of a batch or an evaluation chunk.
        let sizes = "--samples \(samples), --depth \(depth), --width \(width) and --batch \(batch)"
        let rows = UInt64(max(min(batch, samples), 1024)), units = UInt64(max(width, 2)), d = UInt64(depth)
        try ExperimentLimits.checkWork(
            ExperimentLimits.trainingWork(depth: depth, width: width, samples: samples, batch: batch, epochs: epochs),
            what: sizes + " with --epochs \(epochs)")
        try ExperimentLimits.checkMemory([[UInt64(samples), 64], [12, d + 1, units, units], [8, d + 2, rows, units]], what: sizes)
        if let plot { try PlotArgument.check(plot) }

        let setup = TrainingSetup(
            activation: activation, depth: depth, width: width, epochs: epochs, learningRate: learningRate,
            momentum: momentum, batch: batch, samples: samples, targetAccuracy: targetAccuracy, seed: seed,
            threads: threads)
        let texts = common.schemeTexts(baseline: ["zeros", "normal --std 0.01", "normal --std 1"], activation: activation)
        let schemes = try texts.map { text in
            let spec = try SchemeText(parsing: text)
            // Every layer's shape, so a scheme's errors surface here, not after minutes of work.
            let shapes = [[width, 2], [width, width], [2, width]]
            let initializer = try spec.initializer(shape: shapes[1])
            for shape in shapes {
                _ = try spec.initializer(shape: shape)
                _ = try initializer.distribution(shape: shape)
            }
            return (label: spec.label, initializer: initializer)
        }
        return TrainingExperiment(setup: setup, schemes: schemes)
    }
}
