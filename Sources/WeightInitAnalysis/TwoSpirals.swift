import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The task ``Training`` learns: two interleaved spirals in the plane, one per
/// class (Lang & Witbrock, "Learning to tell two spirals apart", 1988). No
/// line separates them — a linear model stays near chance — so a network
/// must bend its decision boundary around 1¼ turns, which takes several
/// non-linear layers trained together.
///
/// Point `i` belongs to class `i mod 2` (the classes are balanced). Its
/// position along the spiral, t ∈ [0, 1), is element `i` of U[0, 1) on
/// stream `positions`; at angle θ = 2π·turns·t + π·class and radius
/// r = √6·t it gets N(0, noise²) added to x (element 2i of stream `noise`)
/// and y (element 2i + 1). The radius √6 gives each coordinate variance
/// E[r²]/2 = 1 over the spiral, the scale initialisers assume of their input.
struct TwoSpirals {
    static let turns = 1.25
    static let noise = 0.1
    static let classes = 2

    let count: Int
    /// `[count, 2]`, row-major: (x, y) of each point.
    let inputs: [Double]
    /// 0 or 1 per point.
    let labels: [Int]

    init(count: Int, seed: UInt64, positions: UInt32, noise: UInt32) throws {
        let t: [Double] = try RandomStream(seed: seed, stream: positions)
            .makeArray(count: count, with: .uniform(low: 0, high: 1))
        let jitter: [Double] = try RandomStream(seed: seed, stream: noise)
            .makeArray(count: 2 * count, with: .normal(mean: 0, std: Self.noise))
        var inputs = [Double](repeating: 0, count: 2 * count)
        var labels = [Int](repeating: 0, count: count)
        let radius = 6.0.squareRoot()
        for i in 0 ..< count {
            labels[i] = i % 2
            let angle = 2 * Double.pi * Self.turns * t[i] + Double.pi * Double(labels[i])
            inputs[2 * i] = radius * t[i] * cos(angle) + jitter[2 * i]
            inputs[2 * i + 1] = radius * t[i] * sin(angle) + jitter[2 * i + 1]
        }
        (self.count, self.inputs, self.labels) = (count, inputs, labels)
    }
}
