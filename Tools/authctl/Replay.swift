import ArgumentParser
import AuditKit
import AuthCore
import EventLog
import Foundation

/// `authctl replay`: the events, filtered, as an aligned table or JSON lines; `--follow` tails new commits.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print events, filtered by user, session, family, credential, type, time or seq.",
        discussion: "Stream filters use the forensic index (no full scan); several stream filters intersect.")

    @OptionGroup var options: DataOptions

    @Option(help: "User id or email.") var user: String?
    @Option(help: "Session id.") var session: String?
    @Option(help: "Refresh-token family id.") var family: String?
    @Option(help: "Credential (passkey) id.") var credential: String?
    @Option(name: .customLong("type"), help: "Event type or prefix (e.g. refresh.); repeatable.") var types: [String] = []
    @Option(help: "From this time (RFC 3339 or relative like 2h).") var since: String?
    @Option(help: "Until this time (RFC 3339 or relative).") var until: String?
    @Option(help: "From this seq.") var fromSeq: UInt64?
    @Option(help: "Up to this seq.") var toSeq: UInt64?
    @Option(help: "table (default) or json (one object per line).") var format: OutputFormat = .table
    @Flag(help: "Keep running and print new events as they are committed.") var follow = false

    enum OutputFormat: String, ExpressibleByArgument { case table, json }

    func run() throws {
        let range: AuditSeqRange
        do {
            range = try AuditSeqRange(from: fromSeq, to: toSeq)
        } catch {
            throw ValidationError(error.description)
        }
        let since = try self.since.map { try parseTime($0) }
        let until = try self.until.map { try parseTime($0) }
        let reader = try openReader(options)
        let vault = try openVault(options, reader)
        let streams = try reader.read { context -> [StreamRef] in
            var streams: [StreamRef] = []
            if let user { streams.append(StreamRef(.user, try resolveUser(user, in: context, vault: vault))) }
            if let session { streams.append(StreamRef(.session, session)) }
            if let family { streams.append(StreamRef(.family, family)) }
            if let credential { streams.append(PasskeysProjection.stream(credential)) }
            return streams
        }
        if format == .table { writeLine(EventTable.header) }
        var last = range.first - 1
        func matches(_ event: RecordedEvent) -> Bool {
            if !types.isEmpty && !types.contains(where: { event.type == $0 || event.type.hasPrefix($0) }) { return false }
            if let since, event.timestamp < since { return false }
            if let until, event.timestamp > until { return false }
            return true
        }
        /// Prints `event` with its personal data opened (``PersonalDataVault/erased`` for a deleted user).
        func emit(_ event: RecordedEvent, _ context: ReadContext) throws {
            let queries = Queries(context, vault: vault)
            let request = try queries.request(of: event)
            let payloadText = try queries.sealedPayloadText(of: event)
            writeLine(
                format == .json
                    ? EventJSON.render(event, request: request, payloadText: payloadText)
                    : EventTable.row(event, request: request, payloadText: payloadText))
        }
        /// Prints matching events after `last`; returns false once past `toSeq`.
        func pass() throws -> Bool {
            try reader.read { context -> Bool in
                let head = try context.head().seq
                let upper = min(head, range.last)
                guard upper > last else { return range.last > last }
                if streams.isEmpty {
                    try context.forEachEvent(from: last + 1) { event in
                        guard event.seq <= upper else { return false }
                        if matches(event) { try emit(event, context) }
                        last = event.seq
                        return true
                    }
                } else {
                    var seqs = try context.seqs(in: streams[0], from: last + 1)
                    for stream in streams.dropFirst() {
                        let other = Set(try context.seqs(in: stream, from: last + 1))
                        seqs = seqs.filter(other.contains)
                    }
                    for seq in seqs where seq <= upper {
                        if let event = try context.event(seq), matches(event) { try emit(event, context) }
                    }
                    last = upper
                }
                fflush(nil)
                return upper < range.last
            }
        }
        var more = try pass()
        while follow && more {
            Thread.sleep(forTimeInterval: 0.2)
            more = try pass()
        }
    }
}
