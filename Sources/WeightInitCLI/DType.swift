import ArgumentParser
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// `--dtype`.
@_spi(Plumbing) public enum DType: String, CaseIterable, ExpressibleByArgument {
    case f32, f64, f16, bf16

    @_spi(Plumbing) public var format: ScalarFormat { ScalarFormat(rawValue: rawValue)! }
}
