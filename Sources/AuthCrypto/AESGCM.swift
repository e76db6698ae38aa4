import COpenSSL

/// AES-256-GCM authenticated encryption (OpenSSL EVP): 32-byte key, 12-byte nonce, 16-byte tag.
public enum AESGCM {
    /// The key size in bytes (AES-256).
    public static let keyByteCount = 32
    /// The nonce size in bytes (the 96-bit GCM default).
    public static let nonceByteCount = 12
    /// The authentication tag size in bytes.
    public static let tagByteCount = 16

    /// The AES-256-GCM implementation fetched once (OpenSSL 3 otherwise looks it up by name on every init, which
    /// costs more than sealing a short field); the built-in one if the fetch fails.
    nonisolated(unsafe) private static let fetched: OpaquePointer? = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil)
    private static var cipher: OpaquePointer? { fetched ?? EVP_aes_256_gcm() }

    /// Encrypts `plaintext` under `key` with a fresh random nonce, authenticating `associatedData` too.
    /// Throws `.invalidInput` for a key that is not 32 bytes.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], authenticating associatedData: [UInt8] = []) throws(CryptoError) -> SealedBox {
        try seal(plaintext, key: key, nonce: SecureRandom.bytes(nonceByteCount), authenticating: associatedData)
    }

    /// Encrypts with a caller-chosen nonce. A nonce must never repeat under one key (that breaks both
    /// secrecy and integrity); prefer `seal(_:key:authenticating:)`, which draws a random one.
    /// Throws `.invalidInput` for a key that is not 32 bytes or a nonce that is not 12 bytes.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticating associatedData: [UInt8] = []) throws(CryptoError) -> SealedBox {
        try checkSizes(key: key, nonce: nonce, lengths: [plaintext.count, associatedData.count])
        let context = try CipherContext()
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        let ok: Bool = key.withNonNullUInt8s { keyPointer, _ in
            nonce.withNonNullUInt8s { noncePointer, _ in
                guard EVP_EncryptInit_ex(context.pointer, cipher, nil, nil, nil) == 1,
                      EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceByteCount), nil) == 1,
                      EVP_EncryptInit_ex(context.pointer, nil, nil, keyPointer, noncePointer) == 1
                else { return false }
                var written: Int32 = 0
                if !associatedData.isEmpty {
                    let status = associatedData.withNonNullUInt8s { pointer, count in
                        EVP_EncryptUpdate(context.pointer, nil, &written, pointer, Int32(count))
                    }
                    guard status == 1 else { return false }
                }
                var total = 0
                if !plaintext.isEmpty {
                    let status = plaintext.withNonNullUInt8s { input, count in
                        ciphertext.withUnsafeMutableBufferPointer { output in
                            EVP_EncryptUpdate(context.pointer, output.baseAddress, &written, input, Int32(count))
                        }
                    }
                    guard status == 1 else { return false }
                    total = Int(written)
                }
                var scratch = [UInt8](repeating: 0, count: 16)
                guard EVP_EncryptFinal_ex(context.pointer, &scratch, &written) == 1, total + Int(written) == plaintext.count
                else { return false }
                return tag.withUnsafeMutableBytes { output in
                    EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), output.baseAddress) == 1
                }
            }
        }
        guard ok else { throw CryptoError("AES-GCM seal") }
        return SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
    }

    /// Decrypts and authenticates `box` under `key` and `associatedData`. Throws `.authenticationFailed` if
    /// anything was tampered with (or the key or associated data differ), `.invalidInput` for a bad key size.
    public static func open(_ box: SealedBox, key: [UInt8], authenticating associatedData: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        try checkSizes(key: key, nonce: box.nonce, lengths: [box.ciphertext.count, associatedData.count])
        guard box.tag.count == tagByteCount else { throw CryptoError(.invalidInput, "AES-GCM tag must be \(tagByteCount) bytes") }
        let context = try CipherContext()
        var plaintext = [UInt8](repeating: 0, count: box.ciphertext.count)
        enum Outcome { case opened, setupFailed, rejected }
        let outcome: Outcome = key.withNonNullUInt8s { keyPointer, _ in
            box.nonce.withNonNullUInt8s { noncePointer, _ in
                guard EVP_DecryptInit_ex(context.pointer, cipher, nil, nil, nil) == 1,
                      EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceByteCount), nil) == 1,
                      EVP_DecryptInit_ex(context.pointer, nil, nil, keyPointer, noncePointer) == 1
                else { return .setupFailed }
                var written: Int32 = 0
                if !associatedData.isEmpty {
                    let status = associatedData.withNonNullUInt8s { pointer, count in
                        EVP_DecryptUpdate(context.pointer, nil, &written, pointer, Int32(count))
                    }
                    guard status == 1 else { return .setupFailed }
                }
                if !box.ciphertext.isEmpty {
                    let status = box.ciphertext.withNonNullUInt8s { input, count in
                        plaintext.withUnsafeMutableBufferPointer { output in
                            EVP_DecryptUpdate(context.pointer, output.baseAddress, &written, input, Int32(count))
                        }
                    }
                    guard status == 1 else { return .setupFailed }
                }
                var tag = box.tag
                let tagSet = tag.withUnsafeMutableBytes { pointer in
                    EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), pointer.baseAddress)
                }
                guard tagSet == 1 else { return .setupFailed }
                var scratch = [UInt8](repeating: 0, count: 16)
                return EVP_DecryptFinal_ex(context.pointer, &scratch, &written) == 1 ? .opened : .rejected
            }
        }
        switch outcome {
        case .opened: return plaintext
        case .rejected: throw CryptoError(.authenticationFailed, "AES-GCM open: authentication failed")
        case .setupFailed: throw CryptoError("AES-GCM open")
        }
    }

    private static func checkSizes(key: [UInt8], nonce: [UInt8], lengths: [Int]) throws(CryptoError) {
        guard lengths.allSatisfy({ $0 <= Int(Int32.max) }) else { throw CryptoError(.invalidInput, "AES-GCM input longer than 2 GiB") }
        guard key.count == keyByteCount else { throw CryptoError(.invalidInput, "AES-256-GCM key must be \(keyByteCount) bytes") }
        guard nonce.count == nonceByteCount else { throw CryptoError(.invalidInput, "AES-GCM nonce must be \(nonceByteCount) bytes") }
    }
}

/// An owned `EVP_CIPHER_CTX`, freed on deinit.
private final class CipherContext {
    let pointer: OpaquePointer

    init() throws(CryptoError) {
        guard let pointer = EVP_CIPHER_CTX_new() else { throw CryptoError("EVP_CIPHER_CTX_new") }
        self.pointer = pointer
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }
}
