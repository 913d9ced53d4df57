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
    package let directory: String
    /// Each file's name (in `directory`) and its tensors.
    @_spi(Plumbing) public let files: [(name: String, jobs: [PlannedTensor])]
    let config: ModelConfig?

    static let indexName = "model.safetensors.index.json"
    static let configName = "config.json"

    @_spi(Plumbing) public init(plan model: ModelPlan, directory: String, maxShardSize: Int) {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        config = model.config
        var groups: [[PlannedTensor]] = []
        var current: [PlannedTensor] = [], size = 0
        for job in model.tensors {
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

    /// Checks, before anything is created or written: the directory (an
    /// existing one, or a new name in an existing directory), each file's
    /// destination, memory for tensors built whole, and the free space for
    /// every file together.
    @_spi(Plumbing) public func check() throws {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw WeightInitError.invalidFile(path: shown, reason: "a sharded checkpoint is a directory, and this is not one")
            }
            for name in fileNames { try AtomicFile.checkDestination(directory + "/" + name) }
            try checkNoInterruptedCommit()
        } else {
            // A new directory: its parent must exist (as for any destination).
            try AtomicFile.checkDestination(directory)
        }
        try CheckpointFile.check(files.flatMap(\.jobs), format: .safetensors, output: directory + "/" + files[0].name, destination: false)
    }

    /// Refuses a directory in which an earlier run died while moving its
    /// checkpoint in (its staging directory still holds the commit's
    /// journal): it may hold a mix, which `weightinit clean` completes — and
    /// would complete over this run's checkpoint if this one went first.
    func checkNoInterruptedCommit() throws {
        for leftover in try TemporaryFile.stale(in: directory) where leftover.contents == .committing {
            // A live process on this host is committing right now: not interrupted.
            guard !leftover.isRunning else { continue }
            throw WeightInitError.invalidFile(
                path: directory,
                reason: "an earlier run (process \(leftover.pid)) was stopped while moving its checkpoint in, so the directory may hold "
                    + "old and new files side by side; `weightinit clean \(shown)` finishes that move (\(leftover.reason)) — then run again")
        }
    }

    /// Every file this checkpoint writes.
    var fileNames: [String] {
        files.map(\.name) + (files.count > 1 ? [Self.indexName] : []) + (config == nil ? [] : [Self.configName])
    }

    private var shown: String { TerminalText.escaped(directory, limit: 512) }

    /// Creates the directory if it does not exist yet, durably (its parent
    /// flushed, so the files moved into it cannot outlast its name); returns
    /// whether it did.
    @discardableResult
    package func makeDirectory() throws -> Bool {
        if mkdir(directory, 0o777) == 0 {
            try TemporaryFile.syncDirectory(AtomicFile.split(directory).directory)
            return true
        }
        guard errno == EEXIST else {
            throw WeightInitError.io(path: directory, reason: "cannot create the directory: \(String(cString: strerror(errno)))")
        }
        return false
    }

    /// Where a run writes the checkpoint before moving it into the
    /// directory: the output directory (created if new), and a staging
    /// directory inside it. Until ``commit()``, the directory holds what it
    /// held before (and a new one is removed again on failure or a signal).
    @_spi(Plumbing) public final class Staging {
        let checkpoint: ShardedCheckpoint
        @_spi(Plumbing) public let directory: StagingDirectory
        private let created: Bool
        private let createdToken: Int32
        private var done = false

        init(_ checkpoint: ShardedCheckpoint, directory: StagingDirectory, created: Bool) {
            self.checkpoint = checkpoint
            self.directory = directory
            self.created = created
            createdToken = created ? TemporaryFile.removeOnSignalsIfEmpty(directory: checkpoint.directory) : -1
        }

        /// Writes shard file `index` into the staging directory.
        @_spi(Plumbing) public func writeShard(_ index: Int, options: FillOptions,
                                               progress: @escaping (_ written: Int, _ total: Int) -> Void = { _, _ in }) throws {
            try CheckpointFile.write(checkpoint.files[index].jobs, to: directory.path + "/" + checkpoint.files[index].name,
                                format: .safetensors, options: options, progress: progress)
        }

        /// Writes the index and config into the staging directory, then moves
        /// every file into place — shards and config first, the index (or
        /// the single `model.safetensors`) last — and removes what an earlier
        /// checkpoint left that this one does not name (see ``staleFiles``):
        /// ``StagingDirectory/commit(_:into:removing:)``, journaled, which no
        /// catchable signal cuts short.
        @_spi(Plumbing) public func commit() throws {
            try checkpoint.writeIndexAndConfig(into: directory.path)
            let names = checkpoint.fileNames
            let last = checkpoint.files.count > 1 ? ShardedCheckpoint.indexName : checkpoint.files[0].name
            try directory.commit(names.filter { $0 != last } + [last], into: checkpoint.directory, removing: checkpoint.staleFiles())
            finish()
        }

        /// Removes the staging directory, and the output directory if this run created it.
        @_spi(Plumbing) public func discard() {
            directory.discard()
            if created, !done { rmdir(checkpoint.directory) }
            finish()
        }

        private func finish() {
            guard !done else { return }
            done = true
            TemporaryFile.stopRemovingOnSignals(createdToken)
        }

        deinit { if !done { discard() } }
    }

    /// Creates the directory (if new) and the staging directory in it.
    @_spi(Plumbing) public func stage() throws -> Staging {
        let created = try makeDirectory()
        do {
            return Staging(self, directory: try StagingDirectory.create(in: directory, for: "model.safetensors"), created: created)
        } catch {
            if created { rmdir(directory) }
            throw error
        }
    }

    /// The staging of another process (MPI rank 0's, at `path`), to write
    /// shards into; only its creator commits or removes it.
    @_spi(Plumbing) public func adoptStaging(_ path: String) -> Staging {
        Staging(self, directory: StagingDirectory.adopt(path), created: false)
    }

    /// Writes the index (when there are several shards) and the config (when
    /// the layout came from one) into `directory` (the staging directory,
    /// from which ``Staging/commit()`` moves them into place after the
    /// shards, each move flushed: a directory with an index has every shard
    /// it names, after a power cut too).
    func writeIndexAndConfig(into directory: String) throws {
        if files.count > 1 {
            let text = Array((index.prettyPrinted() + "\n").utf8)
            try AtomicFile.write(to: directory + "/" + Self.indexName) { try $0.write(text) }
        }
        if let config {
            try AtomicFile.write(to: directory + "/" + Self.configName) { try $0.write(config.bytes) }
        }
    }

    /// The files of an earlier checkpoint in the directory that this one
    /// does not name, removed once it is in place: numbered shards
    /// `model-NNNNN-of-NNNNN.safetensors` (as `save_pretrained` removes
    /// them), and `model.safetensors` beside a new index or the index beside
    /// a new `model.safetensors` — `from_pretrained` prefers
    /// `model.safetensors`, so a stale one would be loaded instead of the
    /// new shards. Regular files only; nothing else is touched.
    func staleFiles() -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        let current = Set(fileNames)
        var stale: [String] = [], status = stat()
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !current.contains(name), Self.isCheckpointFile(name),
                  lstat(directory + "/" + name, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            stale.append(name)
        }
        return stale.sorted()
    }

    /// `model.safetensors`, its index, or `model-NNNNN-of-NNNNN.safetensors`
    /// with exactly five ASCII digits in each number — the names
    /// `huggingface_hub` writes and, like transformers' `save_pretrained`
    /// (`-\d{5}-of-\d{5}`), removes; a six-digit number is not one of them.
    static func isCheckpointFile(_ name: String) -> Bool {
        if name == "model.safetensors" || name == indexName { return true }
        guard name.hasPrefix("model-"), name.hasSuffix(".safetensors") else { return false }
        let numbers = name.utf8.dropFirst(6).dropLast(12).split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        return numbers.count == 3 && numbers[1].elementsEqual("of".utf8)
            && [numbers[0], numbers[2]].allSatisfy { $0.count == 5 && $0.allSatisfy { (0x30 ... 0x39).contains($0) } }
    }

    /// The whole checkpoint, in one process, staged then moved into place:
    /// a failure or a signal leaves the directory as it was.
    package func write(options: FillOptions,
                                      progress: @escaping (_ written: Int, _ total: Int) -> Void = { _, _ in }) throws {
        let staging = try stage()
        do {
            for index in files.indices { try staging.writeShard(index, options: options, progress: progress) }
            try staging.commit()
        } catch {
            staging.discard()
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

    /// The summary line's description of what was written.
    package var summary: String {
        let names = files.count == 1 ? files[0].name : "\(files.count) shards \(files[0].name) … \(files[files.count - 1].name), \(Self.indexName)"
        return "\(names)\(config == nil ? "" : ", " + Self.configName)"
    }
}
