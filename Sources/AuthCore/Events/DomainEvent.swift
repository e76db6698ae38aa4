import EventLog

/// A typed event of the auth domain: its type name, schema version, streams and payload codec.
///
/// Versioning never edits an old event: a changed shape gets a new version whose decoder still reads the old
/// versions (``upcast(from:fields:)``), and a changed meaning gets a new type.
public protocol DomainEvent: Sendable, Equatable {
    /// Dotted, past-tense type, e.g. `session.created`.
    static var type: String { get }
    /// The current schema version (what this code writes).
    static var version: Int { get }
    /// Versions this code can still read (always includes ``version``).
    static var readableVersions: ClosedRange<Int> { get }
    /// The streams this event belongs to (user, session, family, credential).
    var streams: [StreamRef] { get }
    /// The payload's fields in their stored order: the one declaration of the payload (key, kind, required or
    /// optional, and the property it is written from and read into). ``encode(to:)`` and ``init(fields:)`` work from
    /// it; the tests hold the JSON Schema (`schema/events/<type>/v<version>.json`), the stored bytes
    /// (`Tests/fixtures/event-payloads.txt`) and the projections' in-place readers to it.
    static var payloadFields: [PayloadField<Self>] { get }
    /// Reads a payload of an older version into the current type.
    static func upcast(from version: Int, fields: PayloadReader) throws -> Self
    /// A representative instance, used by the schema tests and the documentation.
    static var example: Self { get }
}

extension DomainEvent {
    public static var readableVersions: ClosedRange<Int> { version...version }

    /// Writes the payload fields, in the declared order (``payloadFields``).
    public func encode(to writer: inout PayloadWriter) {
        Self.payloadFields.write(self, to: &writer)
    }

    /// Reads a payload of the current version: every declared field, into a copy of ``example`` (each of whose
    /// stored properties is declared, so none keeps the example's value; `PayloadDeclarationTests` checks that).
    public init(fields: PayloadReader) throws {
        var event = Self.example
        try Self.payloadFields.read(into: &event, from: fields)
        self = event
    }

    public static func upcast(from version: Int, fields: PayloadReader) throws -> Self {
        throw EventDecodingError.unknownType(type, version)
    }

    /// Decodes a recorded event of this type (any readable version).
    public init(_ event: RecordedEvent) throws {
        guard event.type == Self.type else { throw EventDecodingError.unknownType(event.type, event.version) }
        let fields = try event.fields()
        if event.version == Self.version {
            self = try Self(fields: fields)
        } else if Self.readableVersions.contains(event.version) {
            self = try Self.upcast(from: event.version, fields: fields)
        } else {
            throw EventDecodingError.unknownType(event.type, event.version)
        }
    }

    /// The payload bytes.
    public var payload: [UInt8] {
        var writer = PayloadWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// This event, ready to append.
    public func pending(actor: Actor, request: RequestInfo) -> PendingEvent {
        PendingEvent(type: Self.type, version: Self.version, actor: actor, request: request, streams: streams, payload: payload)
    }
}

extension CommandContext {
    /// Appends a domain event.
    @discardableResult
    public mutating func emit(_ event: some DomainEvent, actor: Actor, request: RequestInfo) throws -> RecordedEvent {
        try emit(event.pending(actor: actor, request: request))
    }
}
