extension AESGCM {
    /// The output of AES-GCM sealing: nonce, ciphertext (same length as the plaintext) and tag.
    public struct SealedBox: Sendable, Equatable {
        /// The 12-byte nonce.
        public let nonce: [UInt8]
        /// The ciphertext.
        public let ciphertext: [UInt8]
        /// The 16-byte authentication tag.
        public let tag: [UInt8]

        /// Assembles a box from its parts (as received); sizes are checked when it is opened.
        public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
            self.nonce = nonce
            self.ciphertext = ciphertext
            self.tag = tag
        }

        /// Splits the combined form `nonce || ciphertext || tag`. Throws `.invalidInput` if it is shorter
        /// than a nonce and a tag.
        public init(combined: [UInt8]) throws(CryptoError) {
            guard combined.count >= AESGCM.nonceByteCount + AESGCM.tagByteCount else {
                throw CryptoError(.invalidInput, "AES-GCM combined box is shorter than nonce and tag")
            }
            nonce = Array(combined[..<AESGCM.nonceByteCount])
            ciphertext = Array(combined[AESGCM.nonceByteCount..<(combined.count - AESGCM.tagByteCount)])
            tag = Array(combined[(combined.count - AESGCM.tagByteCount)...])
        }

        /// The combined form `nonce || ciphertext || tag`, for storage.
        public var combined: [UInt8] { nonce + ciphertext + tag }
    }
}
