import Testing
@_spi(Plumbing) import WeightInit
@testable import WeightInitModels

@Suite struct ComposedTensorTests {
    /// The boxes a flat range is cut into cover it, in order, whatever the range.
    @Test func boxesCoverFlatRangesInOrder() {
        let shape = [3, 4, 5]
        for lower in 0 ..< 60 {
            for upper in lower ... 60 {
                var flat: [Int] = []
                for box in ComposedTensor<Float>.boxes(lower ..< upper, shape: shape) {
                    for i in box[0] { for j in box[1] { for k in box[2] { flat.append((i * 4 + j) * 5 + k) } } }
                }
                if flat != Array(lower ..< upper) { Issue.record("\(lower)..<\(upper): \(flat)"); return }
            }
        }
    }
}
