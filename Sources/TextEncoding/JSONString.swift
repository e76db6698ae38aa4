/// JSON string literals (RFC 8259 §7): the one string escaper of every JSON this package writes — event
/// renderings and `authctl` reports read by auditors on terminals, HTTP bodies, JOSE headers and claims, CBOR as JSON.
///
/// `"` and `\` are escaped, newline, carriage return and tab as `\n`, `\r`, `\t`; every other C0 control, DEL,
/// every C1 control (U+0080–U+009F), the line and paragraph separators (U+2028, U+2029) and the bidi embedding,
/// override and isolate controls (U+202A–U+202E, U+2066–U+2069) as `\u` and four lowercase hex digits, so that no
/// raw control reaches a terminal and no text reads differently from its bytes. Everything else is written as UTF-8.
/// The output is valid JSON that parses back to the same string.
public enum JSONString {
    /// `text` as a JSON string literal, quotes included.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal (UTF-8, quotes included) to `out`.
    public static func append(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Fast path: no byte that starts something to escape (C0, `"`, `\`, DEL; 0xC2 leads U+0080–U+00BF and 0xE2
        // leads U+2000–U+2FFF, which hold the C1 controls, the separators and the bidi controls).
        // The bytes are scanned and copied in place, small (inline) strings included, not through the UTF-8 view's
        // index walk.
        var text = text
        let plain = text.withUTF8 { bytes in
            guard !bytes.contains(where: needsEscapeCheck) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case "\\": out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case "\n": out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case "\r": out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case "\t": out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            default:
                if mustEscape(scalar) {
                    let value = scalar.value
                    out += [UInt8(ascii: "\\"), UInt8(ascii: "u")]
                    for shift in [12, 8, 4, 0] as [UInt32] { out.append(hexDigits[Int(value >> shift & 0xF)]) }
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether `byte` may start something that is escaped (C0, `"`, `\`, DEL, or the lead bytes 0xC2 and 0xE2).
    @inline(__always)
    static func needsEscapeCheck(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xC2 || byte == 0xE2
    }

    /// Appends `text` as a JSON string literal to `out`.
    public static func append(_ text: String, to out: inout String) {
        out += quoted(text)
    }

    /// Whether `scalar` is written as a `\u` escape: a C0 or C1 control, DEL, a line or paragraph separator, or a bidi
    /// embedding, override or isolate control (`"`, `\` and the short escapes `\n`, `\r`, `\t` aside).
    public static func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
