@_spi(Plumbing) import WeightInit

/// Which tensor names a rule applies to: a glob (`"match"`), where `*`
/// matches any run of characters, dots included, and `?` any one character;
/// or a regular expression (`"regex"`, Swift's syntax, matched against the
/// whole name). Either way the whole name must match. The text each `*` (or
/// each group of a regex) matched is `$1`, `$2`, … in the rule's templates
/// (`"fan-of": "$1.weight"`).
struct NamePattern {
    /// As written, for messages.
    let text: String
    private let regex: Regex<AnyRegexOutput>

    init(glob: String) throws {
        var pattern = ""
        for character in glob {
            switch character {
            case "*": pattern += "(.*)"
            case "?": pattern += "."
            default:
                // Everything else is itself: escape what regexes give a meaning.
                if "\\^$.|+()[]{}".contains(character) { pattern += "\\" }
                pattern.append(character)
            }
        }
        text = glob
        regex = try Regex(pattern)
    }

    init(regex text: String) throws {
        self.text = text
        do {
            regex = try Regex(text)
        } catch {
            throw CommandLineError.usage("invalid regex \(TerminalText.quoted(text)): \(error)")
        }
    }

    /// The name and the captures (`$0`, `$1`, …) if the whole of `name` matches.
    func match(_ name: String) -> [String]? {
        guard let match = try? regex.wholeMatch(in: name) else { return nil }
        return (0 ..< match.output.count).map { index in match.output[index].substring.map(String.init) ?? "" }
    }

    /// `template` with `$1` … `$9` replaced by `captures` (from ``match(_:)``).
    static func substitute(_ template: String, _ captures: [String]) throws -> String {
        var result = "", characters = Array(template), index = 0
        while index < characters.count {
            if characters[index] == "$", index + 1 < characters.count, let digit = characters[index + 1].wholeNumberValue {
                guard digit < captures.count else {
                    throw CommandLineError.usage(
                        "template \(TerminalText.quoted(template)) uses $\(digit), but its pattern captures \(captures.count - 1)")
                }
                result += captures[digit]
                index += 2
            } else {
                result.append(characters[index])
                index += 1
            }
        }
        return result
    }
}
