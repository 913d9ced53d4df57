@_spi(Plumbing) import WeightInit

/// A tensor of a model's layout: what a checkpoint's header or a config
/// says exists — name, shape, element type — before any scheme is chosen.
struct LayoutTensor: Sendable, Equatable {
    let name: String
    /// Empty for a scalar.
    let shape: [Int]
    /// The element type the source fixes (a checkpoint's, a config's
    /// `dtype`), or nil when the spec or a rule decides.
    let format: ElementType?
}
