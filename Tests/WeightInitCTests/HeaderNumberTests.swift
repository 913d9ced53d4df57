import Foundation
import Testing

/// The numbers weightinit.h states, read from its text, against what the
/// library it ships with reports — as zstd and SQLite test their headers'
/// version macros against the library's version functions: the ABI
/// version macros, the stream format the header says ABI 1.0 ships with,
/// and every status code's value and name.
@Suite("weightinit.h states the library's numbers")
struct HeaderNumberTests {
    /// The header's text.
    static func header() throws -> String {
        try String(contentsOfFile: Build.header, encoding: .utf8)
    }

    /// Every match of `pattern` in `text`, as its capture groups.
    static func matches(_ pattern: String, in text: String) throws -> [[String]] {
        let regex = try NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).map { match in
            (1 ..< match.numberOfRanges).map { String(text[Range(match.range(at: $0), in: text)!]) }
        }
    }

    /// The library's own answers, printed by `abi_test versions`: `abi_version N`,
    /// `stream_format_version N`, then `status N NAME` for -2 … 40.
    static func reported() throws -> (abi: Int, streamFormat: Int, names: [Int: String]) {
        let scratch = try Scratch()
        let run = try run(try Compiler.build("abi_test.c", in: scratch), ["versions"], in: scratch)
        try #require(run.status == 0, "abi_test versions: \(run.stderr)")
        var abi = -1, format = -1
        var names: [Int: String] = [:]
        for line in run.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            switch fields.first {
            case "abi_version": abi = Int(fields[1]) ?? -1
            case "stream_format_version": format = Int(fields[1]) ?? -1
            case "status": names[Int(fields[1])!] = fields[2]
            default: break
            }
        }
        return (abi, format, names)
    }

    @Test("the ABI version macros, the stream format and every status are the library's")
    func numbersMatch() throws {
        let header = try Self.header()
        let library = try Self.reported()

        let major = try Self.matches(#"#define WEIGHTINIT_ABI_VERSION_MAJOR (\d+)\n"#, in: header)
        let minor = try Self.matches(#"#define WEIGHTINIT_ABI_VERSION_MINOR (\d+)\n"#, in: header)
        try #require(major.count == 1 && minor.count == 1, "weightinit.h defines the ABI version once")
        let version = Int(major[0][0])! * 10000 + Int(minor[0][0])!
        #expect(library.abi == version, "weightinit_abi_version() is \(library.abi), the header says \(major[0][0]).\(minor[0][0])")

        // Every sentence naming the stream format ABI 1.0 ships with (prose
        // across comment lines: the words may be split by " *  ").
        let prose = header.replacingOccurrences(of: #"\s*\n\s*\*\s*"#, with: " ", options: .regularExpression)
        let formats = try Self.matches(#"ships with stream(?: format)? (\d+)"#, in: prose).map { Int($0[0])! }
        #expect(!formats.isEmpty, "weightinit.h does not state the stream format ABI 1.0 ships with")
        #expect(formats.allSatisfy { $0 == library.streamFormat },
                "weightinit.h states stream format \(formats), weightinit_stream_format_version() is \(library.streamFormat)")
        // The header's own words for a version it does not ship with are gone ("1 today").
        let datedWords = prose.contains("today")
        #expect(!datedWords, "weightinit.h states a version as of \"today\"")

        // `typedef enum weightinit_status { WEIGHTINIT_X = n, … }`: each name is
        // weightinit_status_name(n); values 0…N without gaps; everything else unknown.
        let body = try #require(header.range(of: #"typedef enum weightinit_status \{[^}]*\}"#, options: .regularExpression))
        let statuses = try Self.matches(#"(WEIGHTINIT_[A-Z_]+) = (\d+)"#, in: String(header[body]))
        #expect(statuses.count >= 12, "found only \(statuses.count) status codes in weightinit.h")
        let declared = Dictionary(uniqueKeysWithValues: statuses.map { (Int($0[1])!, $0[0]) })
        #expect(Set(declared.keys) == Set(0 ..< declared.count), "status values are not 0…\(declared.count - 1)")
        for (value, name) in library.names.sorted(by: { $0.key < $1.key }) {
            #expect(name == declared[value] ?? "WEIGHTINIT_UNKNOWN_STATUS",
                    "weightinit_status_name(\(value)) is \(name), the header says \(declared[value] ?? "no status")")
        }
    }
}
