import StrictJSON

/// The structure check of request bodies: valid RFC 8259 JSON (the shared strict parser), no duplicate object keys at
/// any depth, bounded nesting, and an object at the top, whose keys it returns in document order.
///
/// `JSONDecoder` silently accepts duplicate keys and ignores unknown ones; ``StrictJSONDecoder`` runs this check
/// first so both are caught.
public enum JSONStructureScanner {
    /// Why a document was rejected.
    public enum Failure: Error, Equatable, Sendable {
        /// Not valid JSON (or a number beyond a double); `offset` is the byte where parsing stopped.
        case syntax(offset: Int)
        /// Not valid UTF-8.
        case invalidUTF8
        /// Nested deeper than the allowed depth.
        case tooDeep(limit: Int)
        /// An object has the same key twice; `path` names it (`a.b`, `items[0].id`).
        case duplicateKey(path: String)
        /// Valid JSON, but the top-level value is not an object.
        case notAnObject
    }

    /// The default nesting limit.
    public static let defaultMaxDepth = 64

    /// Checks `bytes` and returns the top-level object's keys in document order.
    /// - Throws: ``Failure`` if the document is not valid JSON, has duplicate keys, is nested deeper than
    ///   `maxDepth`, or is not an object.
    public static func topLevelKeys(in bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(Failure) -> [String] {
        try topLevelObject(in: bytes, maxDepth: maxDepth).keys
    }

    /// Checks `bytes` as ``topLevelKeys(in:maxDepth:)`` does and returns the top-level object: its members, and its
    /// keys in document order.
    public static func topLevelObject(
        in bytes: [UInt8], maxDepth: Int = defaultMaxDepth
    ) throws(Failure) -> (members: [String: StrictJSON.JSONValue], keys: [String]) {
        let parsed: (members: [String: StrictJSON.JSONValue], keys: [String])?
        do throws(StrictJSONError) {
            parsed = try StrictJSONParser.parseObject(bytes, maximumDepth: maxDepth)
        } catch {
            switch error {
            case .invalidUTF8: throw .invalidUTF8
            case let .syntax(offset), let .numberOutOfRange(offset): throw .syntax(offset: offset)
            case let .duplicateKey(_, path): throw .duplicateKey(path: path)
            case let .tooDeep(limit): throw .tooDeep(limit: limit)
            }
        }
        guard let parsed else { throw .notAnObject }
        return parsed
    }
}
