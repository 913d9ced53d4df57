@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--max-shard-size SIZE --output DIRECTORY`: a checkpoint as Hugging Face
/// writes it — numbered shards `model-00001-of-00005.safetensors` and
/// `model.safetensors.index.json` (`metadata.total_size`, `weight_map`), or
/// one `model.safetensors` when everything fits in one shard — and, when
/// the layout came from a `config.json`, that file beside them, so
/// `from_pretrained(directory)` loads it offline.
///
/// Tensors are split into shards as `huggingface_hub`'s
/// `split_torch_state_dict_into_shards` splits a state dict: in order, a new
/// shard whenever the next tensor would take the current one past the
/// size, a tensor larger than the size in a shard of its own. Sizes are
/// `huggingface_hub`'s (`5GB` is 5·10⁹ bytes; KB, MB, GB, TB), and also
/// KiB, MiB, GiB, TiB, or plain bytes.
@_spi(Plumbing) public struct ShardedCheckpoint: Sendable {
    @_spi(Plumbing) public let directory: String
    /// Each file's name (in `directory`) and its tensors.
    @_spi(Plumbing) public let files: [(name: String, jobs: [TensorJob])]
    let config: ModelConfig?

    static let indexName = "model.safetensors.index.json"
    static let configName = "config.json"

    @_spi(Plumbing) public init(model: ModelJobs, directory: String, maxShardSize: Int) {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        config = model.config
        var groups: [[TensorJob]] = []
        var current: [TensorJob] = [], size = 0
        for job in model.jobs {
            let bytes = (try? job.entry.byteCount()) ?? .max
            if bytes > maxShardSize {
                groups.append([job])
                continue
            }
            if size + bytes > maxShardSize, !current.isEmpty {
                groups.append(current)
                (current, size) = ([], 0)
            }
            current.append(job)
            size += bytes
        }
        if !current.isEmpty { groups.append(current) }
        files = groups.count == 1
            ? [("model.safetensors", groups[0])]
            : groups.enumerated().map { index, jobs in (Self.shardName(index, of: groups.count), jobs) }
    }

    /// `model-00002-of-00005.safetensors` for index 1 of 5.
    static func shardName(_ index: Int, of count: Int) -> String {
        func padded(_ number: Int) -> String { let text = String(number); return String(repeating: "0", count: max(0, 5 - text.count)) + text }
        return "model-\(padded(index + 1))-of-\(padded(count)).safetensors"
    }

    /// A size: a number with KB, MB, GB, TB (powers of 1000, as
    /// `huggingface_hub`), KiB, MiB, GiB, TiB (powers of 1024), or bytes.
    @_spi(Plumbing) public static func parseSize(_ text: String) throws -> Int {
        let units: [(String, Double)] = [
            ("KiB", 0x1p10), ("MiB", 0x1p20), ("GiB", 0x1p30), ("TiB", 0x1p40),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1),
        ]
        let trimmed = text.trimmingWhitespace
        let (number, multiplier) = units.first { trimmed.uppercased().hasSuffix($0.0.uppercased()) && (trimmed.count > $0.0.count) }
            .map { (String(trimmed.dropLast($0.0.count)).trimmingWhitespace, $0.1) } ?? (trimmed, 1)
        guard let value = Double(number), value.isFinite, value * multiplier >= 1, value * multiplier < 0x1p62 else {
            throw CommandLineError.usage(
                "invalid --max-shard-size '\(TerminalText.escaped(text, limit: 64))': give a size such as 5GB, 500MB, 2GiB or a number of bytes")
        }
        return Int(value * multiplier)
    }

    /// Checks, before anything is created or written: the directory (an
    /// existing one, or a new name in an existing directory), each file's
    /// destination, memory for tensors built whole, and the free space for
    /// every file together.
    @_spi(Plumbing) public func check() throws {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw CommandLineError.usage("invalid --output '\(shown)': --max-shard-size writes a directory, and this is not one")
            }
            for name in fileNames { try AtomicFile.checkDestination(directory + "/" + name) }
        } else {
            // A new directory: its parent must exist (as for any destination).
            try AtomicFile.checkDestination(directory)
        }
        try JobWriter.check(files.flatMap(\.jobs), format: .safetensors, output: directory + "/" + files[0].name, destination: false)
    }

    /// Every file this checkpoint writes.
    var fileNames: [String] {
        files.map(\.name) + (files.count > 1 ? [Self.indexName] : []) + (config == nil ? [] : [Self.configName])
    }

    private var shown: String { TerminalText.escaped(directory, limit: 512) }

    /// Creates the directory if it does not exist yet, durably (its parent
    /// flushed), so the files written into it cannot outlast its name.
    @_spi(Plumbing) public func makeDirectory() throws {
        if mkdir(directory, 0o777) == 0 {
            try TemporaryFile.syncDirectory(AtomicFile.split(directory).directory)
        } else if errno != EEXIST {
            throw WeightInitError.io(path: directory, reason: "cannot create the directory: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes shard file `index`.
    @_spi(Plumbing) public func writeShard(_ index: Int, options: FillOptions, quiet: Bool) throws {
        try JobWriter.write(files[index].jobs, to: directory + "/" + files[index].name, format: .safetensors,
                            options: options, quiet: quiet)
    }

    /// Writes the index (when there are several shards) and the config (when
    /// the layout came from one): after the shards, so a directory with an
    /// index has every shard it names — after a power cut too, since every
    /// atomic write flushes the directory after its rename (the shards'
    /// names are on disk before the index is renamed into place, and the
    /// index's before this returns).
    @_spi(Plumbing) public func writeIndexAndConfig() throws {
        if files.count > 1 {
            let text = Array((index.prettyPrinted() + "\n").utf8)
            try AtomicFile.write(to: directory + "/" + Self.indexName) { try $0.write(text) }
        }
        if let config {
            try AtomicFile.write(to: directory + "/" + Self.configName) { try $0.write(config.bytes) }
        }
    }

    /// The whole checkpoint, in one process. A failure removes the shard
    /// files this run wrote, so no incomplete set is left.
    @_spi(Plumbing) public func write(options: FillOptions, quiet: Bool) throws {
        try makeDirectory()
        var written: [String] = []
        do {
            for index in files.indices {
                try writeShard(index, options: options, quiet: quiet)
                written.append(directory + "/" + files[index].name)
            }
            try writeIndexAndConfig()
        } catch {
            for path in written { unlink(path) }
            throw error
        }
    }

    /// `{"metadata": {"total_size": bytes}, "weight_map": {name: file}}`, keys sorted as transformers writes them.
    var index: JSONValue {
        let total = files.flatMap(\.jobs).reduce(0) { $0 + ((try? $1.entry.byteCount()) ?? 0) }
        let map = files.flatMap { file in file.jobs.map { ($0.name, file.name) } }.sorted { $0.0 < $1.0 }
        return .object([
            ("metadata", .object([("total_size", .number(String(total)))])),
            ("weight_map", .object(map.map { ($0.0, .string($0.1)) })),
        ])
    }

    /// `--check`: every shard read back and judged against its schemes.
    @_spi(Plumbing) public func checkWritten() throws {
        for file in files { try JobWriter.checkWritten(file.jobs, at: directory + "/" + file.name) }
    }

    /// The summary line's description of what was written.
    var summary: String {
        let names = files.count == 1 ? files[0].name : "\(files.count) shards \(files[0].name) … \(files[files.count - 1].name), \(Self.indexName)"
        return "\(names)\(config == nil ? "" : ", " + Self.configName)"
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
