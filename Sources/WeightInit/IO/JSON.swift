/// A JSON value (RFC 8259), as the strict parser below reads it.
///
/// Objects keep their keys in file order (safetensors' header and the CLI's
/// spec files are read in order, and error messages name the first bad key).
/// Numbers keep their text, so integers of any size are checked exactly
/// rather than through `Double`.
@_spi(Plumbing) public enum JSONValue: Equatable, Sendable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The number as written, e.g. `"-1.5e3"`.
    case number(String)
    case bool(Bool)
    case null

    @_spi(Plumbing) public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(a), .array(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.bool(a), .bool(b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    /// What the value is, for error messages: "an object", "a string", …
    package var kindDescription: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// The value as an `Int` if it is an integer literal (no fraction or
    /// exponent) that fits; `nil` otherwise.
    package var integerValue: Int? {
        guard case let .number(text) = self, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            return nil
        }
        return Int(text)
    }

    /// The value as a `Double` if it is a number that is finite as a Double.
    package var doubleValue: Double? {
        guard case let .number(text) = self, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// A number: `value` in Swift's shortest round-tripping form, or `null`
    /// for ±∞ and NaN, which JSON cannot express.
    package static func number(_ value: Double) -> JSONValue {
        value.isFinite ? .number("\(value)") : .null
    }

    /// An integer.
    package static func number<I: BinaryInteger>(_ value: I) -> JSONValue { .number("\(value)") }

    /// Compact JSON text for the value (keys in order, strings escaped).
    package var serialized: String {
        switch self {
        case let .object(members):
            "{" + members.map { JSONValue.quoted($0.key) + ":" + $0.value.serialized }.joined(separator: ",") + "}"
        case let .array(items): "[" + items.map(\.serialized).joined(separator: ",") + "]"
        case let .string(text): JSONValue.quoted(text)
        case let .number(text): text
        case let .bool(value): value ? "true" : "false"
        case .null: "null"
        }
    }

    /// JSON text for the value indented by `indent` spaces per level, one
    /// member or item per line (empty objects and arrays, and arrays of
    /// scalars, stay on one line) — for files people read, such as an index.
    package func prettyPrinted(indent: Int = 2) -> String {
        prettyPrinted(indent: indent, level: 0)
    }

    private func prettyPrinted(indent: Int, level: Int) -> String {
        let inner = String(repeating: " ", count: indent * (level + 1)), outer = String(repeating: " ", count: indent * level)
        switch self {
        case let .object(members) where !members.isEmpty:
            return "{\n" + members.map { inner + JSONValue.quoted($0.key) + ": " + $0.value.prettyPrinted(indent: indent, level: level + 1) }
                .joined(separator: ",\n") + "\n" + outer + "}"
        case let .array(items) where items.contains(where: { if case .object = $0 { true } else if case .array = $0 { true } else { false } }):
            return "[\n" + items.map { inner + $0.prettyPrinted(indent: indent, level: level + 1) }.joined(separator: ",\n")
                + "\n" + outer + "]"
        case let .array(items):
            return "[" + items.map(\.serialized).joined(separator: ", ") + "]"
        default:
            return serialized
        }
    }

    /// `text` as a JSON string literal. Besides what JSON requires (quote,
    /// backslash, controls below U+0020), every character a terminal could act
    /// on (`TerminalText.isUnsafe`: DEL, C1 controls, bidirectional overrides,
    /// line separators) is written as `\uXXXX`, so JSON output is safe to show
    /// and still decodes to the same string.
    package static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where TerminalText.isUnsafe(scalar):
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A strict JSON parser over bytes: UTF-8 only (invalid sequences are
/// rejected), no trailing commas or comments, duplicate keys rejected, nesting
/// limited to ``maximumDepth`` so hostile input cannot exhaust the stack.
/// Every error is a one-line reason with the byte offset.
@_spi(Plumbing) public struct JSONParser {
    /// Deeper nesting is refused: neither format read here nests beyond 3.
    package static let maximumDepth = 64

    @_spi(Plumbing) public struct Failure: Error, Equatable, CustomStringConvertible {
        @_spi(Plumbing) public let reason: String
        @_spi(Plumbing) public var description: String { reason }
    }

    private let bytes: [UInt8]
    private var position = 0

    /// Parses exactly one JSON value; only whitespace may follow it.
    @_spi(Plumbing) public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw Failure(reason: "not valid UTF-8") }
        var parser = JSONParser(bytes: bytes)
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func failure(_ reason: String) -> Failure { Failure(reason: "\(reason) at byte \(position)") }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        skipWhitespace()
        guard peek() == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        guard depth < Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
        skipWhitespace()
        guard let byte = peek() else { throw failure("unexpected end of the JSON text") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected character")
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        guard bytes[position...].starts(with: word.utf8) else { throw failure("invalid literal") }
        position += word.utf8.count
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try parseString()
            guard seen.insert(key).inserted else { throw failure("duplicate key \(JSONValue.quoted(key))") }
            try expect(UInt8(ascii: ":"))
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(items)
            default: throw failure("expected ',' or ']'")
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
    private mutating func parseNumber() throws(Failure) -> String {
        let start = position
        func digits() -> Int {
            let from = position
            while let byte = peek(), (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(byte) { position += 1 }
            return position - from
        }
        if peek() == UInt8(ascii: "-") { position += 1 }
        if peek() == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            throw failure("expected a digit")
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw failure("expected a digit after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw failure("expected a digit in the exponent") }
        }
        return String(decoding: bytes[start ..< position], as: UTF8.self)
    }

    private mutating func parseString() throws(Failure) -> String {
        position += 1  // the opening quote
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flushRun(_ end: Int) {
            // The whole text was validated as UTF-8 up front.
            scalars.append(contentsOf: String(decoding: bytes[runStart ..< end], as: UTF8.self).unicodeScalars)
        }
        while true {
            guard let byte = peek() else { throw failure("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                flushRun(position)
                position += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                flushRun(position)
                position += 1
                scalars.append(try parseEscape())
                runStart = position
            case 0x00 ..< 0x20:
                throw failure("control character in a string")
            default:
                position += 1
            }
        }
    }

    private mutating func parseEscape() throws(Failure) -> Unicode.Scalar {
        guard let byte = peek() else { throw failure("unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try hex4()
            if (0xD800 ..< 0xDC00).contains(high) {
                // A surrogate pair: \uD83D\uDE00.
                guard bytes[position...].starts(with: "\\u".utf8) else { throw failure("unpaired surrogate") }
                position += 2
                let low = try hex4()
                guard (0xDC00 ..< 0xE000).contains(low) else { throw failure("unpaired surrogate") }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(high) else { throw failure("unpaired surrogate") }
            return scalar
        default: throw failure("invalid escape")
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count,
              let value = UInt32(String(decoding: bytes[position ..< position + 4], as: UTF8.self), radix: 16),
              bytes[position ..< position + 4].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
        else { throw failure("expected four hex digits after \\u") }
        position += 4
        return value
    }
}
