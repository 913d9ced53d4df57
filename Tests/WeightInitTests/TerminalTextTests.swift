import Testing
@_spi(Plumbing) import WeightInit

@Suite struct TerminalTextTests {
    @Test func controlsAreWrittenAsEscapes() {
        #expect(TerminalText.escaped("a\u{1B}[2Jb\u{07}\n\t\r") == #"a\u{1B}[2Jb\u{7}\n\t\r"#)
        #expect(TerminalText.escaped("\u{7F}\u{9B}\u{202E}\u{2066}\u{2028}") == #"\u{7F}\u{9B}\u{202E}\u{2066}\u{2028}"#)
        #expect(TerminalText.escaped("fc1.weight é 😀") == "fc1.weight é 😀")
    }

    /// Backslashes stay: escaping twice changes nothing.
    @Test func idempotent() {
        let once = TerminalText.escaped("\u{1B}x\\y")
        #expect(TerminalText.escaped(once) == once)
    }

    @Test func longValuesAreClipped() {
        let digits = String(repeating: "7", count: 10_000)
        #expect(TerminalText.escaped(digits, limit: 5) == "77777…(10000 characters)")
        #expect(TerminalText.quoted("abc") == "\"abc\"")
        #expect(TerminalText.escaped("abc", limit: 3) == "abc")
    }

    /// Error descriptions escape what they carry.
    @Test func errorDescriptionsAreSafe() {
        let error = WeightInitError.malformedFile(path: "x\u{1B}.npy", reason: "bad\nkey")
        #expect(error.description == #"x\u{1B}.npy: not a valid file: bad\nkey"#)
        let long = WeightInitError.invalidParameter("tensor name", value: String(repeating: "n", count: 500), reason: "is used twice")
        #expect(long.description.count < 150)
        // A spec or file can name thousands of dimensions.
        let shape = WeightInitError.invalidShape([Int](repeating: 1, count: 10_000), reason: "eye needs a 2-D shape")
        #expect(shape.description.hasSuffix("…(19999 characters): eye needs a 2-D shape"), "\(shape.description)")
    }

    /// JSON output escapes the same characters and still decodes.
    @Test func jsonEscapesTheSameCharacters() throws {
        let text = "a\u{1B}\u{7F}\u{9B}\u{202E}b"
        let quoted = JSONValue.quoted(text)
        #expect(quoted == #""a\u001b\u007f\u009b\u202eb""#)
        #expect(try JSONParser.parse(Array(quoted.utf8)) == .string(text))
    }
}
