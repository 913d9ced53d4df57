import Foundation
import Testing

@Suite("Exported symbols of libWeightInitC.so")
struct SymbolTests {
    /// The functions weightinit.h declares: every `weightinit_name(` that
    /// starts a declaration (a return type before it on the line), not the
    /// calls in its comments.
    static func declaredFunctions() throws -> Set<String> {
        let header = try String(contentsOfFile: Build.header, encoding: .utf8)
        var names: Set<String> = []
        for line in header.split(separator: "\n") where !line.hasPrefix(" *") && !line.hasPrefix("/*") && !line.hasPrefix("#") {
            guard let open = line.firstIndex(of: "("), let start = line[..<open].range(of: "weightinit_", options: .backwards)
            else { continue }
            let name = String(line[start.lowerBound ..< open])
            // `type name(` or `type *name(`: a declaration.
            if name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), line[..<start.lowerBound].contains(" ") {
                names.insert(name)
            }
        }
        return names
    }

    /// Symbols the static linker defines in every shared library (section
    /// bounds, init/fini), which no header declares.
    static let linkerSymbols: Set<String> = ["__bss_start", "_edata", "_end", "_init", "_fini"]

    @Test("the exported symbols that are not Swift-mangled are exactly the header's functions")
    func exportsMatchTheHeader() throws {
        let scratch = try Scratch()
        let library = try Build.libraryDirectory() + "/libWeightInitC.so"
        let nm = try #require(BuiltExecutable.onPath("nm"), "nm (binutils) is needed for this test")
        let run = try run(nm, ["-D", "--defined-only", library], in: scratch)
        try #require(run.status == 0, "nm failed: \(run.stderr)")
        // Lines are "address type name"; Swift symbols are mangled as $s….
        let exported = Set(run.stdout.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let name = fields.last.map(String.init) else { return nil }
            return name.hasPrefix("$s") || Self.linkerSymbols.contains(name) ? nil : name
        })
        let declared = try Self.declaredFunctions()
        // The header parser finds declarations (a few pinned here), not comments.
        #expect(declared.isSuperset(of: ["weightinit_abi_version", "weightinit_last_error", "weightinit_fill", "weightinit_fill_region"]),
                "found only \(declared.sorted()) in weightinit.h")
        #expect(exported.subtracting(declared).isEmpty, "exported but not in weightinit.h: \(exported.subtracting(declared).sorted())")
        #expect(declared.subtracting(exported).isEmpty, "in weightinit.h but not exported: \(declared.subtracting(exported).sorted())")
    }

    /// The C library links the engine and the models library only: no
    /// argument parser, no command (their modules' mangled names, `…14ArgumentParser…`
    /// and `…13WeightInitCLI…`, appear nowhere in it). On main before the model
    /// layer became a library, it linked both.
    @Test("no symbol of ArgumentParser or the CLI is linked into the library")
    func linksNoCommandLine() throws {
        let scratch = try Scratch()
        let library = try Build.libraryDirectory() + "/libWeightInitC.so"
        let nm = try #require(BuiltExecutable.onPath("nm"), "nm (binutils) is needed for this test")
        let run = try run(nm, [library], in: scratch)
        try #require(run.status == 0, "nm failed: \(run.stderr)")
        let symbols = run.stdout.split(separator: "\n")
        #expect(symbols.contains { $0.contains("16WeightInitModels") }, "the models library is linked")
        let commandLine = symbols.filter { $0.contains("14ArgumentParser") || $0.contains("13WeightInitCLI") }
        #expect(commandLine.isEmpty, "\(commandLine.prefix(5))")
    }
}
