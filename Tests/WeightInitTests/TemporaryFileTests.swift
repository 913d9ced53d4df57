import Foundation
import Testing
@testable @_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#endif

/// The temporary files of atomic writes: names that fit and can be told
/// from other files, destinations of the right kind only, and readers that
/// refuse what is not a regular file without blocking.
@Suite struct TemporaryFileTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "temporary-file-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// Every name up to NAME_MAX gets a temporary name within NAME_MAX that
    /// parses back to this host and process; a cut never splits a character.
    @Test(arguments: [1, 100, 218, 219, 236, 254, 255])
    func namesFitAndParse(length: Int) throws {
        let name = String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)
        let temporary = TemporaryFile.temporaryName(for: name, in: "/tmp", random: 0xDEAD_BEEF)
        #expect(temporary.utf8.count <= TemporaryFile.nameMax("/tmp"))
        #expect(temporary.hasSuffix(".wi-\(TemporaryFile.hostTag)-\(getpid())-deadbeef.tmp"))
        #expect(String(validating: Array(temporary.utf8), as: UTF8.self) != nil)
        let parsed = try #require(TemporaryFile.parse(temporary))
        #expect(parsed.host == TemporaryFile.hostTag && parsed.pid == getpid())
    }

    @Test func otherNamesAreNotTemporaries() {
        for name in ["w.npy", ".w.npy.tmp", ".w.npy.tmp-123-abcdef01", ".x.wi-1234567-1-deadbeef.tmp",
                     ".x.wi-deadbeef-0-deadbeef.tmp", ".x.wi-DEADBEEF-12-deadbeef.tmp", "x.wi-deadbeef-12-deadbeef.tmp"] {
            #expect(TemporaryFile.parse(name) == nil, "\(name)")
        }
        #expect(TemporaryFile.parse(".a-b.npy.wi-deadbeef-12-0badcafe.tmp")?.pid == 12)
    }

    /// The library refuses what the CLI refuses: writing into a FIFO, a
    /// directory or through a link, and reading a FIFO (which would block).
    @Test func libraryRefusesSpecialFiles() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/f.npy", folder = directory + "/d.npy", link = directory + "/l.npy"
        #expect(mkfifo(fifo, 0o644) == 0)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "elsewhere.npy")
        for path in [fifo, folder, link] {
            #expect {
                try NPY.write([Float(1)], shape: [1], to: path)
            } throws: { error in
                guard case .invalidFile = error as? WeightInitError else { return false }
                return (error as? WeightInitError)?.kind == .invalidInput
            }
        }
        #expect {
            _ = try NPY.read(fifo)
        } throws: { error in
            guard case let .invalidFile(_, reason) = error as? WeightInitError else { return false }
            return reason.hasPrefix("is a FIFO")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["d.npy", "f.npy", "l.npy"])
    }
}
