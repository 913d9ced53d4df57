import Foundation
import Testing
import WeightInit
import WeightInitModels

/// The README's Swift example of WeightInitModels (also the DocC root
/// page's), run as written — public
/// API only (this file imports no SPI and nothing @testable) — with its two
/// paths made absolute: one tensor of the tiny Llama, whole and two rows of
/// it, byte for byte the tensor of the checkpoint `weightinit generate`
/// writes from the same config; and the checkpoint it writes, the CLI's.
@Suite struct ReadmeModelsExampleTests {
    /// The README's block, between the markers below, with these paths.
    static let paths = ["configPath": "\"docs/examples/llama-config.json\"", "outputPath": "\"tiny-llama\""]

    /// Runs the README's example; returns what it filled.
    static func readmeExample(configPath: String, outputPath: String) throws -> (values: [Float], rows: [Float]) {
        // README begin
        let plan = try ModelPlan(config: ModelConfig(path: configPath))
        let tensor = plan.tensor(named: "model.layers.3.mlp.down_proj.weight")!
        print(tensor.shape, tensor.dtype, tensor.scheme)   // [256, 688] f32 normal --mean 0 --std 0.02

        // Any tensor, or any block of it, into memory you own: the checkpoint's bytes.
        var values = [Float](repeating: 0, count: 256 * 688)
        try values.withUnsafeMutableBufferPointer { try tensor.fill($0) }
        var rows = [Float](repeating: 0, count: 2 * 688)   // rows 10 and 11 alone
        try rows.withUnsafeMutableBufferPointer { try tensor.fill($0, region: TensorRegion([10 ..< 12, 0 ..< 688])) }

        // Or the whole checkpoint, as `weightinit generate --config … --max-shard-size 20MB` writes it.
        try plan.writeCheckpoint(to: outputPath, maxShardSize: 20_000_000)
        // README end
        #expect(tensor.shape == [256, 688] && tensor.dtype == .f32 && tensor.scheme == "normal --mean 0 --std 0.02")
        return (values, rows)
    }

    @Test func theTestRunsTheReadmesBlock() throws {
        let readme = try String(contentsOf: CLI.package.appendingPathComponent("README.md"), encoding: .utf8)
        let blocks = readme.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        let block = try #require(blocks.first { $0.contains("import WeightInitModels") })
        #expect(block.hasPrefix("import WeightInit\nimport WeightInitModels\n\n"))
        // The DocC root page shows the same block.
        let docc = try String(contentsOf: CLI.package.appendingPathComponent("Sources/WeightInitModels/WeightInitModels.docc/WeightInitModels.md"),
                              encoding: .utf8)
        #expect(docc.components(separatedBy: "```swift\n").dropFirst().first?.components(separatedBy: "\n```")[0] == block)
        var body = String(block.dropFirst("import WeightInit\nimport WeightInitModels\n\n".count))
        // The README's comment line above the code is the block's own.
        body = body.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        var code = source.components(separatedBy: "// README begin\n")[1].components(separatedBy: "\n        // README end")[0]
        code = code.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }.joined(separator: "\n")
        for (variable, literal) in Self.paths { code = code.replacingOccurrences(of: variable, with: literal) }
        #expect(code == body)
    }

    @Test func itFillsTheCLIsBytes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = CLI.package.appendingPathComponent("docs/examples/llama-config.json").path
        let cli = try CLI.run(["generate", "--config", config, "--max-shard-size", "20MB", "--output", "cli", "--quiet"], in: scratch)
        try #require(cli.status == 0, "\(cli.stderr)")
        let (values, rows) = try Self.readmeExample(configPath: config, outputPath: scratch.file("library"))

        let name = "model.layers.3.mlp.down_proj.weight"
        let shards = try FileManager.default.contentsOfDirectory(atPath: scratch.file("cli")).filter { $0.hasSuffix(".safetensors") }
        let stored = try #require(try shards.lazy.compactMap { try TensorFile.read(scratch.file("cli/" + $0)).tensors.first { $0.name == name } }.first)
        let bytes = values.withUnsafeBytes { Array($0) }
        #expect(stored.bytes == bytes)
        #expect(rows.withUnsafeBytes { Array($0) } == Array(stored.bytes[10 * 688 * 4 ..< 12 * 688 * 4]))
        // The whole checkpoint too: the same files, the same bytes.
        let names = try FileManager.default.contentsOfDirectory(atPath: scratch.file("cli")).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.file("library")).sorted() == names)
        for file in names {
            #expect(FileManager.default.contentsEqual(atPath: scratch.file("cli/" + file), andPath: scratch.file("library/" + file)), "\(file)")
        }
    }
}
