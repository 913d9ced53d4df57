import ArgumentParser
import Foundation
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitCLI
@_spi(Plumbing) import WeightInitModels
import WeightInitMPI

/// `weightinit-mpi generate --spec`: every tensor of a model spec, each rank
/// generating its part, into one shared safetensors file (MPI-IO) — the file
/// `weightinit generate --spec` writes, byte for byte — or, with
/// `--per-rank`, one file per rank holding shard `rank/size` of every tensor.
struct GenerateCommand: MPISubcommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a model spec's tensors from every rank: one shared file, or one shard file per rank.",
        discussion: """
            The spec, seeds, streams and metadata are those of `weightinit generate --spec` \
            (same code), and every sampled value depends only on (seed, stream, index), so:

            Shared file (default): rank 0 writes the header; each rank samples and writes the \
            contiguous 1/size of every sampled, constant or sparse tensor's flat range, with \
            MPI-IO, into one file; orthogonal, eye and dirac tensors are built whole by one \
            rank each (tensor k by rank k mod size). The file equals, byte for byte, the one \
            `weightinit generate --spec SPEC --output FILE` writes — for any number of ranks \
            (orthogonal tensors of 1024 rows and columns or more: with the same --threads, \
            as their LAPACK rounding follows the thread count).

            --per-rank: rank r writes <name>.rank<r>-of-<size>.safetensors, holding block r \
            of size of every tensor along --shard-dim (0 rows, 1 columns; a spec tensor's \
            own "shard-dim" wins, null = whole in every file) — the file \
            `weightinit generate --spec SPEC --shard r/size` writes.

            --like, --config, --rules and --dtype give the tensors as for weightinit \
            generate. --max-shard-size SIZE writes --output as a directory of Hugging Face \
            shards, shard file k by rank k mod size, then rank 0 the index and the \
            config: the files `weightinit generate … --max-shard-size SIZE` writes, byte for \
            byte.

            Examples:
              mpirun -q -n 4 weightinit-mpi generate --spec model.json --output model.safetensors
              mpirun -q -n 4 weightinit-mpi generate --spec model.json --per-rank --output model.safetensors
              mpirun -q -n 2 weightinit-mpi generate --config config.json --max-shard-size 5GB --output model
            """
    )

    @Option(help: "The model spec (JSON), as for weightinit generate --spec; a regular file (not -).")
    var spec: String?

    @OptionGroup var modelSource: ModelSourceOptions

    @Option(help: "The dtype of every floating-point tensor: f32, f64, f16 or bf16.")
    var dtype: DType?

    @Option(help: "The .safetensors file to write (with --per-rank, the name each rank's file is derived from; with --max-shard-size, a directory).")
    var output: String

    @Option(parsing: .unconditional, help: "Replaces the spec's top-level seed.")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Worker threads per rank, ≥ 1 (default: every core; never changes a sampled value).")
    var threads: Int?

    @Flag(name: .customLong("per-rank"), help: "One file per rank, each holding that rank's shard of every tensor.")
    var perRank = false

    @Option(name: .customLong("shard-dim"), parsing: .unconditional,
            help: "With --per-rank: the dimension split, 0 (rows, default) or 1 (columns).")
    var shardDim: Int?

    @Flag(help: "Rank 0 reads the output back and checks every tensor against its scheme; exit 1 if one does not match.")
    var check = false

    @Flag(help: "No summary line.")
    var quiet = false

    func run(in session: MPISession) throws {
        let clock = ContinuousClock()
        let start = clock.now
        // Every rank reads and checks the same spec; agreed, so a rank that
        // cannot read it cannot leave the others waiting.
        let plan = try session.collectively { try wordingModelErrors { try makePlan(session) } }
        if let checkpoint = plan.checkpoint {
            try writeCheckpoint(checkpoint, plan, session)
        } else if perRank {
            try writePerRank(plan, session)
        } else {
            try writeShared(plan, session)
        }
        if !quiet, session.isRoot {
            let seconds = String(format: "%.3f", (clock.now - start).seconds)
            let ranks = "\(session.size) rank\(session.size == 1 ? "" : "s")"
            if let checkpoint = plan.checkpoint {
                print("wrote \(shown(output)): \(plan.jobs.count) tensors from \(source) (\(checkpoint.files.count) safetensors "
                    + "file\(checkpoint.files.count == 1 ? "" : "s")), \(ranks), \(seconds) s")
            } else if perRank {
                print("wrote \(shown(Self.perRankPath(output, rank: 0, of: session.size))) … "
                    + "\(shown(Self.perRankPath(output, rank: session.size - 1, of: session.size))): \(plan.jobs.count) tensors "
                    + "from \(source), a shard each along dimension \(shardDim ?? 0), \(ranks), \(seconds) s")
            } else {
                print("wrote \(shown(output)): \(plan.jobs.count) tensors from \(source), \(ranks), \(seconds) s")
            }
        }
    }

    /// Where the tensors came from, for the summary line.
    private var source: String { modelSource.source(spec: spec) }

    /// What every rank writes.
    struct Plan {
        let jobs: [PlannedTensor]
        let options: FillOptions
        /// `--max-shard-size`: the directory of shards.
        var checkpoint: ShardedCheckpoint? = nil
    }

    /// The plan of the spec with the command line over it (every rank reads
    /// it alike), or shard `rank` of it.
    private func plan(rank: Int? = nil, of size: Int = 1) throws -> ModelPlan {
        let plan = try ModelSpec.plan(spec: spec, overrides: modelSource.overrides(seed: seed, dtype: dtype))
        return try rank.map { try plan.sharded($0, of: size, dimension: shardDim ?? 0) } ?? plan
    }

    private func makePlan(_ session: MPISession) throws -> Plan {
        if let threads, threads < 1 { throw CommandLineError.usage("invalid --threads \(threads): must be ≥ 1") }
        guard modelSource.describeModel(spec: spec) else {
            throw CommandLineError.usage("give --spec, --like or --config: the tensors to write")
        }
        // mpirun gives standard input to rank 0 alone; every rank reads the spec.
        guard spec != ModelSpec.standardInput else {
            throw CommandLineError.usage("invalid --spec -: every rank reads the spec, and only rank 0 has standard input; give a file")
        }
        if let size = try modelSource.shardSize() {
            if perRank {
                throw CommandLineError.usage(
                    "--max-shard-size writes one checkpoint from every rank; for one rank's tensor-parallel shard, use weightinit generate --shard r/n --max-shard-size")
            }
            let model = try plan()
            let checkpoint = ShardedCheckpoint(plan: model, directory: output, maxShardSize: size)
            try checkpoint.check()
            return Plan(jobs: model.tensors, options: FillOptions(threads: threads), checkpoint: checkpoint)
        }
        guard output.hasSuffix(".safetensors"), output.count > ".safetensors".count else {
            throw CommandLineError.usage("invalid --output '\(output)': a spec is written to a .safetensors file (or give --max-shard-size for a directory)")
        }
        if !perRank, shardDim != nil { throw CommandLineError.usage("--shard-dim goes with --per-rank") }
        if let shardDim, shardDim != 0, shardDim != 1 {
            throw CommandLineError.usage("invalid --shard-dim \(shardDim): must be 0 (rows) or 1 (columns)")
        }
        let jobs = try (perRank ? plan(rank: session.rank, of: session.size) : plan()).tensors
        let path = perRank ? Self.perRankPath(output, rank: session.rank, of: session.size) : output
        // Destination, disk space, and memory for the tensors built whole.
        try CheckpointFile.check(jobs, format: .safetensors, output: path)
        return Plan(jobs: jobs, options: FillOptions(threads: threads))
    }

    // MARK: One shared file

    private func writeShared(_ plan: Plan, _ session: MPISession) throws {
        let jobs = plan.jobs
        let header = try Safetensors.header(tensors: jobs.map(\.entry), metadata: PlannedTensor.metadata(jobs))
        var offsets: [Int] = []
        var offset = header.count
        for job in jobs {
            offsets.append(offset)
            offset += try job.entry.byteCount()
        }
        let chunkBytes = CheckpointFile.chunkBytes
        try SharedFile.write(session: session, to: output) { file in
            try file.writeAt(0, session.isRoot ? header : [])
            // Independent writes, any number per rank; one agreement at the end.
            var failure: (any Error)?
            do {
                for (index, job) in jobs.enumerated() {
                    try TensorPart(job: job, index: index, offset: offsets[index], session: session)
                        .write(to: file, options: plan.options, chunkBytes: chunkBytes)
                }
            } catch { failure = error }
            try session.agree(failure)
        }
        if check {
            try session.collectively {
                if session.isRoot { try WrittenCheck.check(jobs, at: output) }
            }
        }
    }

    // MARK: One file per rank

    private func writePerRank(_ plan: Plan, _ session: MPISession) throws {
        let path = Self.perRankPath(output, rank: session.rank, of: session.size)
        var failure: (any Error)?
        do {
            try CheckpointFile.write(plan.jobs, to: path, format: .safetensors, options: plan.options)
        } catch { failure = error }
        do {
            try session.agree(failure)
        } catch {
            // Some rank failed: no rank leaves its file, so no incomplete set remains.
            if failure == nil { unlink(path) }
            throw error
        }
        if check {
            try session.collectively {
                guard session.isRoot else { return }
                for rank in 0 ..< session.size {
                    let jobs = try self.plan(rank: rank, of: session.size).tensors
                    try WrittenCheck.check(jobs, at: Self.perRankPath(output, rank: rank, of: session.size))
                }
            }
        }
    }

    // MARK: A directory of Hugging Face shards

    /// Rank 0 creates the directory and a staging directory in it; shard
    /// file k is written there by rank k mod size, each a whole file as
    /// weightinit writes it; once every rank has succeeded, rank 0 writes
    /// the index and the config and moves the checkpoint into place. A
    /// failure on any rank, or a signal before the moves, removes the
    /// staging directory (and the output directory if this run created
    /// it): the directory is left as it was.
    ///
    /// The moves are rank 0's, but every rank's handler would remove the
    /// staging directory, and mpirun kills every rank once one has exited:
    /// so the other ranks defer SIGINT, SIGTERM and SIGHUP before a barrier
    /// that rank 0 passes only then, rank 0 defers them after it, and all
    /// act on a signal recorded meanwhile only once the commit is agreed
    /// on — the whole new checkpoint (exit 128 + n). A signal to rank 0
    /// before its deferral still removes the staging directory, nothing
    /// having moved.
    private func writeCheckpoint(_ checkpoint: ShardedCheckpoint, _ plan: Plan, _ session: MPISession) throws {
        var owned: ShardedCheckpoint.Staging?
        try session.collectively { if session.isRoot { owned = try checkpoint.stage() } }
        let path = try session.broadcast(owned?.directory.path ?? "")
        let staging = owned ?? checkpoint.adoptStaging(path)
        let mine = checkpoint.files.indices.filter { $0 % session.size == session.rank }
        var failure: (any Error)?
        do {
            for index in mine { try staging.writeShard(index, options: plan.options) }
        } catch { failure = error }
        do {
            try session.agree(failure)
            func commit() throws {
                try session.collectively { if session.isRoot { try staging.commit() } }
                // Before the deferral ends: a signal acted on then must not remove a staging directory a failed commit kept.
                staging.discard()
            }
            if session.isRoot {
                try session.barrier()
                try TemporaryFile.deferringSignals(commit)
            } else {
                try TemporaryFile.deferringSignals {
                    try session.barrier()
                    try commit()
                }
            }
        } catch {
            staging.discard()
            throw error
        }
        if check {
            try session.collectively { if session.isRoot { try WrittenCheck.check(checkpoint) } }
        }
    }

    /// `model.safetensors` → `model.rank2-of-4.safetensors`.
    static func perRankPath(_ output: String, rank: Int, of size: Int) -> String {
        String(output.dropLast(".safetensors".count)) + ".rank\(rank)-of-\(size).safetensors"
    }
}

