/// Builds an event payload: a CBOR map with text keys, written in the order given (each event type writes its
/// fields in one fixed order, so the same event always encodes to the same bytes).
public struct PayloadWriter {
    /// The map: one header byte, kept up to date while the map has fewer than 24 entries (so that ``bytes`` needs
    /// no copy), then the entries.
    private var body: CBORWriter
    private var count: UInt64 = 0 {
        didSet { if count < 24 { body.bytes[0] = 0xA0 | UInt8(count) } }
    }

    /// Creates an empty payload.
    public init() {
        body = CBORWriter(capacity: 192)
        body.bytes.append(0xA0)
    }

    /// Adds a text field.
    public mutating func add(_ key: String, _ value: String) {
        body.text(key)
        body.text(value)
        count += 1
    }

    /// Adds a text field given as its UTF-8 bytes (such as a field of another event, read in place).
    public mutating func add(_ key: String, utf8 value: some Collection<UInt8>) {
        body.text(key)
        body.text(utf8: value)
        count += 1
    }

    /// Adds a text field when `value` is not nil (absent fields are omitted, not null).
    public mutating func add(_ key: String, _ value: String?) {
        if let value { add(key, value) }
    }

    /// Adds a byte-string field.
    public mutating func add(_ key: String, bytes value: [UInt8]) {
        body.text(key)
        body.byteString(value)
        count += 1
    }

    /// Adds a signed integer field.
    public mutating func add(_ key: String, _ value: Int64) {
        body.text(key)
        body.int(value)
        count += 1
    }

    /// Adds an integer field when `value` is not nil.
    public mutating func add(_ key: String, _ value: Int64?) {
        if let value { add(key, value) }
    }

    /// Adds an unsigned integer field.
    public mutating func add(_ key: String, _ value: UInt64) {
        body.text(key)
        body.uint(value)
        count += 1
    }

    /// Adds a boolean field.
    public mutating func add(_ key: String, _ value: Bool) {
        body.text(key)
        body.bool(value)
        count += 1
    }

    /// Adds an array-of-text field.
    public mutating func add(_ key: String, _ values: [String]) {
        body.text(key)
        body.head(4, UInt64(values.count))
        for value in values { body.text(value) }
        count += 1
    }

    /// The encoded CBOR map.
    public var bytes: [UInt8] {
        if count < 24 { return body.bytes }
        var out = CBORWriter(capacity: body.bytes.count + 8)
        out.head(5, count)
        out.bytes.append(contentsOf: body.bytes[1...])
        return out.bytes
    }
}
