import AuthCrypto
import AuthHTTP
import Foundation

/// A token-bucket rate: `capacity` attempts at once, refilled at `perSecond`.
public struct RateLimit: Sendable, Equatable {
    /// Burst size.
    public var capacity: Double
    /// Refill per second.
    public var perSecond: Double

    /// Creates a rate.
    public init(capacity: Double, perSecond: Double) {
        self.capacity = capacity
        self.perSecond = perSecond
    }

    /// `count` attempts per `seconds`, all of them usable at once.
    public static func burst(_ count: Double, per seconds: Double) -> RateLimit {
        RateLimit(capacity: count, perSecond: count / seconds)
    }
}

/// Everything the HTTP API needs beyond ``ServerConfiguration``. The defaults are the production values.
public struct AuthAPIOptions: Sendable {
    /// The server configuration (issuer, origins, admin key, argon2, lifetimes, grace, data directory).
    public var configuration: ServerConfiguration
    /// Threads hashing passwords; about the number of cores. Peak hashing memory is this × argon2 memory.
    public var hashingThreads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Hashing jobs that may wait for a thread; beyond that requests get 503 with `Retry-After`.
    public var hashingQueue: Int = 32
    /// Login attempts per client IP.
    public var loginPerIP = RateLimit.burst(20, per: 60)
    /// Failed password logins per account and client (a known device, or a client address), and other attempts per
    /// account (second factor, recovery, re-authentication).
    public var loginPerAccount = RateLimit(capacity: 10, perSecond: 1.0 / 30)
    /// Failed password logins per account from all clients without a device cookie together.
    public var loginStrangersPerAccount = RateLimit(capacity: 50, perSecond: 1.0 / 6)
    /// Refresh requests with an unknown or malformed token per client IP (valid tokens are not counted).
    public var refreshFailuresPerIP = RateLimit(capacity: 60, perSecond: 1)
    /// How long a refresh request refused by that limit is held before its 429 (at most 10,000 held at once): a
    /// flood that never waits gets one answer per this delay per connection instead of the CPU.
    public var refreshRefusalDelay: Duration = .seconds(1)
    /// Registrations per client IP.
    public var registerPerIP = RateLimit(capacity: 10, perSecond: 1.0 / 60)
    /// Password-reset and verification-mail requests per client IP.
    public var accountMailPerIP = RateLimit(capacity: 10, perSecond: 1.0 / 60)
    /// Password-reset and verification-mail requests per email address, the same for addresses with and without an
    /// account (a second request seconds after the first goes through: it supersedes the first link).
    public var accountMailPerEmail = RateLimit(capacity: 3, perSecond: 1.0 / 600)
    /// The most keys each rate-limiter table tracks. The per-IP limiters then drop their least recently used buckets;
    /// the per-account limiter keeps registered accounts in a table of their own that drops only refilled buckets (and
    /// otherwise refuses new accounts until some refill), and unregistered emails in an LRU table beside it.
    public var maxLimiterKeys = 100_000
    /// At most one `login.throttled` event per key per this many seconds.
    public var throttleRecordWindow: Double = 60
    /// The algorithm of a signing key generated on first start.
    public var signingAlgorithm: SignatureAlgorithm = .es256
    /// Seconds a retired signing key stays in the JWKS after the next one became current.
    public var keyOverlap: Int64 = 86_400
    /// The `aud` of access tokens; the issuer by default.
    public var audience: String?
    /// The session cookie's name.
    public var cookieName = "__Host-session"

    /// Options for `configuration` with the production defaults.
    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
    }

    /// The argon2id parameters new hashes use.
    public var argon2: Argon2id.Parameters {
        Argon2id.Parameters(
            memoryKiB: UInt32(configuration.argon2MemoryKiB), iterations: UInt32(configuration.argon2Iterations),
            parallelism: UInt32(configuration.argon2Parallelism))
    }
}
