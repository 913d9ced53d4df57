import WeightInit
import WeightInitAnalysis

/// A checked `train` invocation: one setup, the schemes to compare.
struct TrainingExperiment {
    let setup: TrainingSetup
    let schemes: [(label: String, initializer: Initializer)]

    /// Trains every scheme, then the linear baseline.
    func run() throws -> TrainingReport {
        let results = try schemes.map { try Training.run($0.initializer, setup: setup) }
        return TrainingReport(
            setup: setup, labels: schemes.map(\.label), results: results,
            baseline: try Training.linearBaseline(setup: setup))
    }
}
