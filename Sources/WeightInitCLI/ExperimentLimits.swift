@_spi(Plumbing) import WeightInit
import WeightInitAnalysis

/// The bounds `propagate` and `train` put on their sizes before any work, so
/// that every size, however large, ends in one line: more work than an
/// experiment may take (checked first: the same on every machine), memory
/// that cannot exist or exceeds this machine's (status 64 for both), or
/// memory short now (status 1).
enum ExperimentLimits {
    /// The most multiply-adds one scheme's run may cost, counting every
    /// matrix product as at least ``callCost`` (the element-wise loops and
    /// the call itself). `train`'s default run costs 6.3·10⁹ per scheme and
    /// `propagate`'s 1.7·10⁹; 10¹³ is 1600 times the first — minutes to
    /// hours on a CPU. These commands demonstrate what initialisation
    /// does to small networks; without a bound, a mistyped size (`--epochs
    /// 1000000000`) would run for years instead of saying so.
    static let work = 1e13

    /// What one `cblas_?gemm` call with its element-wise loops costs beyond
    /// its multiply-adds, in multiply-adds (about a microsecond).
    static let callCost = 1e4

    /// `train --epochs` at most: the report holds, prints and plots one row
    /// per epoch (the documented runs use 40).
    static let epochs = 10_000

    /// Refuses, before any work, memory of `terms` bytes (each term a
    /// product of sizes, computed in 64 bits): a count that overflows them
    /// or exceeds this machine's physical memory is a wrong input (status
    /// 64), one larger than the memory available now a failure of the
    /// moment (status 1), as for `generate`'s structured tensors. `what`
    /// names the options that set the sizes.
    static func checkMemory(_ terms: [[UInt64]], what: String) throws {
        var total: UInt64 = 0
        for term in terms {
            var product: UInt64 = 1
            for factor in term {
                let (next, overflow) = product.multipliedReportingOverflow(by: factor)
                guard !overflow else { throw CommandLineError.usage("\(what) need more than 2⁶⁴ bytes of memory") }
                product = next
            }
            let (sum, overflow) = total.addingReportingOverflow(product)
            guard !overflow else { throw CommandLineError.usage("\(what) need more than 2⁶⁴ bytes of memory") }
            total = sum
        }
        let memory = Shape.physicalMemory
        guard total <= memory else {
            throw CommandLineError.usage("\(what) need \(total) bytes of memory; this machine has \(memory)")
        }
        if let available = AvailableMemory.bytes(), total > available {
            throw CommandFailure("\(what) need \(total) bytes of memory; \(available) are available now")
        }
    }

    /// Refuses a run of more than ``work`` multiply-adds per scheme.
    static func checkWork(_ multiplyAdds: Double, what: String) throws {
        guard multiplyAdds <= work else {
            throw CommandLineError.usage(
                "\(what) need about \(formatC("%.1e", multiplyAdds)) multiply-adds per scheme; an experiment may take at most \(formatC("%.0e", work)) (\(formatC("%.0f", work / defaultTrainingWork)) times the default train run)")
        }
    }

    /// ``trainingWork(depth:width:samples:batch:epochs:)`` of `train`'s defaults.
    static var defaultTrainingWork: Double {
        let setup = TrainingSetup()
        return trainingWork(depth: setup.depth, width: setup.width, samples: setup.samples, batch: setup.batch, epochs: setup.epochs)
    }

    /// `propagate`'s multiply-adds per scheme: per layer, the forward and
    /// the backward product of width × width by width × batch.
    static func propagationWork(depth: Int, width: Int, batch: Int) -> Double {
        2 * Double(depth) * (Double(width) * Double(width) * Double(batch) + callCost)
    }

    /// `train`'s multiply-adds per scheme: each epoch's steps (a forward
    /// and two backward products per layer and batch) and the measurements
    /// after each epoch and before the first (a forward pass over both point
    /// sets in chunks of 1024).
    static func trainingWork(depth: Int, width: Int, samples: Int, batch: Int, epochs: Int) -> Double {
        let (d, w, n) = (Double(depth), Double(width), Double(samples))
        let weights = 4 * w + (d - 1) * w * w  // Σ inputs · outputs: 2 → w, w → w (depth − 1 times), w → 2
        let layers = d + 1
        let steps = (n / Double(batch)).rounded(.up), chunks = 2 * (n / 1024).rounded(.up)
        let epoch = 3 * (n * weights + steps * layers * callCost)
        let measurement = 2 * n * weights + chunks * layers * callCost
        return Double(epochs) * epoch + Double(epochs + 1) * measurement
    }
}
