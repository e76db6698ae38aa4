import ArgumentParser
import AuditKit
import AuthCrypto
import EventLog
import Foundation
import ProjectionRebuild

/// `authctl verify`: hash chain end to end, head record, optional anchored head, and live projections == rebuilt.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the hash chain and that the live projections equal a rebuild from the log.",
        discussion: """
            Exits 1 and names the first bad seq (chain) or table/key (projections) on failure. With --store, the \
            node's replica is caught up and checked so, and then the shared log too: its chain recomputed over \
            authd_log from seq 1, every row equal to the replica's entry, its head equal to the chain's end, and \
            --expect-head present in it.
            """)

    @OptionGroup var options: DataOptions

    @Option(help: "A head recorded earlier by `authctl head` (SEQ:HASH); fails if that event is missing or differs.")
    var expectHead: String?

    @Option(help: "An anchor file written by `authd --anchor-file`: every signed checkpoint must match the log.")
    var anchors: String?

    @Option(help: "The anchoring public key (PEM, Ed25519) that signed the --anchors checkpoints.")
    var anchorPublicKey: String?

    func run() throws {
        var expected: (UInt64, [UInt8])?
        if let expectHead {
            let parts = expectHead.split(separator: ":")
            guard parts.count == 2, let seq = UInt64(parts[0]), let hash = Encoding.fromHex(parts[1]), hash.count == 32 else {
                throw ValidationError("--expect-head takes SEQ:HASH (64 hex digits), as printed by `authctl head`")
            }
            expected = (seq, hash)
        }
        guard (anchors == nil) == (anchorPublicKey == nil) else {
            throw ValidationError("--anchors and --anchor-public-key go together")
        }
        var anchorInput: (text: String, key: PublicKey)?
        if let anchors, let anchorPublicKey {
            guard let text = try? String(contentsOfFile: anchors, encoding: .utf8) else { throw ValidationError("cannot read \(anchors)") }
            guard let pem = try? String(contentsOfFile: anchorPublicKey, encoding: .utf8), let key = try? PublicKey(pem: pem) else {
                throw ValidationError("\(anchorPublicKey) is not a PEM public key")
            }
            anchorInput = (text, key)
        }
        let environment = try options.openReadOnly()
        let progress = ProgressReporter("verify")
        let started = MonotonicClock.seconds()
        let report = try LogVerifier.verify(
            environment: environment, projections: options.projections, expectHead: expected,
            progress: { progress.update($0, $1) })
        let seconds = MonotonicClock.seconds() - started
        writeLine("events: \(report.events)")
        writeLine("head: \(report.head)")
        if let failure = report.chainFailure {
            writeLine("chain: BROKEN at seq \(failure.seq): \(failure.reason)")
            throw ExitCode(1)
        }
        writeLine("chain: ok")
        if let store = options.store {
            let shared = try SharedLogVerifier.verify(url: store, environment: environment, expectHead: expected)
            writeLine("shared_events: \(shared.events)")
            writeLine("shared_head: \(shared.head.head) (commit \(shared.head.commit))")
            if let failure = shared.failure {
                writeLine("shared_log: BROKEN at seq \(failure.seq): \(failure.reason)")
                throw ExitCode(1)
            }
            writeLine("shared_log: ok (chain recomputed, every event equal to the replica's)")
        }
        if let anchorInput {
            let anchored = try AnchorVerifier.verify(environment: environment, anchors: anchorInput.text, publicKey: anchorInput.key)
            if anchored.incompleteLastLine { writeLine("anchors: the last line is incomplete (ignored)") }
            if let failure = anchored.failure {
                writeLine("anchors: MISMATCH at line \(failure.line): \(failure.reason)")
                throw ExitCode(1)
            }
            guard anchored.checkpoints > 0 else {
                writeLine("anchors: MISMATCH: the anchor file holds no checkpoint")
                throw ExitCode(1)
            }
            writeLine("anchors: ok (\(anchored.checkpoints) checkpoints, newest seq \(anchored.newestSeq))")
        } else {
            writeLine(
                "anchors: none given: this proves internal consistency only (a log rewritten from some event on, hashes "
                    + "recomputed, passes); check it against authd's --anchor-file with --anchors and --anchor-public-key"
                    + (expected == nil ? "" : " (--expect-head pinned only the head given)"))
        }
        writeLine("live_digest: \(Encoding.hex(report.liveDigest))")
        writeLine("rebuilt_digest: \(Encoding.hex(report.rebuiltDigest))")
        if let divergence = report.divergence {
            let key = String(decoding: divergence.key, as: UTF8.self)
            let printable = key.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
            writeLine("projections: DIVERGED in \(divergence.table) at key \(printable ? key : Encoding.hex(divergence.key)): \(divergence.reason)")
            throw ExitCode(1)
        }
        writeLine("projections: ok (live == rebuilt)")
        writeLine("seconds: \(String(format: "%.3f", seconds))")
    }
}
