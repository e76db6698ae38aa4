// swift-tools-version:6.0
import PackageDescription

/// Settings shared by every target, tests included.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "authlog",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "authd", targets: ["authd"]),
        .executable(name: "authctl", targets: ["authctl"]),
        .executable(name: "authbench", targets: ["authbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // MARK: C libraries (system packages), each imported by exactly one Swift target.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // The CPU's prefetch hint (one static inline function), for the rebuild's reading of batched events.
        .target(name: "CPrefetch"),

        // MARK: Safe Swift APIs over the C libraries.
        // The one hex/base64url encoding and the one JSON string escaper (no dependencies; AuthCrypto re-exports it).
        .target(name: "TextEncoding", swiftSettings: swiftSettings),
        .target(name: "LMDB", dependencies: ["CLMDB"], swiftSettings: swiftSettings),
        .target(name: "AuthCrypto", dependencies: ["COpenSSL", "CArgon2", "TextEncoding"], swiftSettings: swiftSettings),
        .target(name: "CBOR", dependencies: ["TextEncoding"], swiftSettings: swiftSettings),
        .target(name: "StrictJSON", dependencies: ["TextEncoding"], swiftSettings: swiftSettings),
        .target(name: "JOSE", dependencies: ["AuthCrypto", "StrictJSON"], swiftSettings: swiftSettings),
        .target(name: "WebAuthn", dependencies: ["CBOR", "AuthCrypto", "StrictJSON"], swiftSettings: swiftSettings),
        .target(name: "OTP", dependencies: ["AuthCrypto"], swiftSettings: swiftSettings),
        // libpq's blocking client: one connection per thread (the log's writer, the follower).
        .target(name: "Postgres", dependencies: ["CLibPQ"], swiftSettings: swiftSettings),

        // MARK: The event log spine: log, chain, store and its writer, the projection protocol, the verifier's digest.
        .target(name: "EventLog", dependencies: ["LMDB", "AuthCrypto", "CBOR", "TextEncoding"], swiftSettings: swiftSettings),

        // MARK: The PostgreSQL engine: a shared log (head, events, each batch's write set) that every node's LMDB
        // environment replicates; several authd nodes serve one log.
        .target(name: "PostgresLog", dependencies: ["EventLog", "LMDB", "Postgres"], swiftSettings: swiftSettings),

        // MARK: The rebuild engine: every projection folded from one parallel pass over the log into in-memory
        // tables, compared with the live ones and swapped in; fast folds; `authctl verify`'s fold; scratch state.
        .target(
            name: "ProjectionRebuild", dependencies: ["EventLog", "LMDB", "AuthCrypto", "CPrefetch"], swiftSettings: swiftSettings),

        // MARK: Domain: events, commands, projections (with their opt-in fast folds), queries.
        .target(name: "AuthCore", dependencies: ["EventLog", "ProjectionRebuild", "AuthCrypto", "CBOR", "StrictJSON"], swiftSettings: swiftSettings),

        // MARK: Audits: user resolution, the event table, refresh-family investigation reports, state snapshots
        // (the logic of `authctl`, which only parses arguments and prints).
        .target(
            name: "AuditKit", dependencies: ["AuthCore", "EventLog", "ProjectionRebuild", "LMDB", "AuthCrypto", "TextEncoding"],
            swiftSettings: swiftSettings),

        // MARK: HTTP infrastructure: request context, problem details, middleware, limiter, worker pool, server.
        .target(
            name: "AuthHTTP",
            dependencies: [
                "AuthCrypto", "StrictJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The HTTP auth API: routes, request authentication, rate limits, signing keys.
        .target(
            name: "AuthAPI",
            dependencies: [
                "AuthCore", "AuthHTTP", "JOSE", "AuthCrypto", "EventLog", "WebAuthn", "LMDB", "CBOR", "OTP",
                "StrictJSON", "TextEncoding",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            // The demo page (DemoRoutes.swift), copied byte for byte into the `authlog_AuthAPI.resources` bundle.
            resources: [.copy("Resources/demo.html"), .copy("Resources/demo.js"), .copy("Resources/demo.css")],
            swiftSettings: swiftSettings
        ),

        // MARK: Notices to users, read from the log (the log is the outbox): SMTP or a directory of .eml files.
        .target(
            name: "Notifications",
            dependencies: [
                "AuthCore", "EventLog", "LMDB", "AuthCrypto", "OTP", "COpenSSL", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables.
        .executableTarget(
            name: "authd",
            dependencies: [
                "AuthCore", "AuthCrypto", "EventLog", "ProjectionRebuild", "AuthHTTP", "AuthAPI", "Notifications", "OTP",
                "PostgresLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "authctl",
            dependencies: [
                "AuditKit", "AuthCore", "EventLog", "ProjectionRebuild", "LMDB", "AuthCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/authctl",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "authbench",
            dependencies: [
                "AuthCore", "EventLog", "ProjectionRebuild", "LMDB", "AuthCrypto", "AuthAPI", "AuthHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/authbench",
            swiftSettings: swiftSettings
        ),

        // MARK: Fuzzing: a plain input checker by default; a libFuzzer binary when built with
        // -DCBOR_FUZZ -sanitize=fuzzer,address (see Tests/Fuzz/run-cbor-fuzz.sh).
        .executableTarget(name: "CBORFuzz", dependencies: ["CBOR"], path: "Tests/Fuzz/CBORFuzz", swiftSettings: swiftSettings),

        // MARK: Tests, one target per library target, plus shared helpers.
        .target(name: "TestSupport", dependencies: ["EventLog", "Postgres", "PostgresLog"], path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "AuthCryptoTests", dependencies: ["AuthCrypto", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "CBORTests", dependencies: ["CBOR"], swiftSettings: swiftSettings),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "TextEncodingTests", dependencies: ["TextEncoding", "StrictJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "JOSETests", dependencies: ["JOSE", "AuthCrypto", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "WebAuthnTests", dependencies: ["WebAuthn", "CBOR", "AuthCrypto", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "OTPTests", dependencies: ["OTP", "AuthCrypto", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "EventLogTests", dependencies: ["EventLog", "ProjectionRebuild", "LMDB", "AuthCrypto", "TextEncoding", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PostgresLogTests", dependencies: ["PostgresLog", "EventLog", "LMDB", "AuthCrypto", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ProjectionRebuildTests", dependencies: ["ProjectionRebuild", "EventLog", "LMDB", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AuthCoreTests", dependencies: ["AuthCore", "EventLog", "ProjectionRebuild", "LMDB", "AuthCrypto", "StrictJSON", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AuditKitTests", dependencies: ["AuditKit", "AuthCore", "EventLog", "ProjectionRebuild", "LMDB", "AuthCrypto", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "NotificationsTests",
            dependencies: ["Notifications", "AuthCore", "EventLog", "AuthCrypto", "OTP", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AuthHTTPTests",
            dependencies: ["AuthHTTP", "StrictJSON", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AuthdTests",
            dependencies: ["authd", "AuthHTTP", "AuthAPI", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AuthAPITests",
            dependencies: [
                "AuthAPI", "AuthCore", "AuthHTTP", "AuthCrypto", "JOSE", "EventLog", "ProjectionRebuild", "LMDB", "TestSupport",
                "WebAuthn", "CBOR", "OTP",
                "Notifications", .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
