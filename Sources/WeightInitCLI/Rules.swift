import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitModels

/// `weightinit rules [NAME|FILE]`: the built-in rule sets, one printed to
/// copy and edit, or a rules file checked.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in rule sets, print one, or check a rules file.",
        discussion: """
            A rule set maps tensor names to schemes, in order; the first rule that applies \
            to a tensor gives its scheme (generate --rules NAME|FILE, or a spec's "rules"). \
            Each built-in set reproduces a reference initialisation and cites the code it \
            mirrors. Without an argument, rules lists them; with a name it prints that set \
            as a rules file — copy it, edit it, pass the file to --rules; with a file it \
            reads the file and reports its rules, or the first error.

            A rules file: {"variables": {"name": value, …}, "rules": [{"match": "*.bias", \
            "scheme": "zeros"}, {"regex": "…", "rank": 2, "when": "variable", "if-exists": \
            "$1.weight", "unless-exists": …, "dtype": "i64", "scheme": "normal", "std": \
            "initializer_range", "fan-of": "$1.weight", "parts": […]}, …]}.

            Examples:
              weightinit rules
              weightinit rules hf-gpt2 > my-rules.json
              weightinit rules my-rules.json
            """
    )

    @Argument(help: "A built-in rule set's name, or a rules file to check.")
    var set: String?

    func run() throws {
        guard let set else {
            for (name, text) in BuiltinRuleSets.all {
                let description = (try? JSONParser.parse(Array(text.utf8))).flatMap { json -> String? in
                    guard case let .object(members) = json, case let .string(text)? = members.first(where: { $0.key == "description" })?.value
                    else { return nil }
                    return text
                } ?? ""
                print("\(name)\n    \(description)")
            }
            return
        }
        if let text = BuiltinRuleSets.text(set) {
            // The text as written, its indentation undone: a rules file to copy.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix("        ") ? $0.dropFirst(8) : $0 }
            print(lines.joined(separator: "\n"))
            return
        }
        let rules = try RuleSet.load(set)
        print("\(TerminalText.escaped(rules.name, limit: 512)): \(rules.rules.count) rules, variables \(rules.variables.keys.sorted().joined(separator: ", "))")
    }
}
