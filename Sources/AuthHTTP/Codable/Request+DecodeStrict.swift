import Hummingbird

extension Request {
    /// Decodes a JSON request body strictly (see ``StrictJSONDecoder``), after checking the transport:
    ///
    /// - `Content-Type` must be `application/json` (parameters allowed; a `charset` must be UTF-8), else 415;
    /// - a `Content-Length` above `context.maxUploadSize` is refused before reading, and reading stops
    ///   at the limit for chunked bodies: 413;
    /// - then the body must pass ``StrictJSONDecoder/decode(_:from:)``: 400 naming the field.
    ///
    /// - Throws: ``Problem``.
    public func decodeStrict<T: StrictDecodable>(as type: T.Type = T.self, context: some RequestContext) async throws(Problem) -> T {
        let bytes = try await jsonBodyBytes(context: context)
        return try StrictJSONDecoder.decode(T.self, from: bytes)
    }

    /// The raw bytes of an `application/json` body, with the same media type and size checks as
    /// ``decodeStrict(as:context:)``, for bodies parsed by another strict reader (WebAuthn responses).
    ///
    /// - Throws: ``Problem``.
    public func jsonBodyBytes(context: some RequestContext) async throws(Problem) -> [UInt8] {
        try await jsonBodyBytes(limit: context.maxUploadSize)
    }

    /// ``jsonBodyBytes(context:)`` with the body limit given (`context.maxUploadSize`): not generic, so a caller in
    /// another module runs specialized code.
    ///
    /// - Throws: ``Problem``.
    public func jsonBodyBytes(limit: Int) async throws(Problem) -> [UInt8] {
        guard Self.isJSONMediaType(headers.value(of: .contentType)) else {
            throw .unsupportedMediaType(expected: "application/json")
        }
        if let declared = headers.value(of: .contentLength), let length = Int(declared), length > limit {
            throw .contentTooLarge(limit: limit)
        }
        let bytes: [UInt8]
        do {
            let buffer = try await body.collect(upTo: limit)
            bytes = Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw .contentTooLarge(limit: limit)
        } catch {
            throw .badRequest("request body could not be read")
        }
        return bytes
    }

    /// Whether a `Content-Type` value is `application/json`, optionally with parameters, where a
    /// `charset` parameter, if any, is `utf-8`.
    static func isJSONMediaType(_ value: String?) -> Bool {
        guard let value else { return false }
        if value == "application/json" { return true }  // the usual value, without splitting or lowercasing
        let parts = value.split(separator: ";", omittingEmptySubsequences: false)
        guard let mediaType = parts.first, mediaType.trimmingSpaces().lowercased() == "application/json" else {
            return false
        }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return false }
            if pair[0].trimmingSpaces().lowercased() == "charset" {
                var charset = pair[1].trimmingSpaces().lowercased()
                if charset.hasPrefix("\""), charset.hasSuffix("\""), charset.count >= 2 {
                    charset = String(charset.dropFirst().dropLast())
                }
                guard charset == "utf-8" || charset == "utf8" else { return false }
            }
        }
        return true
    }
}
