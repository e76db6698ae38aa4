import Foundation
import Testing
import TestSupport
@testable import OTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Data key file")
struct DataKeyFileTests {
    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("created with 32 random bytes and mode 0600, then loaded unchanged")
    func createAndLoad() throws {
        let directory = try TemporaryDirectory("datakey")
        defer { directory.remove() }
        let path = directory.path + "/data.key"
        let key = try DataKeyFile.loadOrCreate(path: path)
        #expect(key.count == 32)
        #expect(key != [UInt8](repeating: 0, count: 32))
        #expect(try Self.mode(path) == 0o600)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == key)
        #expect(try DataKeyFile.loadOrCreate(path: path) == key)
        #expect(try DataKeyFile.load(path: path) == key)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["data.key"])
        // Another file gets another key.
        #expect(try DataKeyFile.loadOrCreate(path: directory.path + "/other.key") != key)
    }

    @Test("a key file accessible to group or others is refused", arguments: [0o640, 0o604, 0o660, 0o644, 0o602, 0o610, 0o601, 0o777])
    func refusesLoosePermissions(mode: Int) throws {
        let directory = try TemporaryDirectory("datakey")
        defer { directory.remove() }
        let path = directory.path + "/data.key"
        let key = try DataKeyFile.loadOrCreate(path: path)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        #expect(throws: DataKeyFileError.insecurePermissions(path: path, mode: UInt32(mode))) { try DataKeyFile.load(path: path) }
        // loadOrCreate neither accepts nor replaces it.
        #expect(throws: DataKeyFileError.insecurePermissions(path: path, mode: UInt32(mode))) { try DataKeyFile.loadOrCreate(path: path) }
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == key)
        // Owner-only modes are fine.
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
        #expect(try DataKeyFile.load(path: path) == key)
    }

    @Test("missing files, wrong sizes, symbolic links and directories are refused")
    func refusesOtherFiles() throws {
        let directory = try TemporaryDirectory("datakey")
        defer { directory.remove() }
        let missing = directory.path + "/missing.key"
        #expect(throws: DataKeyFileError.notFound(path: missing)) { try DataKeyFile.load(path: missing) }

        for size in [0, 31, 33] {
            let path = directory.path + "/size\(size).key"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(count: size), attributes: [.posixPermissions: 0o600]))
            #expect(throws: DataKeyFileError.wrongSize(path: path, byteCount: size)) { try DataKeyFile.loadOrCreate(path: path) }
        }

        let target = directory.path + "/real.key"
        _ = try DataKeyFile.loadOrCreate(path: target)
        let link = directory.path + "/link.key"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(throws: DataKeyFileError.notARegularFile(path: link)) { try DataKeyFile.load(path: link) }
        #expect(throws: DataKeyFileError.notARegularFile(path: link)) { try DataKeyFile.loadOrCreate(path: link) }

        let subdirectory = directory.path + "/dir.key"
        try FileManager.default.createDirectory(atPath: subdirectory, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        #expect(throws: DataKeyFileError.notARegularFile(path: subdirectory)) { try DataKeyFile.load(path: subdirectory) }

        let noDirectory = directory.path + "/absent/data.key"
        #expect(throws: DataKeyFileError.self) { try DataKeyFile.loadOrCreate(path: noDirectory) }
    }

    @Test("a key file owned by another user is refused", .enabled(if: geteuid() == 0, "needs root to chown"))
    func refusesOtherOwner() throws {
        let directory = try TemporaryDirectory("datakey")
        defer { directory.remove() }
        let path = directory.path + "/data.key"
        _ = try DataKeyFile.loadOrCreate(path: path)
        #expect(chown(path, 65534, 65534) == 0)
        #expect(throws: DataKeyFileError.wrongOwner(path: path, owner: 65534)) { try DataKeyFile.load(path: path) }
    }
}
