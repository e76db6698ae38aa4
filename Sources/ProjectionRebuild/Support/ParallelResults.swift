import Synchronization
import EventLog

/// Collects one result per index from concurrent workers.
/// `@unchecked Sendable`: each worker writes only its own index, under the lock.
final class ParallelResults<T>: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private var storage: [Result<T, any Error>?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<T, any Error>) {
        lock.withLock { _ in storage[index] = result }
    }

    /// The results in index order (each worker must have set its own).
    var values: [Result<T, any Error>] {
        lock.withLock { _ in storage.map { $0 ?? .failure(EventStoreError.corrupt("a parallel worker produced no result")) } }
    }
}
