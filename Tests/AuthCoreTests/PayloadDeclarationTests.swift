@testable import AuthCore
import EventLog
import Foundation
import ProjectionRebuild
import TestSupport
import Testing

/// Each event's payload is declared once (`payloadFields`); these tests hold the other descriptions of the payload
/// to it: the JSON Schema under `schema/events/`, the struct's stored properties, and the projections' in-place
/// readers (their `StaticString` keys).
@Suite struct PayloadDeclarationTests {
    @Test func declarationsMatchTheJSONSchemas() throws {
        for type in EventCatalog.all { try Self.compareWithSchema(type) }
    }

    private static func compareWithSchema<E: DomainEvent>(_ type: E.Type) throws {
        let url = Paths.repositoryRoot.appendingPathComponent("schema/events/\(E.type)/v\(E.version).json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], "\(E.type)")
        let properties = try #require(schema["properties"] as? [String: [String: Any]], "\(E.type)")
        let required = try #require(schema["required"] as? [String], "\(E.type)")
        let fields = E.payloadFields.map(\.descriptor)
        #expect(Set(properties.keys) == Set(fields.map(\.name)), "\(E.type): the schema's properties are the declared fields")
        #expect(
            Set(required) == Set(fields.filter { !$0.isOptional }.map(\.name)),
            "\(E.type): the schema's required list is the declared required fields")
        #expect(schema["additionalProperties"] as? Bool == false, "\(E.type)")
        for field in fields {
            guard let property = properties[field.name] else { continue }
            #expect(property["type"] as? String == jsonType(field.kind), "\(E.type).\(field.name): \(field.kind)")
            if field.kind == .textArray {
                #expect((property["items"] as? [String: Any])?["type"] as? String == "string", "\(E.type).\(field.name)")
            }
            if field.kind == .uint, let minimum = property["minimum"] as? Int {
                #expect(minimum >= 0, "\(E.type).\(field.name)")
            }
        }
    }

    /// The JSON type of a field as ``EventJSON`` renders it.
    private static func jsonType(_ kind: PayloadFieldKind) -> String {
        switch kind {
        case .text, .bytes: "string"
        case .int, .uint: "integer"
        case .bool: "boolean"
        case .textArray: "array"
        }
    }

    @Test func declarationsCoverEveryStoredProperty() {
        for type in EventCatalog.all { Self.checkCoverage(type) }
    }

    /// Decoding starts from the example and overwrites every declared field, so a stored property left out of the
    /// declaration would silently keep the example's value: the declaration must name as many fields as the struct
    /// stores, each name once, each property once (the round trips of the examples and ``PayloadBytesTests``'s
    /// variants then show that each field lands in its own property).
    private static func checkCoverage<E: DomainEvent>(_ type: E.Type) {
        let names = E.payloadFields.map(\.name)
        #expect(Set(names).count == names.count, "\(E.type): a field name declared twice")
        #expect(Mirror(reflecting: E.example).children.count == names.count, "\(E.type): declared fields vs stored properties")
    }

    @Test func everyStoredPropertyIsRead() throws {
        for type in EventCatalog.all { try Self.checkEveryPropertyRead(type) }
    }

    /// A payload whose every field differs from the example's decodes into a value whose every stored property
    /// differs from the example's: no property keeps the template's value.
    private static func checkEveryPropertyRead<E: DomainEvent>(_ type: E.Type) throws {
        var writer = PayloadWriter()
        for field in E.payloadFields.map(\.descriptor) {
            switch field.kind {
            case .text: writer.add(field.name, "\u{2603}different")
            case .bytes: writer.add(field.name, bytes: [UInt8](repeating: 0x99, count: 64))
            case .int: writer.add(field.name, Int64(-123_456_789))
            case .uint: writer.add(field.name, UInt64(987_654_321))
            case .bool: writer.add(field.name, !(Self.exampleBool(E.example, field.name) ?? false))
            case .textArray: writer.add(field.name, ["\u{2603}a", "\u{2603}b", "\u{2603}c"])
            }
        }
        let decoded = try E(fields: PayloadReader(writer.bytes))
        let example = Mirror(reflecting: E.example).children.map { "\($0.value)" }
        let read = Mirror(reflecting: decoded).children.map { "\($0.value)" }
        for (index, (before, after)) in zip(example, read).enumerated() {
            #expect(before != after, "\(E.type): stored property \(index) is not read from the payload")
        }
    }

    /// The example's value of the boolean field `name` (so that the different payload has the other one).
    private static func exampleBool<E: DomainEvent>(_ example: E, _ name: String) -> Bool? {
        var writer = PayloadWriter()
        example.encode(to: &writer)
        return try? PayloadReader(writer.bytes).bool(name)
    }

    @Test func inPlaceReadsAreCheckedAgainstTheDeclaration() async throws {
        #if DEBUG
        let dir = try TemporaryDirectory("in-place-declared")
        defer { dir.remove() }
        let store = try EventStore(path: dir.path, projections: [], clock: ManualClock())
        defer { store.close() }
        // A session.created with one field more than it declares.
        var payload = PayloadWriter()
        SessionCreated.example.encode(to: &payload)
        payload.add("extra", "stored but not declared")
        let session = try await store.append([PendingEvent(
            type: SessionCreated.type, version: SessionCreated.version, actor: .anonymous, request: .none,
            streams: SessionCreated.example.streams, payload: payload.bytes)])[0]
        let sessionID = try SessionCreated.withFieldsInPlace(session) { String(decoding: try $0.text("session_id"), as: UTF8.self) }
        #expect(sessionID == SessionCreated.example.sessionID)
        #expect(try SessionCreated.withFieldsInPlace(session) { try $0.int("expires_at") } == SessionCreated.example.expiresAt.microseconds)
        // Stored, but not declared: refused.
        #expect(Self.refusedAsUndeclared { _ = try SessionCreated.withFieldsInPlace(session) { try $0.text("extra") } })
        // Declared with another kind: refused before the bytes are looked at.
        #expect(Self.refusedAsUndeclared { _ = try SessionCreated.withFieldsInPlace(session) { try $0.byteString("session_id") } })
        // Declared optional, read as required: refused even where it is present.
        let verified = try await store.append([MFATOTPVerified.example.pending(actor: .anonymous, request: .none)])[0]
        #expect(Self.refusedAsUndeclared { _ = try MFATOTPVerified.withFieldsInPlace(verified) { try $0.text("challenge_id") } })
        #endif
    }

    private static func refusedAsUndeclared(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch EventDecodingError.malformed(let why) {
            return why.contains("declare")
        } catch {
            return false
        }
    }

    @Test func everyInPlaceReaderRunsOnTheExamples() async throws {
        // Every example through every projection, live and rebuilt: every in-place reader reads an event written
        // from its declaration (and, in debug builds, checks its keys against it).
        let dir = try TemporaryDirectory("in-place-examples")
        defer { dir.remove() }
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
        defer { store.close() }
        for type in EventCatalog.all {
            _ = try await store.append([type.example.pending(actor: .system, request: .none)])
        }
        let report = try Rebuilder.rebuild(store: store)
        #expect(report.differingTables.isEmpty)
    }
}

extension DomainEvent {
    /// ``withFieldsInPlace(_:_:)`` on an event outside a rebuild's batches (through a ``FoldEvent`` view of it).
    fileprivate static func withFieldsInPlace<R>(_ event: RecordedEvent, _ body: (inout PayloadFieldCursor) throws -> R) throws -> R {
        try FoldEvent.withView(of: event) { try withFieldsInPlace($0, body) }
    }
}
