import AuthAPI
import AuthCore
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import LMDB
import Synchronization
import Testing

@Suite struct RefreshTests {
    @Test func rotationAndReuseDetection() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let first = try await client.refresh(login.refreshToken)
            #expect(first.status == .ok, "\(text(first))")
            #expect(first.headers[.cacheControl] == "no-store")
            let rotated = object(first)
            let next = rotated["refresh_token"] as? String ?? ""
            #expect(next != login.refreshToken && OpaqueToken.hash(of: next) != nil)
            #expect(rotated["token_type"] as? String == "Bearer" && rotated["expires_in"] as? Int == 900)
            let access = rotated["access_token"] as? String ?? ""
            #expect(try await client.get("/v1/session", bearer: access).status == .ok)

            let second = try await client.refresh(next)
            #expect(second.status == .ok)
            let newest = object(second)["refresh_token"] as? String ?? ""

            // The first token again: reuse. 401, and the whole family and its session are gone.
            let reuse = try await client.post(
                "/v1/token/refresh", ["refresh_token": login.refreshToken], headers: [.userAgent: "thief/1.0"])
            #expect(expectProblem(reuse, .unauthorized)["type"] as? String == "urn:authd:problem:invalid-refresh-token")
            expectProblem(try await client.refresh(newest), .unauthorized)
            expectProblem(try await client.get("/v1/session", bearer: access), .unauthorized)
            // Garbage gets the same answer.
            expectProblem(try await client.refresh("not a token"), .unauthorized)
        }
        let rotations = try harness.events(RefreshRotated.self)
        #expect(rotations.count == 2 && rotations.allSatisfy { !$0.grace })
        #expect(rotations[1].parentHash == rotations[0].childHash)
        let reuse = try harness.recorded(RefreshReuseDetected.type)
        #expect(reuse.count == 1)
        #expect(reuse.first?.request.userAgent == "thief/1.0")
        #expect(try harness.events(RefreshFamilyRevoked.self).map(\.reason) == ["reuse_detected"])
        #expect(try harness.events(SessionRevoked.self).map(\.reason) == ["refresh_reuse"])
        // Order: reuse_detected, family_revoked, session.revoked.
        let tail = try harness.store.read { context -> [String] in
            let head = try context.head().seq
            return try (head - 2...head).map { try context.event($0)!.type }
        }
        #expect(tail == [RefreshReuseDetected.type, RefreshFamilyRevoked.type, SessionRevoked.type])
    }

    @Test func graceWindowOn() async throws {
        let harness = try Harness { $0.configuration.refreshGrace = 30 }
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            #expect(try await client.refresh(login.refreshToken).status == .ok)
            harness.clock.advance(seconds: 5)
            // Second tab, same parent, inside the window: not theft.
            let again = try await client.refresh(login.refreshToken)
            #expect(again.status == .ok)
            let graceChild = object(again)["refresh_token"] as? String ?? ""
            #expect(try await client.refresh(graceChild).status == .ok)
            harness.clock.advance(seconds: 30)
            // Outside the window: reuse.
            expectProblem(try await client.refresh(login.refreshToken), .unauthorized)
        }
        #expect(try harness.events(RefreshRotated.self).map(\.grace) == [false, true, false])
        #expect(try harness.events(RefreshReuseDetected.self).count == 1)
    }

    @Test func graceWindowOff() async throws {
        let harness = try Harness { $0.configuration.refreshGrace = 0 }
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            #expect(try await client.refresh(login.refreshToken).status == .ok)
            expectProblem(try await client.refresh(login.refreshToken), .unauthorized)
        }
        #expect(try harness.events(RefreshReuseDetected.self).count == 1)
    }

    @Test func familiesExpire() async throws {
        let harness = try Harness { $0.configuration.refreshTTL = 3_600 }
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            harness.clock.advance(seconds: 3_601)
            expectProblem(try await client.refresh(login.refreshToken), .unauthorized)
        }
        #expect(try harness.events(RefreshRotated.self).isEmpty)
    }

    /// One refresh token presented by 1,000 concurrent requests (grace off): exactly one plain rotation wins, the
    /// first loser triggers reuse detection, the rest find a revoked family; the log rebuilds to the live state.
    @Test func thousandConcurrentPresentations() async throws {
        let harness = try Harness { $0.configuration.refreshGrace = 0 }
        let statuses = Mutex<[UInt: Int]>([:])
        try await harness.run(.ahc(.http)) { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let token = login.refreshToken
            try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<1_000 {
                    group.addTask { UInt(try await client.refresh(token).status.code) }
                }
                for try await code in group { statuses.withLock { $0[code, default: 0] += 1 } }
            }
        }
        #expect(statuses.withLock { $0 } == [200: 1, 401: 999])
        let rotations = try harness.events(RefreshRotated.self)
        #expect(rotations.count == 1 && rotations[0].grace == false)
        #expect(try harness.events(RefreshReuseDetected.self).count == 1)
        #expect(try harness.events(RefreshFamilyRevoked.self).count == 1)
        let report = try LogVerifier.verify(environment: harness.store.environment, projections: harness.store.projections)
        #expect(report.ok)
    }
}
