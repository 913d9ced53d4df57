@_spi(Plumbing) import WeightInit

extension DenseNetwork.Layer {
    /// Tolerance of ``distinctUnits``, relative to the layer's largest
    /// parameter: far above the rounding differences of units that compute
    /// the same thing (a few ulps, 10⁻⁷ relative in Float), far below the
    /// differences of randomly initialised units (of the order of the
    /// parameters themselves).
    static var distinctUnitsTolerance: Double { 1e-4 }

    /// How many different units the layer has: units whose incoming
    /// parameters (weights and bias) all agree within a tolerance compute the
    /// same function of the layer's input, and count once.
    ///
    /// Two units are the same when no incoming parameter differs by more than
    /// ``distinctUnitsTolerance`` × the largest |parameter| of the layer.
    /// Units are taken in order, each compared with the first unit of every
    /// group found so far, so the count is deterministic. A layer of equal
    /// units — all zeros, or a constant — has 1, and keeps 1 through training:
    /// identical units receive identical gradients, which is the symmetry
    /// problem random initialisation exists to break. A layer with a
    /// non-finite parameter (a diverged run) counts every unit.
    var distinctUnits: Int {
        var scale = 0.0
        for value in weights + (bias ?? []) {
            let magnitude = abs(Double(value))
            guard magnitude.isFinite else { return outputs }
            scale = max(scale, magnitude)
        }
        let tolerance = Self.distinctUnitsTolerance * scale
        func parameter(_ unit: Int, _ j: Int) -> Double {
            Double(j < inputs ? weights[unit * inputs + j] : bias![unit])
        }
        let count = inputs + (bias == nil ? 0 : 1)
        var representatives: [Int] = []
        for unit in 0 ..< outputs {
            let same = representatives.contains { other in
                (0 ..< count).allSatisfy { abs(parameter(unit, $0) - parameter(other, $0)) <= tolerance }
            }
            if !same { representatives.append(unit) }
        }
        return representatives.count
    }
}
