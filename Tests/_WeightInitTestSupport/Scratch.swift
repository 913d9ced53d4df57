import Foundation

/// A scratch area for a test that runs a tool: `output` is the directory the
/// tool runs in and writes to, `root` holds it and the captured streams, so
/// `output` holds only what the tool wrote. Removed by ``remove()`` or when
/// the last reference goes.
public final class Scratch: @unchecked Sendable {
    public let root: String
    public var output: String { root + "/out" }

    public init() throws {
        root = NSTemporaryDirectory() + "weightinit-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
    }

    deinit { remove() }

    public func file(_ name: String) -> String { output + "/" + name }

    /// The names in `output`, sorted.
    public func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: output).sorted() }

    /// Removes everything; safe to call again.
    public func remove() {
        // A test may have made a subdirectory read-only.
        if let items = FileManager.default.enumerator(atPath: output) {
            for case let item as String in items {
                try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: output + "/" + item)
            }
        }
        try? FileManager.default.removeItem(atPath: root)
    }
}
