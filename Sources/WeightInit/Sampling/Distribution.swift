import _WeightInitKernels

/// A distribution the sampling engine draws from.
public enum Distribution: Sendable, Equatable {
    /// U[low, high): no value is ever ≥ high or < low, in any output format.
    case uniform(low: Double, high: Double)
    /// N(mean, std²), by Box–Muller.
    case normal(mean: Double, std: Double)
    /// N(mean, std²) conditioned on [low, high] (absolute bounds); no value is
    /// ever outside them, in any output format.
    case truncatedNormal(mean: Double, std: Double, low: Double, high: Double)
}

extension Distribution {
    /// Checks what does not depend on the element type: finite parameters,
    /// a positive standard deviation, ordered bounds. The one place these
    /// are checked: ``Initializer/validate()`` calls it for the schemes that
    /// are a distribution as given, and every fill calls it through
    /// ``validatedKernelParameters(format:)``.
    package func validate() throws {
        func finite(_ name: String, _ value: Double) throws {
            guard value.isFinite else {
                throw WeightInitError.invalidParameter(name, value: "\(value)", reason: "must be finite")
            }
        }
        func positive(_ name: String, _ value: Double) throws {
            guard value.isFinite, value > 0 else {
                throw WeightInitError.invalidParameter(name, value: "\(value)", reason: "must be finite and > 0")
            }
        }
        switch self {
        case let .uniform(low, high):
            try finite("low", low)
            try finite("high", high)
            guard low < high, (high - low).isFinite else {
                throw WeightInitError.invalidParameter(
                    "uniform bounds", value: "[\(low), \(high))", reason: "need low < high, both finite")
            }
        case let .normal(mean, std):
            try finite("mean", mean)
            try positive("std", std)
        case let .truncatedNormal(mean, std, low, high):
            try finite("mean", mean)
            try positive("std", std)
            guard !low.isNaN, !high.isNaN, low < high else {
                throw WeightInitError.invalidParameter(
                    "truncation bounds", value: "[\(low), \(high)]", reason: "need low < high")
            }
        }
    }

    /// Checks the parameters (``validate()``, then what the element type
    /// `format` can hold) and returns them in the kernel's form.
    func validatedKernelParameters(format: DType) throws -> wi_params {
        try validate()
        var params = wi_params()
        switch self {
        case let .uniform(low, high):
            // x = fma(u, high − low, low) in the sampling type: an infinite
            // width there would turn into NaN, which no clamp removes.
            let largest = format.greatestFiniteMagnitude
            guard -largest <= low, high <= largest, high - low <= format.samplingGreatestFiniteMagnitude else {
                throw WeightInitError.invalidParameter(
                    "uniform bounds", value: "[\(low), \(high))",
                    reason: "need ±\(largest) (the finite \(format.rawValue) range) to contain them and high − low ≤ \(format.samplingGreatestFiniteMagnitude)")
            }
            params.distribution = Int32(WI_DIST_UNIFORM.rawValue)
            params.p0 = low
            params.p1 = high
        case let .normal(mean, std):
            // Box–Muller never yields |z| > 5.77 (float) or 8.57 (double)
            // (<doc:StreamFormatSpecification>), so this keeps every value finite.
            let reach = mean.magnitude + format.largestStandardNormal * std
            guard reach <= format.greatestFiniteMagnitude, format.samplesInDouble || Float(std) > 0 else {
                throw WeightInitError.invalidParameter(
                    "normal", value: "mean \(mean), std \(std)",
                    reason: "need |mean| + \(format.largestStandardNormal)·std ≤ \(format.greatestFiniteMagnitude) (the finite \(format.rawValue) range) and std > 0 in the sampling type")
            }
            params.distribution = Int32(WI_DIST_NORMAL.rawValue)
            params.p0 = mean
            params.p1 = std
        case let .truncatedNormal(mean, std, low, high):
            // The values the sampler can produce lie in [low, high] and, when
            // the mean is inside, within the normal's reach of it (Box–Muller
            // normals, or uniform proposals in a window narrower than √(2π)·std
            // around the mean); in a tail window, within 37·std of the near
            // bound (the exponential proposal steps at most −ln 2⁻⁵³ = 36.74
            // rate-1 units past it, and its rate is ≥ 1). Beyond the format's
            // finite range such values would be clamped, not sampled.
            let normalReach = format.largestStandardNormal * std, tailReach = 37 * std
            let (first, last): (Double, Double)
            if mean < low {
                (first, last) = (low, Swift.min(high, low + tailReach))
            } else if mean > high {
                (first, last) = (Swift.max(low, high - tailReach), high)
            } else {
                (first, last) = (Swift.max(low, mean - normalReach), Swift.min(high, mean + normalReach))
            }
            let largest = format.greatestFiniteMagnitude
            guard -largest <= first, last <= largest else {
                throw WeightInitError.invalidParameter(
                    "truncated normal", value: "mean \(mean), std \(std), bounds [\(low), \(high)]",
                    reason: "values would reach [\(first), \(last)], beyond ±\(largest) (the finite \(format.rawValue) range)")
            }
            params.distribution = Int32(WI_DIST_TRUNCATED_NORMAL.rawValue)
            params.p0 = mean
            params.p1 = std
            params.p2 = low
            params.p3 = high
        }
        var lo = 0.0, hi = 0.0
        _ = wi_output_bounds(format.kernelFormat, &params, &lo, &hi)
        guard lo <= hi else {
            throw WeightInitError.invalidParameter(
                "bounds", value: params.distribution == Int32(WI_DIST_UNIFORM.rawValue)
                    ? "[\(params.p0), \(params.p1))" : "[\(params.p2), \(params.p3)]",
                reason: "no \(format.rawValue) value lies in the interval")
        }
        return params
    }
}
