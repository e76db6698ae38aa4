import ArgumentParser
import AuthCrypto
import EventLog
import Foundation

/// `authctl verify`: hash chain end to end, head record, optional anchored head, and live projections == rebuilt.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the hash chain and that the live projections equal a rebuild from the log.",
        discussion: "Exits 1 and names the first bad seq (chain) or table/key (projections) on failure.")

    @OptionGroup var options: DataOptions

    @Option(help: "A head recorded earlier by `authctl head` (SEQ:HASH); fails if that event is missing or differs.")
    var expectHead: String?

    func run() throws {
        var expected: (UInt64, [UInt8])?
        if let expectHead {
            let parts = expectHead.split(separator: ":")
            guard parts.count == 2, let seq = UInt64(parts[0]), let hash = Encoding.fromHex(parts[1]), hash.count == 32 else {
                throw ValidationError("--expect-head takes SEQ:HASH (64 hex digits), as printed by `authctl head`")
            }
            expected = (seq, hash)
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
