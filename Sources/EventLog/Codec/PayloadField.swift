/// What a payload field holds, as CBOR and as rendered to JSON (``EventJSON``): the kinds the event schemas use.
public enum PayloadFieldKind: String, Sendable, CaseIterable {
    /// A text string (JSON string).
    case text
    /// A byte string (JSON string, base64url).
    case bytes
    /// A signed integer (JSON integer); times are integer microseconds.
    case int
    /// An unsigned integer (JSON integer).
    case uint
    /// A boolean (JSON boolean).
    case bool
    /// An array of text strings (JSON array of strings).
    case textArray = "text-array"
}

/// A payload field's name, kind and presence: what the event schemas, the in-place readers' checks and the
/// documentation compare against (``PayloadField`` without its accessors).
public struct PayloadFieldDescriptor: Sendable, Equatable, CustomStringConvertible {
    /// The CBOR map key (and JSON property name).
    public let name: String
    public let kind: PayloadFieldKind
    /// Whether the field may be absent (an absent value is omitted from the map, never written as null).
    public let isOptional: Bool

    /// A field `name` of `kind`, optional or required.
    package init(name: String, kind: PayloadFieldKind, isOptional: Bool) {
        self.name = name
        self.kind = kind
        self.isOptional = isOptional
    }

    public var description: String { "\(name): \(kind.rawValue)\(isOptional ? "?" : "")" }
}

/// One field of an event payload, declared once: its key, its kind, and the stored property of the event it is
/// written from and read into. An event type's list of fields (`payloadFields`) is the single source of its payload
/// shape: ``write(_:to:)`` writes the fields in the declared order (which fixes the stored bytes), and
/// ``read(into:from:)`` reads them by name.
public struct PayloadField<Root>: Sendable {
    public let descriptor: PayloadFieldDescriptor
    private let writeValue: @Sendable (Root, inout PayloadWriter) -> Void
    private let readValue: @Sendable (inout Root, PayloadReader) throws(EventDecodingError) -> Void

    private init(
        _ name: String, _ kind: PayloadFieldKind, optional: Bool, write: @escaping @Sendable (Root, inout PayloadWriter) -> Void,
        read: @escaping @Sendable (inout Root, PayloadReader) throws(EventDecodingError) -> Void
    ) {
        descriptor = PayloadFieldDescriptor(name: name, kind: kind, isOptional: optional)
        writeValue = write
        readValue = read
    }

    /// The field's key.
    public var name: String { descriptor.name }

    /// Appends this field of `root` to `writer` (nothing for an absent optional).
    public func write(_ root: Root, to writer: inout PayloadWriter) { writeValue(root, &writer) }

    /// Reads this field from `reader` into `root`.
    public func read(into root: inout Root, from reader: PayloadReader) throws(EventDecodingError) { try readValue(&root, reader) }

    /// A required text field.
    public static func text(_ name: String, _ path: any WritableKeyPath<Root, String> & Sendable) -> Self {
        Self(name, .text, optional: false, write: { root, writer in writer.add(name, root[keyPath: path]) },
             read: { (root, reader) throws(EventDecodingError) in root[keyPath: path] = try reader.string(name) })
    }

    /// An optional text field (omitted when nil).
    public static func optionalText(_ name: String, _ path: any WritableKeyPath<Root, String?> & Sendable) -> Self {
        Self(name, .text, optional: true, write: { root, writer in writer.add(name, root[keyPath: path]) },
             read: { (root, reader) throws(EventDecodingError) in root[keyPath: path] = try reader.optionalString(name) })
    }

    /// A required byte-string field.
    public static func bytes(_ name: String, _ path: any WritableKeyPath<Root, [UInt8]> & Sendable) -> Self {
        Self(name, .bytes, optional: false, write: { root, writer in writer.add(name, bytes: root[keyPath: path]) },
             read: { (root, reader) throws(EventDecodingError) in root[keyPath: path] = try reader.bytes(name) })
    }

    /// A list of byte strings of `size` bytes each, stored as one byte string of them concatenated (the payload
    /// codec has no list of byte strings).
    public static func concatenatedBytes(_ name: String, _ path: any WritableKeyPath<Root, [[UInt8]]> & Sendable, size: Int) -> Self {
        Self(name, .bytes, optional: false, write: { root, writer in writer.add(name, bytes: root[keyPath: path].flatMap { $0 }) },
             read: { (root, reader) throws(EventDecodingError) in
                let joined = try reader.bytes(name)
                guard joined.count % size == 0 else { throw .malformed("\(name) is not a list of \(size)-byte hashes") }
                root[keyPath: path] = stride(from: 0, to: joined.count, by: size).map { Array(joined[$0..<($0 + size)]) }
             })
    }

    /// A required signed integer field.
    public static func int(_ name: String, _ path: any WritableKeyPath<Root, Int64> & Sendable) -> Self {
        Self(name, .int, optional: false, write: { root, writer in writer.add(name, root[keyPath: path]) },
             read: { (root, reader) throws(EventDecodingError) in root[keyPath: path] = try reader.int(name) })
    }

    /// A required time, as integer microseconds since the epoch.
    public static func timestamp(_ name: String, _ path: any WritableKeyPath<Root, Timestamp> & Sendable) -> Self {
        Self(name, .int, optional: false, write: { root, writer in writer.add(name, root[keyPath: path].microseconds) },
             read: { (root, reader) throws(EventDecodingError) in root[keyPath: path] = Timestamp(microseconds: try reader.int(name)) })
    }

    /// An optional time, as integer microseconds since the epoch (omitted when nil).
    public static func optionalTimestamp(_ name: String, _ path: any WritableKeyPath<Root, Timestamp?> & Sendable) -> Self {
        Self(name, .int, optional: true, write: { root, writer in writer.add(name, root[keyPath: path]?.microseconds) },
             read: { (root, reader) throws(EventDecodingError) in root[keyPath: path] = try reader.optionalInt(name).map(Timestamp.init(microseconds:)) })
    }

    /// A required unsigned integer field.
    public static func uint(_ name: String, _ path: any WritableKeyPath<Root, UInt64> & Sendable) -> Self {
        Self(name, .uint, optional: false, write: { root, writer in writer.add(name, root[keyPath: path]) },
             read: { (root, reader) throws(EventDecodingError) in root[keyPath: path] = try reader.uint(name) })
    }

    /// A required boolean field.
    public static func bool(_ name: String, _ path: any WritableKeyPath<Root, Bool> & Sendable) -> Self {
        Self(name, .bool, optional: false, write: { root, writer in writer.add(name, root[keyPath: path]) },
             read: { (root, reader) throws(EventDecodingError) in root[keyPath: path] = try reader.bool(name) })
    }

    /// A required array-of-text field.
    public static func textArray(_ name: String, _ path: any WritableKeyPath<Root, [String]> & Sendable) -> Self {
        Self(name, .textArray, optional: false, write: { root, writer in writer.add(name, root[keyPath: path]) },
             read: { (root, reader) throws(EventDecodingError) in root[keyPath: path] = try reader.strings(name) })
    }
}

extension Array {
    /// Writes every field of `root`, in the declared order.
    public func write<Root>(_ root: Root, to writer: inout PayloadWriter) where Element == PayloadField<Root> {
        for field in self { field.write(root, to: &writer) }
    }

    /// Reads every field from `reader` into `root` (a value whose every declared property is overwritten).
    public func read<Root>(into root: inout Root, from reader: PayloadReader) throws(EventDecodingError) where Element == PayloadField<Root> {
        for field in self { try field.read(into: &root, from: reader) }
    }
}
