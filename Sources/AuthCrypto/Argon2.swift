import CArgon2

/// Raw Argon2 (RFC 9106) through libargon2's `argon2_ctx`, with every input the RFC defines: secret key K
/// and associated data X included. Password storage should use `Argon2id`'s PHC strings instead.
public enum Argon2 {
    /// The Argon2 variant.
    public enum Variant: String, Sendable, CaseIterable {
        /// Argon2d: data-dependent addressing (not for passwords).
        case argon2d
        /// Argon2i: data-independent addressing.
        case argon2i
        /// Argon2id: the hybrid RFC 9106 recommends for passwords.
        case argon2id

        var cType: argon2_type {
            switch self {
            case .argon2d: Argon2_d
            case .argon2i: Argon2_i
            case .argon2id: Argon2_id
            }
        }
    }

    /// The algorithm version: 0x13 (19) is current; 0x10 (16) only verifies legacy hashes.
    public enum Version: UInt32, Sendable, CaseIterable {
        /// Version 1.0 (0x10), legacy.
        case v10 = 0x10
        /// Version 1.3 (0x13), RFC 9106.
        case v13 = 0x13
    }

    /// Computes an Argon2 tag of `tagLength` bytes. libargon2's own limits apply (salt at least 8 bytes,
    /// memory at least 8 KiB per lane, tag at least 4 bytes); violations throw `.invalidInput` with its message.
    /// Memory above `Argon2id.maximumMemoryKiB` and tags above 1024 bytes are refused the same way.
    public static func hash(
        variant: Variant, version: Version = .v13,
        password: [UInt8], salt: [UInt8], secret: [UInt8] = [], associatedData: [UInt8] = [],
        memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32, tagLength: Int = 32
    ) throws(CryptoError) -> [UInt8] {
        guard tagLength >= 4, tagLength <= 1024 else { throw CryptoError(.invalidInput, "Argon2 tag length must be 4...1024 bytes") }
        guard memoryKiB <= Argon2id.maximumMemoryKiB else { throw CryptoError(.invalidInput, "Argon2 memory above \(Argon2id.maximumMemoryKiB) KiB") }
        var tag = [UInt8](repeating: 0, count: tagLength)
        // libargon2 takes non-const pointers but only reads these (no clear-password/secret flags are set).
        var passwordCopy = password, saltCopy = salt, secretCopy = secret, adCopy = associatedData
        let status: Int32 = tag.withUnsafeMutableBufferPointer { tagBuffer in
            passwordCopy.withUnsafeMutableBufferPointer { passwordBuffer in
                saltCopy.withUnsafeMutableBufferPointer { saltBuffer in
                    secretCopy.withUnsafeMutableBufferPointer { secretBuffer in
                        adCopy.withUnsafeMutableBufferPointer { adBuffer in
                            var context = argon2_context(
                                out: tagBuffer.baseAddress, outlen: UInt32(tagBuffer.count),
                                pwd: passwordBuffer.baseAddress, pwdlen: UInt32(passwordBuffer.count),
                                salt: saltBuffer.baseAddress, saltlen: UInt32(saltBuffer.count),
                                secret: secretBuffer.baseAddress, secretlen: UInt32(secretBuffer.count),
                                ad: adBuffer.baseAddress, adlen: UInt32(adBuffer.count),
                                t_cost: iterations, m_cost: memoryKiB, lanes: parallelism, threads: parallelism,
                                version: version.rawValue, allocate_cbk: nil, free_cbk: nil, flags: 0)
                            return argon2_ctx(&context, variant.cType)
                        }
                    }
                }
            }
        }
        guard status == ARGON2_OK.rawValue else { throw Argon2.error(status, "argon2_ctx") }
        return tag
    }

    /// A `CryptoError` for a libargon2 status code, with its message.
    static func error(_ status: Int32, _ operation: String) -> CryptoError {
        let message = String(cString: argon2_error_message(status))
        let kind: CryptoError.Kind = status == ARGON2_MEMORY_ALLOCATION_ERROR.rawValue ? .library : .invalidInput
        return CryptoError(kind, "\(operation): \(message)")
    }
}
