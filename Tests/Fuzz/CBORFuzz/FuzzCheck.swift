import CBOR

/// The properties checked on every fuzz input. Any violation traps, which libFuzzer (or the
/// plain runner) reports as a crash.
enum FuzzCheck {
    static let decoders: [(name: String, decoder: CBORDecoder)] = [
        ("strict", CBORDecoder()),
        ("indefinite", CBORDecoder(allowIndefinite: true)),
        ("canonical", CBORDecoder(requireCanonical: true)),
        ("small-limits", CBORDecoder(
            limits: .init(maxDepth: 3, maxInputSize: 512, maxItemsPerContainer: 4, maxStringLength: 8),
            allowIndefinite: true
        )),
    ]

    /// Runs every decoder over `bytes` and checks the invariants; with `summarize`, returns a
    /// one-line summary per decoder (the fuzzer skips building them).
    @discardableResult
    static func run(_ bytes: [UInt8], summarize: Bool) -> [String] {
        var summary: [String] = []
        for (name, decoder) in decoders {
            do {
                let value = try decoder.decode(bytes)
                try checkDecoded(value, input: bytes, decoder: decoder)
                if summarize { summary.append("\(name): ok \(value)") }
            } catch let error as CBORError {
                require(error.offset >= 0 && error.offset <= max(bytes.count, decoder.limits.maxInputSize),
                        "error offset \(error.offset) out of range for \(bytes.count) bytes")
                if summarize { summary.append("\(name): \(error)") }
            } catch {
                require(false, "unexpected error type \(error)")
            }
            if let (value, consumed) = try? decoder.decodePrefix(bytes) {
                require(consumed > 0 && consumed <= bytes.count, "decodePrefix consumed \(consumed) of \(bytes.count)")
                let whole = try? decoder.decode(Array(bytes[..<consumed]))
                require(whole == value, "decodePrefix value differs from decoding its own bytes")
            }
        }
        return summary
    }

    /// Invariants for a successfully decoded value.
    private static func checkDecoded(_ value: CBORValue, input: [UInt8], decoder: CBORDecoder) throws {
        let encoder = CBOREncoder()
        // Whatever decodes re-encodes (the decoder never yields unencodable simple values),
        // and the re-encoding decodes to an equal value under the strict default decoder.
        let encoded = try encoder.encode(value)
        require((try? CBORDecoder().decode(encoded)) == value, "re-encoding does not decode to the same value")
        // Canonical input is exactly what the encoder produces.
        if decoder.requireCanonical {
            require(encoded == input, "canonical input does not re-encode identically")
        }
        // After sorting map keys the encoding is canonical (keys are unique after decoding).
        let sorted = try encoder.sortingMapKeys(value)
        let canonicalBytes = try encoder.encode(sorted)
        require((try? CBORDecoder(requireCanonical: true).decode(canonicalBytes)) == sorted,
                "sorted re-encoding is not accepted as canonical")
        _ = value.jsonString()
        _ = value.description
    }

    /// Traps with `message` unless `condition` holds.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("CBOR fuzz invariant violated: \(message())") }
    }
}
