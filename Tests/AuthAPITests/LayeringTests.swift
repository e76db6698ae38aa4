import AuthCore
import Foundation
import Testing

/// The API layer stays thin: events are built only in AuthCore (commands take plain inputs and emit their events), and
/// a route runs one command rather than composing commands in a transaction of its own.
@Suite struct LayeringTests {
    /// The Swift sources of the AuthAPI target, by file name.
    static func apiSources() throws -> [(name: String, text: String)] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/AuthAPI").standardized
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }.sorted()
        return try names.map { ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// Whether `text` names the identifier `name` (not as part of a longer identifier).
    static func mentions(_ text: String, _ name: String) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let found = text.range(of: name, range: searchRange) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            let isPart = { (c: Character?) in c.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false }
            if !isPart(before) && !isPart(after) { return true }
            searchRange = found.upperBound..<text.endIndex
        }
        return false
    }

    @Test func noRouteFileNamesAnEventType() throws {
        let sources = try Self.apiSources()
        #expect(sources.count > 10)
        let eventTypes = EventCatalog.all.map { String(describing: $0) }
        #expect(eventTypes.contains("PasskeyRegistered") && eventTypes.contains("LoginMFARequired"))
        for (name, text) in sources {
            for type in eventTypes {
                #expect(!Self.mentions(text, type), "\(name) names the event type \(type): build it in an AuthCore command")
            }
        }
    }

    /// `store.execute { ... }` with a closure is how a route would compose commands itself; the only one left is the
    /// readiness probe's empty transaction.
    @Test func noRouteComposesCommandsInATransaction() throws {
        var uses: [String] = []
        for (name, text) in try Self.apiSources() {
            for line in text.split(separator: "\n") where line.contains("store.execute") || line.contains(".run(&") {
                uses.append("\(name): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(uses == ["AuthService.swift: (try? await store.execute { _ in true }) ?? false"], "\(uses)")
    }
}
