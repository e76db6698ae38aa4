/// A strictly parsed Argon2 PHC string, `$argon2id$v=19$m=..,t=..,p=..$salt$hash` (the `v=` field may be
/// absent for version 0x10). Only the structure is checked here; libargon2 decodes salt and hash.
struct PHCString {
    let variant: Argon2.Variant
    let version: Argon2.Version
    let parameters: Argon2id.Parameters

    init?(_ encoded: String) {
        let bytes = Array(encoded.utf8)
        // Printable ASCII only: no NUL can cut the C string short, no lookalike characters.
        guard bytes.count <= 1024, bytes.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else { return nil }
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 5 || fields.count == 6, fields[0].isEmpty,
              let variant = Argon2.Variant(rawValue: fields[1])
        else { return nil }
        var index = 2
        var version = Argon2.Version.v10
        if fields.count == 6 {
            guard fields[2].hasPrefix("v="), let number = Self.decimal(fields[2].dropFirst(2)),
                  let parsed = Argon2.Version(rawValue: number)
            else { return nil }
            version = parsed
            index = 3
        }
        let costs = fields[index].split(separator: ",", omittingEmptySubsequences: false)
        guard costs.count == 3,
              costs[0].hasPrefix("m="), let memory = Self.decimal(costs[0].dropFirst(2)),
              costs[1].hasPrefix("t="), let iterations = Self.decimal(costs[1].dropFirst(2)),
              costs[2].hasPrefix("p="), let parallelism = Self.decimal(costs[2].dropFirst(2)),
              Self.isBase64(fields[index + 1]), Self.isBase64(fields[index + 2])
        else { return nil }
        self.variant = variant
        self.version = version
        self.parameters = Argon2id.Parameters(memoryKiB: memory, iterations: iterations, parallelism: parallelism)
    }

    /// A decimal `UInt32` without sign or leading zeros (libargon2 writes them this way).
    private static func decimal(_ text: Substring) -> UInt32? {
        guard !text.isEmpty, text.count <= 10, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              text == "0" || text.first != "0"
        else { return nil }
        return UInt32(text)
    }

    /// Non-empty unpadded standard base64 whose length is possible (not 1 mod 4).
    private static func isBase64(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count % 4 != 1 && text.utf8.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2B || byte == 0x2F
        }
    }
}
