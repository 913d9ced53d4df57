import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar on stderr for long writes: shown only when stderr
/// is a terminal (never in pipes, logs or tests), not with `--quiet`, and
/// only for files of at least ``minimumBytes``. Redraws only when the
/// percentage changes, and erases itself when done, so the tool's output is
/// the same with or without it. One bar serves several files in turn (the
/// shards of a checkpoint): each `update` says the file's own total.
final class ProgressBar {
    /// Smaller writes finish too fast for a bar to help.
    static let minimumBytes = 64 << 20
    private static let width = 30

    private let enabled: Bool
    private var shown = -1

    init(quiet: Bool) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    func update(written: Int, total: Int) {
        guard enabled, total >= Self.minimumBytes else { return }
        let percent = Int(Double(written) / Double(total) * 100)
        guard percent != shown else { return }
        shown = percent
        let filled = Self.width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: Self.width - filled)
        emit("\r[\(bar)] \(percent)% of \(Self.describe(total))")
    }

    /// Erases the bar (ESC [ K clears to the end of the line).
    func finish() {
        guard enabled, shown >= 0 else { return }
        shown = -1
        emit("\r\u{1B}[K")
    }

    static func describe(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : "\((value * 10).rounded() / 10) \(units[unit])"
    }

    private func emit(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
