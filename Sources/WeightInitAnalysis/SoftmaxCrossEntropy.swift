@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The classification loss ``Training`` minimises: softmax over a network's
/// outputs (logits), then the negative log-probability of the true class,
/// averaged over the batch — PyTorch's `CrossEntropyLoss`.
///
/// Each row is computed in Double as log Σⱼ exp(zⱼ − m) + m − z_label with
/// m = maxⱼ zⱼ, which cannot overflow; rows are summed in order. A row with a
/// non-finite logit makes the loss +∞ and its gradient NaN (the run has
/// diverged) and counts as wrong.
enum SoftmaxCrossEntropy {
    struct Evaluation<T> {
        /// The loss summed over the rows in order, or +∞.
        var totalLoss: Double
        let rows: Int
        /// Rows whose largest logit (the first, on ties) is the label's.
        var correct: Int
        /// ∂(mean loss)/∂logits, `[rows, classes]`, if asked for.
        var gradient: [T]?

        /// The mean loss over the rows, or +∞.
        var meanLoss: Double { totalLoss / Double(max(rows, 1)) }
    }

    /// The loss of `logits` (`[rows, classes]`, row-major) for `labels`
    /// (`rows` entries, each in `0 ..< classes`).
    static func evaluate<T: BLASScalar>(
        _ logits: [T], labels: [Int], classes: Int, gradient wanted: Bool
    ) -> Evaluation<T> {
        let rows = labels.count
        var total = 0.0, correct = 0
        var gradient = wanted ? [T](repeating: 0, count: rows * classes) : nil
        var z = [Double](repeating: 0, count: classes)
        for row in 0 ..< rows {
            for j in 0 ..< classes { z[j] = Double(logits[row * classes + j]) }
            guard z.allSatisfy(\.isFinite) else {
                total = .infinity
                // As in PyTorch, the overflow reaches the parameters: the step
                // that follows makes them NaN, and the run has diverged.
                for j in 0 ..< classes where wanted { gradient![row * classes + j] = .nan }
                continue
            }
            var largest = 0
            for j in 1 ..< classes where z[j] > z[largest] { largest = j }
            if largest == labels[row] { correct += 1 }
            let m = z[largest]
            var sum = 0.0
            for j in 0 ..< classes { sum += exp(z[j] - m) }
            total += log(sum) + m - z[labels[row]]
            if wanted {
                // ∂/∂zⱼ of the mean: (softmaxⱼ − [j = label]) / rows.
                for j in 0 ..< classes {
                    let p = exp(z[j] - m) / sum
                    gradient![row * classes + j] = T((p - (j == labels[row] ? 1 : 0)) / Double(rows))
                }
            }
        }
        return Evaluation(totalLoss: total, rows: rows, correct: correct, gradient: gradient)
    }
}
