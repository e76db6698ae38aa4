/// A request's personal fields sealed by the caller before its command was queued, so that the single writer need
/// not seal them (nonce generation and AES-GCM run on the caller's thread, in parallel with the writer).
///
/// The store's ``RequestSealer`` adopts the sealed texts only for the first event of a command that carries them
/// (a nonce is never used twice), only if that event belongs to `userID`, the plaintexts are the request's own, and
/// the stored state they were sealed against (`basis`: the user's sealed key as stored) is unchanged in the write
/// transaction; in every other case it seals in the transaction as it would without them.
public struct PresealedRequest: Sendable, Hashable, Codable {
    /// The user whose key sealed the fields.
    public var userID: String
    /// The stored bytes the sealing depended on, compared byte for byte inside the transaction.
    public var basis: [UInt8]
    /// The plaintext client IP that was sealed.
    public var clientIP: String?
    /// The plaintext user agent that was sealed.
    public var userAgent: String?
    /// The sealed form of ``clientIP``.
    public var sealedClientIP: String?
    /// The sealed form of ``userAgent``.
    public var sealedUserAgent: String?

    /// Creates a presealing.
    public init(userID: String, basis: [UInt8], clientIP: String?, userAgent: String?, sealedClientIP: String?, sealedUserAgent: String?) {
        self.userID = userID
        self.basis = basis
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.sealedClientIP = sealedClientIP
        self.sealedUserAgent = sealedUserAgent
    }
}
