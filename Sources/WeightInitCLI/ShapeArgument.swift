import WeightInit
/// Parses `--shape` (or another `option` of the same form): comma-separated
/// decimal dimensions, each ≥ 1.
@_spi(Plumbing) public enum ShapeArgument {
    @_spi(Plumbing) public static func parse(_ text: String, option: String = "--shape") throws -> [Int] {
        func invalid(_ reason: String) -> CommandLineError {
            .usage("invalid \(option) '\(text)': \(reason)")
        }
        guard !text.allSatisfy(\.isWhitespace) else { throw invalid("give dimensions such as 512,256") }
        return try text.split(separator: ",", omittingEmptySubsequences: false).enumerated().map { index, field in
            let position = "dimension \(index + 1)"
            let field = field.trimmed()
            guard !field.isEmpty else { throw invalid("\(position) is empty") }
            let digits = field.first == "-" || field.first == "+" ? field.dropFirst() : field
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw invalid("\(position) '\(field)' is not an integer")
            }
            guard let value = Int(field) else { throw invalid("\(position) \(field) does not fit in Int") }
            guard value >= 1 else { throw invalid("\(position) is \(value); every dimension must be ≥ 1") }
            return value
        }
    }
}

extension Substring {
    /// Without leading and trailing whitespace.
    func trimmed() -> Substring {
        let start = drop(while: \.isWhitespace)
        guard let last = start.lastIndex(where: { !$0.isWhitespace }) else { return start[start.startIndex ..< start.startIndex] }
        return start[...last]
    }
}
