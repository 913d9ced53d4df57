import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitAnalysis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A checked `propagate` invocation.
struct PropagationExperiment {
    struct Scheme {
        let label: String
        let initializer: Initializer

        /// A scheme as `--scheme` takes it, labelled by its text.
        init(parsing text: String, shape: [Int]) throws {
            let spec = try SchemeText(parsing: text)
            (label, initializer) = (spec.label, try spec.initializer(shape: shape))
        }
    }

    let activation: Nonlinearity
    let depth: Int
    let width: Int
    let batch: Int
    let seed: UInt64
    let dtype: DType
    let threads: Int?
    let schemes: [Scheme]

    func run(_ initializer: Initializer) throws -> PropagationResult {
        try Propagation.run(initializer, activation: activation, depth: depth, width: width, batch: batch,
                            seed: seed, threads: threads, precision: dtype)
    }

    var summary: String {
        "activation \(activation.name), depth \(depth), width \(width), batch \(batch), seed \(seed), \(dtype.rawValue)"
    }

    /// One row per layer; per scheme a forward and a backward column.
    func table(labels: [String], results: [PropagationResult]) -> String {
        let cell = 11
        let widths = labels.map { max(2 * cell + 1, $0.count) }
        func pad(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        func row(_ first: String, _ cells: (Int) -> String) -> String {
            pad(first, 5) + labels.indices.map { "   " + pad(cells($0), widths[$0]) }.joined()
        }
        var lines = ["# std of activations (forward) and gradients (backward) per layer; \(summary)"]
        lines.append(row("") { labels[$0] })
        lines.append(row("layer") { _ in pad("forward", cell) + " " + pad("backward", cell) })
        for layer in 0 ... depth {
            lines.append(row("\(layer)") {
                pad(formatStd(results[$0].forwardStd[layer]), cell) + " " + pad(formatStd(results[$0].backwardStd[layer]), cell)
            })
        }
        return lines.joined(separator: "\n")
    }

    /// The object (one scheme) or array of objects (several) documented in `--help`.
    func json(labels: [String], results: [PropagationResult]) -> String {
        let objects = zip(labels, results).map { label, result in
            JSONValue.object([
                ("scheme", .string(label)), ("activation", .string(activation.name)),
                ("depth", .number(depth)), ("width", .number(width)), ("batch", .number(batch)), ("seed", .number(seed)),
                ("dtype", .string(dtype.rawValue)),
                ("forward_std", .array(result.forwardStd.map(JSONValue.number))),
                ("backward_std", .array(result.backwardStd.map(JSONValue.number))),
            ])
        }
        return (objects.count == 1 ? objects[0] : .array(objects)).serialized
    }
}
