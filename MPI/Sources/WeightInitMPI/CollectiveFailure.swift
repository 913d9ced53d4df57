import WeightInit

/// A failure every rank agreed on: the error of the lowest-numbered rank that
/// failed, as text, thrown on every rank by ``MPISession/agree(_:)``.
///
/// One rank's error cannot simply be thrown on that rank alone: the others
/// would go on into the next collective call and wait forever. So each step
/// that may fail on some ranks ends with an agreement, after which all ranks
/// either continue or throw this same error — and rank 0 can report it.
public struct CollectiveFailure: Error, Equatable, Sendable, CustomStringConvertible, KindedError {
    /// The lowest rank that failed.
    public let rank: Int
    /// That rank's error, described.
    public let message: String
    /// That error's kind: the input was wrong (exit status 64) or the work
    /// failed (1).
    public let kind: ErrorKind

    public var description: String {
        // Input errors are the same on every rank or name their file; naming the rank would only distract.
        rank == 0 || kind == .invalidInput ? message : "rank \(rank): \(message)"
    }
}

extension MPISession {
    /// Agrees on `error`, this rank's outcome of a step (nil: success). If any
    /// rank failed, every rank throws the same ``CollectiveFailure`` — the
    /// lowest failing rank's; otherwise every rank returns. Collective: one
    /// allreduce, plus two broadcasts when something failed.
    public func agree(_ error: (any Error)?) throws {
        let failed = try allreduce(Int32(error == nil ? size : rank), .min)
        guard failed < size else { return }
        let root = Int(failed)
        var encoded: [UInt8] = []
        if rank == root, let error {
            if let agreed = error as? CollectiveFailure {
                // Already agreed on (a nested step): pass it on unchanged.
                encoded = [agreed.kind == .invalidInput ? 1 : 0] + Array(String(agreed.rank).utf8) + [0]
                    + Array(agreed.message.utf8)
            } else {
                encoded = [kind(of: error) == .invalidInput ? 1 : 0] + Array(String(rank).utf8) + [0]
                    + Array(String(describing: error).utf8)
            }
        }
        try broadcast(&encoded, from: root)
        let separator = encoded.dropFirst().firstIndex(of: 0) ?? encoded.endIndex
        throw CollectiveFailure(
            rank: Int(String(decoding: encoded[1 ..< separator], as: UTF8.self)) ?? root,
            message: String(decoding: encoded[min(separator + 1, encoded.endIndex)...], as: UTF8.self),
            kind: encoded.first == 1 ? .invalidInput : .failure)
    }

    /// Runs `body` on this rank and agrees on its outcome (see ``agree(_:)``):
    /// returns its value on every rank if no rank's body threw. Collective.
    /// Use it around local work that may fail on some ranks only.
    public func collectively<R>(_ body: () throws -> R) throws -> R {
        let result: Result<R, any Error>
        do { result = .success(try body()) } catch { result = .failure(error) }
        switch result {
        case let .success(value):
            try agree(nil)
            return value
        case let .failure(error):
            try agree(error)
            // agree(error) always throws when this rank failed.
            throw error
        }
    }
}
