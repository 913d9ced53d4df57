import CWeightInit
@_spi(Plumbing) import WeightInit

/// A parsed scheme kept in the caller's `weightinit_scheme`: the scheme
/// table's row and the `Initializer` the table made, so a fill neither parses
/// text nor allocates.
///
/// `opaque` holds, as 64-bit words: a magic number, a checksum, the row's
/// index in ``SchemeEntry/all``, then the bytes of the `Initializer` value
/// (a trivial enum: numbers and enums, no references, checked by
/// `_isPOD`). The checksum covers the words after it and is keyed by a
/// number drawn once per process, so a fill refuses a struct that is
/// uninitialised, damaged, or parsed by another process or library build
/// (whose `Initializer` layout could differ) rather than reading a value
/// from bytes that are not one.
struct StoredScheme {
    let entry: SchemeEntry
    let initializer: Initializer

    /// "WISCHEM1".
    private static let magic: UInt64 = 0x5749_5343_4845_4D31
    /// opaque[0] magic, [1] checksum, [2] row, [3...] the initializer.
    private static let headerWords = 3
    private static let opaqueWords = MemoryLayout.size(ofValue: weightinit_scheme().opaque) / 8

    /// Drawn once per process: the key of every checksum.
    private static let processKey: UInt64 = {
        precondition(_isPOD(Initializer.self), "Initializer must stay a trivial value to live in C memory")
        precondition(
            MemoryLayout<Initializer>.size <= (opaqueWords - headerWords) * 8
                && MemoryLayout<Initializer>.alignment <= 8,
            "Initializer no longer fits weightinit_scheme")
        return UInt64.random(in: .min ... .max)
    }()

    init(entry: SchemeEntry, initializer: Initializer) {
        self.entry = entry
        self.initializer = initializer
    }

    /// The scheme stored in `scheme`, or `WEIGHTINIT_ERROR_INVALID_ARGUMENT`
    /// if `weightinit_scheme_parse` did not write it in this process.
    init(loading scheme: UnsafePointer<weightinit_scheme>) throws {
        func refuse(_ why: String) -> ABIFailure {
            ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT,
                       "the weightinit_scheme \(why); fill it with weightinit_scheme_parse in this process")
        }
        let value = scheme.pointee
        guard value.size == UInt32(MemoryLayout<weightinit_scheme>.size), value.version == weightinit_abi_version() else {
            throw refuse("has size \(value.size) and version \(value.version), not those of this library")
        }
        let (row, initializer): (Int, Initializer) = try withUnsafeBytes(of: value.opaque) { raw in
            let words = raw.bindMemory(to: UInt64.self)
            guard words[0] == Self.magic, words[1] == Self.checksum(words) else {
                throw refuse("was not written by weightinit_scheme_parse (or was changed since)")
            }
            let row = Int(truncatingIfNeeded: words[2])
            guard SchemeEntry.all.indices.contains(row) else { throw refuse("names no scheme") }
            return (row, raw.load(fromByteOffset: Self.headerWords * 8, as: Initializer.self))
        }
        self.init(entry: SchemeEntry.all[row], initializer: initializer)
    }

    /// Writes this scheme into `scheme` (every byte of it).
    func store(into scheme: UnsafeMutablePointer<weightinit_scheme>) {
        var value = weightinit_scheme()
        value.size = UInt32(MemoryLayout<weightinit_scheme>.size)
        value.version = weightinit_abi_version()
        let row = SchemeEntry.all.firstIndex { $0.name == entry.name }!
        withUnsafeMutableBytes(of: &value.opaque) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.storeBytes(of: initializer, toByteOffset: Self.headerWords * 8, as: Initializer.self)
            let words = raw.bindMemory(to: UInt64.self)
            words[0] = Self.magic
            words[2] = UInt64(row)
            words[1] = Self.checksum(UnsafeBufferPointer(words))
        }
        scheme.pointee = value
    }

    /// A hash of the words after the checksum, seeded by the process key:
    /// FNV-1a's step a word at a time (a fill checks it on every call), with
    /// the high half folded back in so every bit of a word reaches every bit
    /// of the hash.
    private static func checksum(_ words: UnsafeBufferPointer<UInt64>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ processKey
        for word in words[2...] {
            hash = (hash ^ word) &* 0x0000_0100_0000_01B3
            hash ^= hash >> 32
        }
        return hash
    }
}
