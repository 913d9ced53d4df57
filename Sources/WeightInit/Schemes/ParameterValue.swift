/// A parameter value: from the command line, or a default in the table.
package enum ParameterValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case integer(Int)
    case on
    case text(String)

    package var description: String {
        switch self {
        case let .number(value):
            value.rounded() == value && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
        case let .integer(value): "\(value)"
        case .on: "on"
        case let .text(value): value
        }
    }
}

/// What a scheme does when a parameter is not given.
package enum ParameterDefault: Sendable {
    /// The run fails without it.
    case required
    /// This value.
    case value(ParameterValue)
    /// Absent: off for flags, otherwise the scheme works it out (`how`, for `--help`).
    case absent(_ how: String)
}
