/// A request body type decoded by ``StrictJSONDecoder`` / `Request.decodeStrict(as:context:)`:
/// any top-level field outside ``allowedFields`` is rejected with 400 naming it.
///
/// Declare `CodingKeys` as `CaseIterable` and derive the set from it, so the two cannot drift:
/// ```swift
/// struct LoginRequest: StrictDecodable {
///     let email: String
///     let password: String
///     enum CodingKeys: String, CodingKey, CaseIterable { case email, password }
///     static let allowedFields = fields(of: CodingKeys.self)
/// }
/// ```
public protocol StrictDecodable: Decodable {
    /// The JSON member names the type accepts at the top level (optional ones included).
    static var allowedFields: Set<String> { get }
}

extension StrictDecodable {
    /// The string values of every case of `keys`, for ``allowedFields``.
    public static func fields<Keys: CodingKey & CaseIterable>(of keys: Keys.Type) -> Set<String> {
        Set(keys.allCases.map(\.stringValue))
    }
}
