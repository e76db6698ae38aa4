/// Makes text from the log safe to show on a terminal: the one escaping function of every text and table output
/// of `authctl`.
///
/// Passkey names, user agents, emails and other fields are chosen by users (or attackers). Printed raw, a control
/// character could move the cursor, rewrite earlier lines, set the window title or, with C1 or bidi controls, make
/// text read differently from its bytes — on the auditor's terminal. Every C0 control (tab and newline included, so
/// a field cannot fake a line of its own), DEL, every C1 control (U+0080–U+009F) and the bidi embedding, override
/// and isolate controls (U+202A–U+202E, U+2066–U+2069) are shown as `\u{XX}` with the scalar's hex value.
/// Everything else passes unchanged, so the escape is idempotent: escaping escaped text changes nothing.
public enum TerminalText {
    /// `text` with every unsafe scalar replaced by its visible `\u{XX}` form.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether `scalar` is a C0 or C1 control, DEL, or a bidi embedding/override/isolate control.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
