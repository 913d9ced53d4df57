import ArgumentParser
import WeightInit

extension Layout {
    /// How the summary line names the layout.
    var summary: String {
        switch self {
        case .torch: "torch"
        case .keras: "keras"
        case let .axes(input, output): "axes in \(input) out \(output)"
        }
    }
}

/// `--layout`.
enum LayoutArgument: String, CaseIterable, ExpressibleByArgument {
    case torch, keras

    var layout: Layout {
        switch self {
        case .torch: .torch
        case .keras: .keras
        }
    }
}
