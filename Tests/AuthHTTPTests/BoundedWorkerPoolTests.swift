import AuthHTTP
import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// The worker pool: results, errors, saturation, and 503 through a route.
@Suite struct BoundedWorkerPoolTests {
    struct Failure: Error, Equatable {}

    /// Occupies the pool's thread and queue with jobs that wait for `gate`; returns once they are placed.
    static func saturate(_ pool: BoundedWorkerPool, gate: DispatchSemaphore, jobs: Int) throws {
        for _ in 0..<jobs {
            try pool.submit { gate.wait() }
        }
        // Wait until the first job is running so the counts are settled.
        while pool.runningCount < pool.threadCount { usleep(1_000) }
    }

    @Test func runsWorkAndReturnsResults() async throws {
        let pool = BoundedWorkerPool(threads: 2, queueLimit: 8)
        defer { pool.shutdown() }
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for value in 0..<8 {
                group.addTask { try await pool.run { value * value } }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results.sorted() == [0, 1, 4, 9, 16, 25, 36, 49])
        await #expect(throws: Failure.self) { try await pool.run { throw Failure() } }
    }

    @Test func runsOffTheCooperativePool() async throws {
        let pool = BoundedWorkerPool(threads: 1, queueLimit: 1, name: "test-worker")
        defer { pool.shutdown() }
        #expect(!BoundedWorkerPool.isWorkerThread)
        #expect(try await pool.run { BoundedWorkerPool.isWorkerThread })
    }

    @Test func saturatedPoolThrowsImmediately() async throws {
        let pool = BoundedWorkerPool(threads: 1, queueLimit: 2, retryAfter: 7)
        let gate = DispatchSemaphore(value: 0)
        try Self.saturate(pool, gate: gate, jobs: 3)  // 1 running + 2 waiting
        #expect(pool.waitingCount == 2)
        #expect(throws: BoundedWorkerPool.Saturated(retryAfter: 7)) { try pool.submit {} }
        await #expect(throws: BoundedWorkerPool.Saturated(retryAfter: 7)) { try await pool.run { 1 } }
        for _ in 0..<3 { gate.signal() }
        // Capacity comes back once the jobs drain.
        while pool.runningCount + pool.waitingCount > 0 { usleep(1_000) }
        #expect(try await pool.run { 42 } == 42)
        pool.shutdown()
        #expect(throws: BoundedWorkerPool.ShutDown()) { try pool.submit {} }
    }

    @Test func saturationIs503WithRetryAfterThroughARoute() async throws {
        let pool = BoundedWorkerPool(threads: 1, queueLimit: 0, retryAfter: 3)
        let server = makeServer { routes in
            routes.post("/hash") { _, _ in
                let digest = try await pool.run { "hashed" }
                return JSONResponse(["digest": digest])
            }
        }
        try await server.buildApplication().test(.live) { client in
            let ok = try await client.execute(uri: "/hash", method: .post)
            #expect(ok.status == .ok)

            let gate = DispatchSemaphore(value: 0)
            try Self.saturate(pool, gate: gate, jobs: 1)
            let busy = try await client.execute(uri: "/hash", method: .post)
            let body = try expectProblem(busy, status: .serviceUnavailable)
            #expect(busy.headers[.retryAfter] == "3")
            #expect(body["retry_after"] == 3)
            #expect(body["type"] == .string(Problem.Types.overloaded))
            gate.signal()
        }
        pool.shutdown()
    }
}
