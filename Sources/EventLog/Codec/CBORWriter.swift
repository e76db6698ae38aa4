/// Appends deterministic CBOR (RFC 8949 §4.2.1 shortest form) for the subset events use.
struct CBORWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    @inline(__always)
    mutating func head(_ major: UInt8, _ argument: UInt64) {
        let m = major << 5
        switch argument {
        case 0..<24:
            bytes.append(m | UInt8(argument))
        case 24..<0x100:
            bytes.append(m | 24)
            bytes.append(UInt8(argument))
        case 0x100..<0x1_0000:
            bytes.append(m | 25)
            bytes.append(UInt8(argument >> 8))
            bytes.append(UInt8(truncatingIfNeeded: argument))
        case 0x1_0000..<0x1_0000_0000:
            bytes.append(m | 26)
            for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: argument >> UInt64(shift))) }
        default:
            bytes.append(m | 27)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: argument >> UInt64(shift))) }
        }
    }

    mutating func uint(_ value: UInt64) { head(0, value) }

    mutating func int(_ value: Int64) {
        if value >= 0 { head(0, UInt64(value)) } else { head(1, UInt64(-1 - value)) }
    }

    mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            head(3, UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// The text string `kind:id` of `stream` (``StreamRef/description``), written from the two parts' bytes in place.
    mutating func text(_ stream: StreamRef) {
        var kind = stream.kind.rawValue, id = stream.id
        kind.withUTF8 { kind in
            id.withUTF8 { id in
                head(3, UInt64(kind.count + 1 + id.count))
                bytes.append(contentsOf: kind)
                bytes.append(UInt8(ascii: ":"))
                bytes.append(contentsOf: id)
            }
        }
    }

    /// A text string from its UTF-8 bytes (the same encoding as ``text(_:)`` of that string).
    mutating func text(utf8 value: some Collection<UInt8>) {
        head(3, UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func byteString(_ value: [UInt8]) {
        head(2, UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func bool(_ value: Bool) { bytes.append(value ? 0xF5 : 0xF4) }

    mutating func null() { bytes.append(0xF6) }

    mutating func optionalText(_ value: String?) {
        if let value { text(value) } else { null() }
    }
}
