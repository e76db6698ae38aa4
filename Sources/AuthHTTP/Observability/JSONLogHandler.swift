#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization
import TextEncoding

/// A swift-log handler writing one JSON object per line (`--log-format json`): `ts` (RFC 3339, UTC, milliseconds),
/// `level`, `label`, `msg`, then the metadata flattened into the object (handler, logger and per-call metadata, later
/// ones winning). The request id of a request's logger (`hb.request.id`) is written as `request_id`, the caller's
/// sanitised `X-Request-Id` (`client.request.id`) as `client_request_id`; other keys keep their names (a key named
/// like one of the fixed members gets a `meta.` prefix). Nested metadata (dictionaries, arrays) is written as JSON.
///
/// Every string goes through the project's one escaper (`JSONString`), so a line never contains a raw newline or
/// control character: one event, one line, whatever the message holds.
public struct JSONLogHandler: LogHandler {
    /// Where the lines go.
    public typealias Sink = @Sendable ([UInt8]) -> Void

    /// The logger's label (`authd`, `authd.http`, ...).
    public let label: String
    /// The level below which events are dropped.
    public var logLevel: Logger.Level = .info
    /// Metadata added to every line of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Adds dynamic metadata to every line, if set.
    public var metadataProvider: Logger.MetadataProvider?

    private let sink: Sink
    private let now: @Sendable () -> (seconds: Int, nanoseconds: Int)

    /// A handler writing to `sink`, with `now` giving the time as seconds and nanoseconds since 1970 (injected in tests).
    public init(
        label: String,
        metadataProvider: Logger.MetadataProvider? = nil,
        now: @escaping @Sendable () -> (seconds: Int, nanoseconds: Int) = JSONLogHandler.systemTime,
        sink: @escaping Sink
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.now = now
        self.sink = sink
    }

    /// A handler writing each line to standard error, whole lines under one process-wide lock (lines of concurrent
    /// events never interleave).
    public static func standardError(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label) { line in
            standardErrorLock.withLock { _ in
                line.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                        if written <= 0 { return }
                        offset += written
                    }
                }
            }
        }
    }

    /// Serialises the writes of every ``standardError(label:)`` handler.
    private static let standardErrorLock = Mutex(())

    /// The wall clock, for ``init(label:metadataProvider:now:sink:)``.
    public static let systemTime: @Sendable () -> (seconds: Int, nanoseconds: Int) = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int(spec.tv_sec), Int(spec.tv_nsec))
    }

    /// The metadata value stored under `key`.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one line.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        let time = now()
        sink(Self.line(time: time, level: event.level, label: label, message: event.message.description, metadata: merged))
    }

    /// The members every line starts with; metadata keys equal to one of them are prefixed with `meta.`.
    static let fixedKeys: Set<String> = ["ts", "level", "label", "msg"]

    /// One line: the JSON object and a newline. Metadata keys are written in sorted order (stable lines).
    static func line(
        time: (seconds: Int, nanoseconds: Int), level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + message.utf8.count)
        out += Array("{\"ts\":\"".utf8)
        out += Array(timestamp(seconds: time.seconds, nanoseconds: time.nanoseconds).utf8)
        out += Array("\",\"level\":".utf8)
        JSONString.append(level.rawValue, to: &out)
        out += Array(",\"label\":".utf8)
        JSONString.append(label, to: &out)
        out += Array(",\"msg\":".utf8)
        JSONString.append(message, to: &out)
        let entries = metadata.map { (memberName($0.key), $0.value) }
        for (name, value) in entries.sorted(by: { $0.0 < $1.0 }) {
            out.append(UInt8(ascii: ","))
            JSONString.append(name, to: &out)
            out.append(UInt8(ascii: ":"))
            append(value, to: &out)
        }
        out += Array("}\n".utf8)
        return out
    }

    /// The member name of a metadata key.
    static func memberName(_ key: String) -> String {
        switch key {
        case "hb.request.id": "request_id"
        case "client.request.id": "client_request_id"
        default: fixedKeys.contains(key) || key == "request_id" || key == "client_request_id" ? "meta." + key : key
        }
    }

    /// Appends a metadata value as JSON: strings and string-convertibles as strings, dictionaries as objects (keys
    /// sorted), arrays as arrays.
    static func append(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let text):
            JSONString.append(text, to: &out)
        case .stringConvertible(let convertible):
            JSONString.append(convertible.description, to: &out)
        case .dictionary(let dictionary):
            out.append(UInt8(ascii: "{"))
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.append(key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(dictionary[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let array):
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// `seconds` since 1970 as RFC 3339 in UTC with milliseconds: `2026-01-02T03:04:05.678Z`.
    static func timestamp(seconds: Int, nanoseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "."
            + pad(Int32(nanoseconds / 1_000_000), 3) + "Z"
    }
}
