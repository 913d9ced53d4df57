import ArgumentParser
import WeightInit

/// Parses `--shape`: comma-separated decimal dimensions, each ≥ 1.
enum ShapeArgument {
    static func parse(_ text: String, option: String = "--shape") throws -> [Int] {
        func invalid(_ reason: String) -> CommandLineError { .usage("invalid \(option) '\(text)': \(reason)") }
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
        return try fields.enumerated().map { index, field in
            let digits = field.filter { !$0.isWhitespace }
            guard !digits.isEmpty else { throw invalid("dimension \(index + 1) is empty") }
            guard let value = Int(digits) else { throw invalid("dimension \(index + 1) '\(digits)' is not an integer") }
            guard value >= 1 else { throw invalid("dimension \(index + 1) is \(value); every dimension must be ≥ 1") }
            return value
        }
    }
}

/// `--dtype`. bf16 parses, so that its refusal can say why (no numpy dtype).
enum DType: String, CaseIterable, ExpressibleByArgument {
    case f32, f64, f16, bf16

    var format: ScalarFormat { ScalarFormat(rawValue: rawValue)! }
}
