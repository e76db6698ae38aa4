@testable import AuthCore
import AuthCrypto
import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

/// Rewrites event `seq` of the log in `directory` with `transform` and recomputes the hash chain forward, with the
/// head record: what someone with write access to the data directory can do. The chain then verifies again.
func rewriteEventAndRechain(_ directory: String, seq: UInt64, _ transform: ([UInt8]) -> [UInt8]) throws {
    let env = try Environment(path: directory)
    let log = try env.openDatabase("log", flags: [])
    let meta = try env.openDatabase("meta", flags: [])
    try env.write { txn in
        let headRecord = try #require(try txn.get(meta, key: Array("head".utf8)))
        let headSeq = try #require(EventCodec.seq(fromKey: Array(headRecord[0..<8])))
        var previous = seq == 1 ? EventCodec.genesisHash : Array(try #require(try txn.get(log, key: EventCodec.seqKey(seq - 1)))[0..<32])
        for current in seq...headSeq {
            let stored = try #require(try txn.get(log, key: EventCodec.seqKey(current)))
            var bytes = Array(stored[32...])
            if current == seq { bytes = transform(bytes) }
            let hash = EventCodec.chainHash(previous: previous, seq: current, eventBytes: bytes)
            try txn.put(log, key: EventCodec.seqKey(current), value: EventCodec.storedValue(hash: hash, eventBytes: bytes))
            previous = hash
        }
        try txn.put(meta, key: Array("head".utf8), value: Array(headRecord[0..<8]) + previous + Array(headRecord[40..<48]))
    }
}

/// `bytes` with the first occurrence of `old` replaced by `new` (same length).
func replacing(_ old: String, with new: String, in bytes: [UInt8]) -> [UInt8] {
    let needle = Array(old.utf8)
    var out = bytes
    guard let start = (0...(bytes.count - needle.count)).first(where: { Array(bytes[$0..<$0 + needle.count]) == needle }) else { return bytes }
    out.replaceSubrange(start..<start + needle.count, with: Array(new.utf8))
    return out
}

@Suite("Head anchoring", .serialized)
struct AnchorTests {
    /// A log of `count` passkey registrations with request ids `req-00001`..., checkpointed into `anchorFile` after
    /// each seq in `checkpointsAt`.
    static func makeLog(_ dir: String, count: Int, anchorFile: String, key: SigningKey, checkpointsAt: Set<Int>) throws {
        let store = try EventStore(path: dir, projections: DomainProjections.all)
        defer { store.close() }
        let sink = try AnchorSink(path: anchorFile, key: key)
        for index in 1...count {
            let request = RequestInfo(requestID: String(format: "req-%05d", index), clientIP: "203.0.113.9", userAgent: "test/1.0")
            let passkey = PasskeyRegistered(
                userID: "usr_anchor", credentialID: "cred-\(index)", publicKey: [1, 2, 3], algorithm: -7, signCount: 0,
                aaguid: "00000000-0000-0000-0000-000000000000", backupEligible: false, backupState: false, transports: [],
                attestationFormat: "none", name: "key \(index)")
            _ = try store.executeSync { context in
                try context.emit(passkey, actor: Actor(kind: .user, id: "usr_anchor"), request: request)
            }
            if checkpointsAt.contains(index) { #expect(try sink.append(try store.head(), at: store.clock.now())) }
        }
    }

    @Test("an event rewritten with the chain recomputed passes a plain verify but fails verify --anchors")
    func rewriteDetectedByAnchors() throws {
        let dir = try TemporaryDirectory("anchor-data")
        let outside = try TemporaryDirectory("anchor-outside")
        defer {
            dir.remove()
            outside.remove()
        }
        let key = try SigningKey.generate(.eddsa)
        let anchorFile = outside.path + "/anchors"
        let publicKeyFile = outside.path + "/anchor.pub"
        try key.publicKey.pem.write(toFile: publicKeyFile, atomically: true, encoding: .utf8)
        try Self.makeLog(dir.path, count: 120, anchorFile: anchorFile, key: key, checkpointsAt: [60, 120])
        let anchored = ["verify", "--data", dir.path, "--anchors", anchorFile, "--anchor-public-key", publicKeyFile]

        let before = try ToolRun.run("authctl", anchored)
        #expect(before.status == 0, "\(before.output)\(before.stderr)")
        #expect(before.output.contains("anchors: ok (2 checkpoints, newest seq 120)"))

        try rewriteEventAndRechain(dir.path, seq: 30) { replacing("req-00030", with: "req-99930", in: $0) }

        let plain = try ToolRun.run("authctl", ["verify", "--data", dir.path])
        #expect(plain.status == 0, "the rewrite is internally consistent: \(plain.output)\(plain.stderr)")
        #expect(plain.output.contains("chain: ok") && plain.output.contains("internal consistency only"))
        let after = try ToolRun.run("authctl", anchored)
        #expect(after.status == 1, "\(after.output)\(after.stderr)")
        #expect(after.output.contains("anchors: MISMATCH at line 1: checkpoint of seq 60"), "\(after.output)")
    }

    @Test("forged, foreign-key and beyond-the-head checkpoints fail; an incomplete last line is ignored")
    func checkpointFailures() throws {
        let dir = try TemporaryDirectory("anchor-lib")
        defer { dir.remove() }
        let key = try SigningKey.generate(.eddsa)
        let anchorFile = dir.path + "-anchors"
        defer { try? FileManager.default.removeItem(atPath: anchorFile) }
        try Self.makeLog(dir.path, count: 10, anchorFile: anchorFile, key: key, checkpointsAt: [5, 10])
        let text = try String(contentsOfFile: anchorFile, encoding: .utf8)
        var options = Environment.Options()
        options.readOnly = true
        let env = try Environment(path: dir.path, options: options)

        let good = try AnchorVerifier.verify(environment: env, anchors: text, publicKey: key.publicKey)
        #expect(good.ok && good.checkpoints == 2 && good.newestSeq == 10)
        let partial = try AnchorVerifier.verify(environment: env, anchors: text + "authlog-checkpoint-v1 11 ab", publicKey: key.publicKey)
        #expect(partial.ok && partial.incompleteLastLine)

        // The hash of the first line altered: its signature no longer verifies.
        var lines = text.split(separator: "\n").map(String.init)
        var fields = lines[0].split(separator: " ").map(String.init)
        fields[2] = String(repeating: "0", count: 64)
        lines[0] = fields.joined(separator: " ")
        let forged = try AnchorVerifier.verify(environment: env, anchors: lines.joined(separator: "\n") + "\n", publicKey: key.publicKey)
        #expect(forged.failure?.line == 1 && forged.failure?.reason.contains("signature") == true)

        let other = try SigningKey.generate(.eddsa)
        let foreign = try AnchorVerifier.verify(environment: env, anchors: text, publicKey: other.publicKey)
        #expect(foreign.failure?.reason.contains("signature") == true)

        // A correctly signed checkpoint of a seq the log does not have (the log was cut off).
        let beyond = HeadCheckpoint(seq: 50, hash: [UInt8](repeating: 7, count: 32), time: Timestamp(seconds: 1_800_000_000))
        let line = beyond.line(signature: try key.sign(Array(beyond.signedText.utf8)))
        let cut = try AnchorVerifier.verify(environment: env, anchors: text + line, publicKey: key.publicKey)
        #expect(cut.failure?.line == 3 && cut.failure?.reason.contains("no such event") == true)
    }

    @Test("authd refuses anchor paths inside the data directory")
    func authdRefusesAnchorsInsideData() throws {
        let dir = try TemporaryDirectory("anchor-authd")
        let outside = try TemporaryDirectory("anchor-authd-out")
        defer {
            dir.remove()
            outside.remove()
        }
        let keyFile = outside.path + "/anchor.key"
        let key = try SigningKey.generate(.eddsa)
        #expect(FileManager.default.createFile(atPath: keyFile, contents: Data(try key.pkcs8PEM().utf8), attributes: [.posixPermissions: 0o600]))
        let run = try ToolRun.run("authd", ["serve", "--data", dir.path, "--listen", "127.0.0.1:1", "--anchor-key", keyFile, "--anchor-file", dir.path + "/sub/../anchors"])
        #expect(run.status != 0 && !run.signaled)
        #expect(run.stderr.contains("inside the data directory"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/anchors"))
    }

    @Test("authd writes signed checkpoints to its anchor file; the log verifies against them after a clean stop")
    func authdWritesCheckpoints() async throws {
        let dir = try TemporaryDirectory("anchor-authd-run")
        let outside = try TemporaryDirectory("anchor-authd-run-out")
        defer {
            dir.remove()
            outside.remove()
        }
        let key = try SigningKey.generate(.eddsa)
        let keyFile = outside.path + "/anchor.key"
        let anchorFile = outside.path + "/anchors"
        let publicKeyFile = outside.path + "/anchor.pub"
        #expect(FileManager.default.createFile(atPath: keyFile, contents: Data(try key.pkcs8PEM().utf8), attributes: [.posixPermissions: 0o600]))
        try key.publicKey.pem.write(toFile: publicKeyFile, atomically: true, encoding: .utf8)
        let port = Int.random(in: 20_000...60_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.executable("authd"))
        process.arguments = [
            "serve", "--data", dir.path, "--listen", "127.0.0.1:\(port)", "--anchor-key", keyFile,
            "--anchor-file", anchorFile, "--anchor-interval", "1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first start records its signing key, so the head is past 0 and a checkpoint follows at once.
        let start = Date()
        while (try? String(contentsOfFile: anchorFile, encoding: .utf8))?.hasSuffix("\n") != true && Date().timeIntervalSince(start) < 30 {
            try await Task.sleep(for: .milliseconds(50))
        }
        // Only a server that listens has its signal handlers (a SIGTERM earlier ends it uncleanly).
        #expect(try await waitUntilListening(port: port))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = try String(contentsOfFile: anchorFile, encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix(HeadCheckpoint.tag + " ") })
        var info = stat()
        #expect(stat(anchorFile, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let verify = try ToolRun.run("authctl", ["verify", "--data", dir.path, "--anchors", anchorFile, "--anchor-public-key", publicKeyFile])
        #expect(verify.status == 0, "\(verify.output)\(verify.stderr)")
        #expect(verify.output.contains("anchors: ok"))
    }
}
