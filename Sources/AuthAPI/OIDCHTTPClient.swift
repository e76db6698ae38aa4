import AsyncHTTPClient
import Foundation
import NIOCore

/// Why an outbound call to a provider failed: the provider is down, slow or answered 5xx (`unavailable`), or it
/// answered something we refuse (`refused`: 4xx, too large, not JSON).
enum ProviderCallError: Error, Sendable, Equatable {
    case unavailable(String)
    case refused(String)
}

/// The outbound HTTP client for external login providers (AsyncHTTPClient): TLS verification on (the system
/// trust store), no redirects followed, 5 s to connect and between reads, 5 s for the whole call, response bodies
/// capped at 512 KiB.
final class OIDCHTTPClient: Sendable {
    /// Seconds a call may take in all.
    static let timeoutSeconds: Int64 = 5
    /// The largest response body read.
    static let maximumResponseBytes = 512 * 1024

    private let client: HTTPClient

    init() {
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(Self.timeoutSeconds), read: .seconds(Self.timeoutSeconds)),
            connectionPool: HTTPClient.Configuration.ConnectionPool())
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Stops the client (its connections close).
    func shutdown() {
        try? client.syncShutdown()
    }

    /// `GET url` with `Accept: application/json` (and a bearer token if given); the body of a 2xx answer.
    func get(_ url: String, bearer: String? = nil) async throws(ProviderCallError) -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer " + bearer) }
        return try await execute(request)
    }

    /// `POST url` with a form body (and HTTP Basic credentials if given); the body of a 2xx answer.
    func postForm(_ url: String, form: [(String, String)], basic: (user: String, password: String)?) async throws(ProviderCallError) -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if let basic {
            // RFC 6749 §2.3.1: the client id and secret are form-encoded before Basic encoding.
            let pair = Self.formEncode(basic.user) + ":" + Self.formEncode(basic.password)
            request.headers.add(name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
        }
        request.body = .bytes(ByteBuffer(string: form.map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")))
        return try await execute(request)
    }

    private func execute(_ request: HTTPClientRequest) async throws(ProviderCallError) -> [UInt8] {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(Self.timeoutSeconds))
        } catch {
            throw .unavailable("\(error)")
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: Self.maximumResponseBytes)
        } catch {
            throw .refused("response body: \(error)")
        }
        switch response.status.code {
        case 200..<300: return Array(buffer: body)
        case 500...: throw .unavailable("status \(response.status.code)")
        default: throw .refused("status \(response.status.code)")
        }
    }

    /// RFC 3986's unreserved characters: everything else is percent-encoded in form values.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `application/x-www-form-urlencoded` encoding of one name or value.
    static func formEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