/// One rank's part of one tensor in the shared file.
struct TensorPart {
    let job: PlannedTensor
    /// The tensor's position in the spec: structured tensors go to rank index mod size.
    let index: Int
    /// Byte offset of the tensor's data in the file.
    let offset: Int
    let session: MPISession

    /// The balanced split of `count` flat indices: the first `count mod size`
    /// ranks take one more.
    static func range(count: Int, rank: Int, size: Int) -> Range<Int> {
        let (base, extra) = count.quotientAndRemainder(dividingBy: size)
        let start = rank * base + min(rank, extra)
        return start ..< start + base + (rank < extra ? 1 : 0)
    }

    /// Sampled and constant tensors (integer ones and tensors with parts
    /// too): this rank's slice of the flat range, each value from its own
    /// index. Others: built whole by one rank, which writes all of it. Either
    /// way in chunks of at most `chunkBytes`, each written at its offset as
    /// it comes, so no copy of a whole tensor is made beside what the scheme
    /// builds. (SharedFile refuses big-endian hosts; the job's bytes are
    /// little-endian anyway.)
    func write(to file: SharedFile, options: FillOptions, chunkBytes: Int) throws {
        let size = job.dtype.byteCount
        let count = try job.entry.elementCount()
        let mine: Range<Int>
        if job.isStreamed {
            mine = Self.range(count: count, rank: session.rank, size: session.size)
        } else {
            guard index % session.size == session.rank else { return }
            mine = 0 ..< count
        }
        guard !mine.isEmpty else { return }
        try job.forEachChunk(indices: mine, options: options, chunkBytes: chunkBytes) { first, bytes in
            try file.writeIndependently(at: offset + first * size, bytes)
        }
    }
}

/// A path as the summary line shows it: escaped and clipped like any text from outside.
func shown(_ path: String) -> String { TerminalText.escaped(path, limit: 512) }
