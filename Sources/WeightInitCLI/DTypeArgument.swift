import ArgumentParser
import WeightInit

/// `--dtype`: the engine's one element type, by its name (f32, f64, f16,
/// bf16, i64, i32, u8, bool); each command refuses the ones it cannot use.
extension DType: ExpressibleByArgument {}
