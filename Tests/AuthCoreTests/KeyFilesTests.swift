import AuthCore
import AuthCrypto
import EventLog
import Foundation
import TestSupport
import Testing

@Suite("Key files")
struct KeyFilesTests {
    @Test("a signing key is written 0600 through a temporary file that does not stay behind, and reads back")
    func writtenPrivately() throws {
        let dir = try TemporaryDirectory("keyfiles")
        defer { dir.remove() }
        let files = try KeyFiles(dataDirectory: dir.path)
        let (kid, key) = try files.generateSigningKey(.eddsa, at: Timestamp(seconds: 1_800_000_000))
        var info = stat()
        #expect(lstat(files.signingKeyPath(kid), &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.directory) == ["signing-\(kid).pem"])
        #expect(try files.signingKey(kid)?.publicKey == key.publicKey)
        // A second key file of the same name is never replaced.
        #expect(try files.subjectKey() == (try files.subjectKey()))
    }

    @Test("a symlinked signing key is refused, even when its target is a private regular file")
    func symlinkRefused() throws {
        let dir = try TemporaryDirectory("keyfiles-symlink")
        defer { dir.remove() }
        let files = try KeyFiles(dataDirectory: dir.path)
        let (kid, _) = try files.generateSigningKey(.es256, at: Timestamp(seconds: 1_800_000_000))
        let elsewhere = dir.path + "/elsewhere.pem"
        try FileManager.default.moveItem(atPath: files.signingKeyPath(kid), toPath: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: files.signingKeyPath(kid), withDestinationPath: elsewhere)
        #expect { _ = try files.signingKey(kid) } throws: { "\($0)".contains("symbolic link") }
        // The same file, moved back in place, loads.
        try FileManager.default.removeItem(atPath: files.signingKeyPath(kid))
        try FileManager.default.moveItem(atPath: elsewhere, toPath: files.signingKeyPath(kid))
        #expect(try files.signingKey(kid) != nil)
    }

    @Test("group- or world-readable key files are refused (signing key, subject key, refresh key)")
    func groupReadableRefused() throws {
        let dir = try TemporaryDirectory("keyfiles-mode")
        defer { dir.remove() }
        let files = try KeyFiles(dataDirectory: dir.path)
        let (kid, _) = try files.generateSigningKey(.es256, at: Timestamp(seconds: 1_800_000_000))
        _ = try files.subjectKey()
        _ = try files.refreshKey()
        for (path, mode) in [(files.signingKeyPath(kid), 0o640), (files.directory + "/subject.key", 0o604), (files.directory + "/refresh.key", 0o660)] {
            #expect(chmod(path, mode_t(mode)) == 0)
        }
        #expect { _ = try files.signingKey(kid) } throws: { "\($0)".contains("group or others") }
        #expect { _ = try files.subjectKey() } throws: { "\($0)".contains("group or others") }
        #expect { _ = try files.refreshKey() } throws: { "\($0)".contains("group or others") }
    }

    @Test("a key file owned by another user is refused", .enabled(if: geteuid() == 0, "needs root to chown"))
    func otherOwnerRefused() throws {
        let dir = try TemporaryDirectory("keyfiles-owner")
        defer { dir.remove() }
        let files = try KeyFiles(dataDirectory: dir.path)
        let (kid, _) = try files.generateSigningKey(.es256, at: Timestamp(seconds: 1_800_000_000))
        #expect(chown(files.signingKeyPath(kid), 65_534, 65_534) == 0)
        #expect { _ = try files.signingKey(kid) } throws: { "\($0)".contains("owned by uid 65534") }
    }
}
