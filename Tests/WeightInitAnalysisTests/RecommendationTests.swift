import Testing
import WeightInit
import WeightInitAnalysis

/// The rule of thumb: Xavier for activations linear around 0, He for the
/// rectifiers (with their slope), LeCun for SELU, orthogonal for recurrences.
@Suite struct RecommendationTests {
    @Test func eachNonlinearityGetsItsScheme() {
        #expect(Recommendation.recommended(for: .relu).initializer == .kaimingNormal(mode: .fanIn, nonlinearity: .relu))
        #expect(Recommendation.recommended(for: .tanh).initializer == .xavierUniform(gain: 5.0 / 3.0))
        #expect(Recommendation.recommended(for: .sigmoid).initializer == .xavierUniform())
        #expect(Recommendation.recommended(for: .selu).initializer == .lecunNormal())
        #expect(Recommendation.recommended(for: .conv2d).initializer == .xavierUniform())
        #expect(Recommendation.recurrent.initializer == .orthogonal())
    }

    /// The slope of a leaky ReLU reaches the gain of its recommendation.
    @Test func leakyReluKeepsItsSlope() {
        let advice = Recommendation.recommended(for: .leakyRelu(negativeSlope: 0.2))
        #expect(advice.initializer == .kaimingNormal(mode: .fanIn, nonlinearity: .leakyRelu(negativeSlope: 0.2)))
    }

    @Test func everyRationaleCitesAPaper() {
        for n in Nonlinearity.allCases + [.leakyRelu(negativeSlope: 0.3)] {
            let rationale = Recommendation.recommended(for: n).rationale
            #expect(rationale.contains("(19") || rationale.contains("(20"), "\(n): \(rationale)")
        }
    }
}
