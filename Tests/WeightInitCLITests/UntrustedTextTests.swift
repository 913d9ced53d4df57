import Foundation
import Testing

/// Text from files — safetensors keys and metadata, spec names, keys and
/// values — reaches the terminal escaped on every path, success and error,
/// and values are clipped.
@Suite struct UntrustedTextTests {
    /// Retitles the terminal window (OSC 0 … BEL) and clears the screen (CSI 2 J).
    static let hostile = "\u{1B}]0;pwned\u{07}\u{1B}[2J"
    static let escapedHostile = #"\u{1B}]0;pwned\u{7}\u{1B}[2J"#

    /// Nothing a terminal would act on: no C0 control but the final newline
    /// of each line, no DEL, no C1 control, no bidirectional override.
    static func isSafe(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x0A: true
            case 0x00 ... 0x1F, 0x7F ... 0x9F, 0x202A ... 0x202E, 0x2066 ... 0x2069: false
            default: true
            }
        }
    }

    /// A one-tensor safetensors file whose tensor is named `name` (JSON-escaped in the header).
    static func file(named name: String, metadata: String = "") -> [UInt8] {
        let key = String(data: try! JSONSerialization.data(withJSONObject: [name], options: []), encoding: .utf8)!.dropFirst().dropLast()
        return StatsTests.safetensors(#"{\#(key):{"dtype":"F32","shape":[2],"data_offsets":[0,8]}\#(metadata)}"#, data: 8)
    }

    @Test func hostileTensorNameInStats() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let name = Self.hostile + "\u{9B}31m" + "\u{202E}gpj.exe"
        _ = FileManager.default.createFile(atPath: scratch.file("h.safetensors"), contents: Data(Self.file(named: name)))

        let text = try CLI.run(["stats", "h.safetensors"], in: scratch)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(Self.isSafe(text.stdout), "\(text.stdout.debugDescription)")
        #expect(text.stdout.hasPrefix(Self.escapedHostile + #"\u{9B}31m\u{202E}gpj.exe: shape 2"#), "\(text.stdout)")

        // JSON: escaped the JSON way, and decoding gives the name back exactly.
        let json = try CLI.run(["stats", "h.safetensors", "--json"], in: scratch)
        #expect(json.status == 0)
        #expect(Self.isSafe(json.stdout), "\(json.stdout.debugDescription)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["name"] as? String == name)

        // Error path: --tensor lists the names the file has.
        let missing = try CLI.run(["stats", "h.safetensors", "--tensor", "x\u{1B}[0m"], in: scratch)
        #expect(missing.status == 64)
        #expect(Self.isSafe(missing.stderr), "\(missing.stderr.debugDescription)")
        #expect(missing.stderr.contains(Self.escapedHostile), "\(missing.stderr)")
    }

    /// A malformed header's messages quote its keys escaped and clip what
    /// is long: a 10 000-digit offset is not echoed whole.
    @Test func malformedHeadersAreEscapedAndClipped() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let digits = String(repeating: "9", count: 10_000)
        let files: [(String, [UInt8], String)] = [
            ("digits.safetensors",
             StatsTests.safetensors(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,\#(digits)]}}"#, data: 8),
             "(10000 characters)"),
            ("key.safetensors",
             StatsTests.safetensors(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"\u001b[2J":1}}"#, data: 8),
             #"unexpected key "\u{1B}[2J""#),
            ("long.safetensors",
             StatsTests.safetensors(#"{"\#(String(repeating: "n", count: 10_000))":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}}"#, data: 2),
             "(10000 characters)"),
        ]
        for (name, bytes, mentions) in files {
            _ = FileManager.default.createFile(atPath: scratch.file(name), contents: Data(bytes))
            let result = try CLI.run(["stats", name], in: scratch)
            #expect(result.status == 64, "\(name): \(result.stderr)")
            #expect(result.stderrLines.count == 1)
            #expect(Self.isSafe(result.stderr), "\(result.stderr.debugDescription)")
            #expect(result.stderr.utf8.count < 600, "\(name): \(result.stderr.utf8.count) bytes")
            #expect(result.stderr.contains(mentions), "\(name): \(result.stderr)")
        }
    }

    /// Spec errors echo names, keys and values escaped and clipped.
    @Test(arguments: [
        (#"{"tensors": [{"name": "\u001b[2J", "shape": [2, 2], "scheme": "nope"}]}"#, #"tensor "\u{1B}[2J""#),
        (#"{"tensors": [{"name": "w", "shape": [2, 2], "scheme": "\u001b]0;x\u0007"}]}"#, #"unknown scheme '\u{1B}]0;x\u{7}'"#),
        (#"{"tensors": [{"name": "w", "shape": [2, 2], "scheme": "normal", "\u009b2J": 1}]}"#, #"unknown key "\u{9B}2J""#),
        (#"{"tensors": [{"name": "w", "shape": [2, 2], "scheme": "kaiming-normal", "mode": "\u001b[31m"}]}"#,
         #"unknown --mode '\u{1B}[31m'"#),
        (#"{"bad\u001b": 1, "tensors": []}"#, #"unknown key "bad\u{1B}""#),
        (#"{"tensors": [{"name": "\#(String(repeating: "a", count: 10_000))", "shape": [2], "scheme": "nope"}]}"#,
         "(10000 characters)"),
    ])
    func hostileSpecs(spec: String, mentions: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.root + "/spec.json"
        try spec.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["generate", "--spec", path, "--output", "m.safetensors"], in: scratch)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderrLines.count == 1)
        #expect(Self.isSafe(result.stderr), "\(result.stderr.debugDescription)")
        #expect(result.stderr.contains(mentions), "\(result.stderr)")
        #expect(result.stderr.utf8.count < 1200, "\(result.stderr.utf8.count) bytes")
    }

    /// A hostile name that is valid: the spec is written, and every line
    /// `--check` prints is safe.
    @Test func hostileNameOnTheSuccessPath() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.root + "/spec.json"
        try #"{"tensors": [{"name": "\u001b]0;pwned\u0007\u001b[2J", "shape": [16, 16], "scheme": "normal"}]}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["generate", "--spec", path, "--output", "m.safetensors", "--check"], in: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.isSafe(result.stdout), "\(result.stdout.debugDescription)")
        #expect(result.stdout.contains(Self.escapedHostile + ": shape 16,16"), "\(result.stdout)")
    }
}
