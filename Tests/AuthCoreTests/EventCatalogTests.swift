import AuthCore
import EventLog
import Testing

/// Every cataloged event's example survives an encode/decode round trip.
@Suite struct EventCatalogTests {
    @Test func examplesRoundTrip() throws {
        #expect(EventCatalog.all.count >= 14)
        for type in EventCatalog.all {
            try roundTrip(type)
        }
    }

    private func roundTrip<E: DomainEvent>(_ type: E.Type) throws {
        let payload = E.example.payload
        let decoded = try E(fields: try PayloadReader(payload))
        #expect(decoded == E.example, "\(E.type)")
    }
}
