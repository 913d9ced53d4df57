import Foundation
import Testing
@testable @_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#endif

/// The staging directory's commit: its journal, finishing a commit that was
/// cut short, and telling weightinit's staging directories from others.
@Suite struct StagingDirectoryTests {
    static func makeDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "staging-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    static func write(_ text: String, to path: String) {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A staging directory in `directory` as a killed commit leaves it: marker and `journal`.
    static func killedCommit(in directory: String, journal: String) throws -> String {
        let staging = directory + "/.model.safetensors.wi-00000000-1-00000000.tmp"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
        write("", to: staging + "/" + StagingDirectory.markerName)
        write(journal, to: staging + "/" + StagingDirectory.journalName)
        return staging
    }

    @Test func journalRoundTrips() {
        let journal = StagingDirectory.Journal(moves: ["a.safetensors", "index.json"], removals: ["old.safetensors"])
        #expect(String(decoding: journal.text, as: UTF8.self)
            == "weightinit-commit 1\nmove a.safetensors\nmove index.json\nremove old.safetensors\n")
        #expect(StagingDirectory.Journal(parsing: String(decoding: journal.text, as: UTF8.self)) == journal)
    }

    @Test("A journal that is not one weightinit writes is refused", arguments: [
        "", "weightinit-commit 1\n", "weightinit-commit 2\nmove a\n", "weightinit-commit 1\nmove a", "weightinit-commit 1\nmove ../a\n",
        "weightinit-commit 1\nmove a/b\n", "weightinit-commit 1\nmove ..\n", "weightinit-commit 1\nremove x\nmove a\n",
        "weightinit-commit 1\ncopy a\n", "weightinit-commit 1\nmove \n",
    ])
    func malformedJournals(text: String) {
        #expect(StagingDirectory.Journal(parsing: text) == nil)
    }

    /// A commit cut after its first move: the rest moved in, in order, the
    /// stale file removed, the staging directory gone — and a second run
    /// (cut again) finds nothing left to do.
    @Test func finishCommitCompletesWhatWasLeft() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let staging = try Self.killedCommit(in: directory, journal: "weightinit-commit 1\nmove s1\nmove s2\nmove index\nremove old\n")
        Self.write("new 1", to: directory + "/s1")   // already moved
        Self.write("new 2", to: staging + "/s2")
        Self.write("new index", to: staging + "/index")
        Self.write("old 2", to: directory + "/s2")
        Self.write("old index", to: directory + "/index")
        Self.write("old", to: directory + "/old")
        Self.write("mine", to: directory + "/notes")
        #expect(StagingDirectory.contents(of: staging) == .committing)
        #expect(try StagingDirectory.finishCommit(staging) == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["index", "notes", "s1", "s2"])
        #expect(Self.read(directory + "/s2") == "new 2" && Self.read(directory + "/index") == "new index")
        #expect(Self.read(directory + "/notes") == "mine")
    }

    /// A journal naming a path outside the directory is refused before anything moves.
    @Test func finishCommitRefusesAForeignJournal() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let staging = try Self.killedCommit(in: directory, journal: "weightinit-commit 1\nmove a\nremove ../victim\n")
        Self.write("staged", to: staging + "/a")
        #expect(throws: WeightInitError.self) { try StagingDirectory.finishCommit(staging) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging).sorted()
            == [StagingDirectory.journalName, StagingDirectory.markerName, "a"].sorted())
    }

    @Test func contentsTellOursFromOthers() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(StagingDirectory.contents(of: directory) == .empty)
        Self.write("x", to: directory + "/thesis.tex")
        guard case .foreign = StagingDirectory.contents(of: directory) else {
            Issue.record("a directory without the marker is not ours")
            return
        }
        Self.write("", to: directory + "/" + StagingDirectory.markerName)
        #expect(StagingDirectory.contents(of: directory) == .staged)
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: false)
        guard case .foreign = StagingDirectory.contents(of: directory) else {
            Issue.record("a directory holding a subdirectory is not ours")
            return
        }
    }

    /// A real staging directory: created with its marker, committed over an
    /// existing file (whose mode the new one takes), gone afterwards.
    @Test func commitMovesInAndRemovesTheStagingDirectory() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        Self.write("old", to: directory + "/b")
        #expect(chmod(directory + "/b", 0o640) == 0)
        Self.write("stale", to: directory + "/c")
        let staging = try StagingDirectory.create(in: directory, for: "model.safetensors")
        #expect(StagingDirectory.contents(of: staging.path) == .staged)
        Self.write("A", to: staging.path + "/a")
        Self.write("B", to: staging.path + "/b")
        try staging.commit(["a", "b"], into: directory, removing: ["c"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["a", "b"])
        #expect(Self.read(directory + "/b") == "B")
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/b")[.posixPermissions] as? Int
        #expect(mode == 0o640)
    }
}
