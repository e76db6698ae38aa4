import ArgumentParser
import AuthCore
import EventLog
import Foundation

/// `authctl schema-examples`: prints one example of every event type the code writes, as JSON lines (used by the
/// schema tests to validate against `schema/events/`).
struct SchemaExamples: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema-examples", abstract: "Print an example event of every type as JSON lines (for schema tests).")

    func run() throws {
        let directory = NSTemporaryDirectory() + "authctl-examples-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try EventStore(path: directory, projections: [], clock: ManualClock())
        defer { store.close() }
        let request = RequestInfo(requestID: "req_example", clientIP: "203.0.113.7", userAgent: "Example/1.0")
        for type in EventCatalog.all {
            let event = type.example.pending(actor: .user("usr_example"), request: request)
            let recorded = try store.executeSync { context in try context.emit(event) }
            writeLine(EventJSON.render(recorded))
        }
    }
}
