@_spi(Plumbing) import WeightInit

/// `--max-shard-size`'s value, as the README documents it.
enum ShardSizeArgument {
    /// A size: decimal digits, optionally with a fraction (`1.5GB`, as
    /// `huggingface_hub` reads sizes) when a unit follows, then KB, MB, GB,
    /// TB (powers of 1000, as `huggingface_hub`), KiB, MiB, GiB, TiB (powers
    /// of 1024), B or nothing for bytes — units in any case, spaces allowed
    /// around the number. Computed exactly in integers and rounded down to
    /// whole bytes; at least 1 byte and below 2⁶². Anything else (a sign,
    /// `0x10`, an exponent, `inf`, a fraction of a byte count) is refused
    /// with one line naming the value.
    static func parse(_ text: String) throws -> Int {
        func refuse(_ reason: String) -> CommandLineError {
            .usage("invalid --max-shard-size '\(TerminalText.escaped(text, limit: 64))': \(reason)")
        }
        let syntax = "give digits and a unit, such as 5GB, 500MB, 1.5GB or 2GiB (KB, MB, GB, TB, KiB, MiB, GiB, TiB), or a number of bytes"
        let units: [(name: String, bytes: Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
            ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1),
        ]
        let trimmed = String(Substring(text).trimmed())
        let unit = units.first { trimmed.count > $0.name.count && trimmed.uppercased().hasSuffix($0.name.uppercased()) }
        let number = unit.map { String(Substring(trimmed.dropLast($0.name.count)).trimmed()) } ?? trimmed
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0], fraction = parts.count == 2 ? parts[1] : ""
        let isDigits: (Substring) -> Bool = { $0.allSatisfy { ("0" ... "9").contains($0) } }
        guard !whole.isEmpty, isDigits(whole), isDigits(fraction), parts.count == 1 || !fraction.isEmpty else {
            throw refuse(syntax)
        }
        let multiplier = unit?.bytes ?? 1
        guard fraction.isEmpty || multiplier > 1 else { throw refuse("a byte count is a whole number; \(syntax)") }
        // value = digits / 10^fraction.count · multiplier, in integers: below 2⁶² or refused.
        let limit = 1 << 62
        var digits = 0, scale = 1
        for character in whole + fraction {
            let (shifted, overflow) = digits.multipliedReportingOverflow(by: 10)
            guard !overflow, shifted < limit else { throw refuse("must be below 2⁶² bytes") }
            digits = shifted + Int(character.asciiValue! - 48)
        }
        for _ in fraction {
            let (next, overflow) = scale.multipliedReportingOverflow(by: 10)
            guard !overflow else { throw refuse("too many decimals") }
            scale = next
        }
        // digits · multiplier in 128 bits, then ÷ scale (the quotient fits Int iff high < scale).
        let product = digits.multipliedFullWidth(by: multiplier)
        let bytes = product.high < scale ? scale.dividingFullWidth(product).quotient : limit
        guard bytes < limit else { throw refuse("must be below 2⁶² bytes") }
        guard bytes >= 1 else { throw refuse("must be at least 1 byte") }
        return bytes
    }
}
