/// Text that came from outside — file names, safetensors keys and metadata,
/// spec names and values — made safe to show on a terminal or in a log.
///
/// A file can hold any bytes, and a terminal acts on some of them instead of
/// showing them: ESC starts sequences that retitle the window, clear the
/// screen or rewrite what was printed before; C1 controls do the same on some
/// terminals; bidirectional overrides reorder what the reader sees; a line
/// break forges a second line. Every message and report that shows such text
/// passes it through ``escaped(_:limit:)``, which writes each of those
/// characters as a visible escape (`\u{1B}`, `\n`) and clips what is too
/// long to be useful (a 10 000-digit number is shown by its first digits and
/// its length). Backslashes are left alone, so escaping twice changes nothing
/// and the final error line can be escaped again as a whole.
///
/// JSON output escapes the same characters, as `\u001b` (see ``JSONValue``).
@_spi(Plumbing) public enum TerminalText {
    /// How many characters of a value an error message echoes.
    public static let valueLimit = 80

    /// How many characters of a whole error message are shown: the CLI's
    /// `error:` line and the C ABI's `weightinit_last_error()` (the
    /// Python package's exceptions carry the latter) clip there.
    public static let lineLimit = 2000

    /// Whether a terminal may act on `scalar` rather than show it.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00 ... 0x1F, 0x7F ... 0x9F: true   // C0 (ESC, BEL, CR, LF …), DEL, C1 (CSI 0x9B, OSC 0x9D …)
        case 0x061C, 0x200E, 0x200F, 0x202A ... 0x202E, 0x2066 ... 0x2069: true   // bidirectional marks, overrides, isolates
        case 0x2028, 0x2029: true   // line and paragraph separators
        default: false
        }
    }

    /// `text` with every unsafe character written as an escape — `\n`, `\r`,
    /// `\t`, else `\u{…}` in hex — and, if it has more than `limit`
    /// characters (Unicode scalars), only the first `limit` followed by
    /// `…(N characters)`.
    public static func escaped(_ text: some StringProtocol, limit: Int = .max) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            guard count <= limit else { continue }
            guard isUnsafe(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        if count > limit { out += "…(\(count) characters)" }
        return out
    }

    /// ``escaped(_:limit:)`` in double quotes, clipped to ``valueLimit`` by
    /// default: how a message names a value it did not choose.
    public static func quoted(_ text: some StringProtocol, limit: Int = valueLimit) -> String {
        "\"" + escaped(text, limit: limit) + "\""
    }

    /// Numbers read from a file (a shape), as a message shows them: a hostile
    /// header can list thousands of dimensions.
    public static func clipped(_ numbers: [Int]) -> String {
        escaped("\(numbers)", limit: valueLimit)
    }
}
