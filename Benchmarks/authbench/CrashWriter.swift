import ArgumentParser
import AuthCore
import EventLog
import Foundation

/// `authbench crash-writer --data DIR`: the child process of the crash test. Appends forever from many threads and
/// prints `ack <seq> <hash>` only after `append` returned (the commit is durable); the parent kills it with SIGKILL.
struct CrashWriter: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crash-writer", abstract: "Append forever, acknowledging each durable event (crash test child).")

    @Option(help: "Data directory.")
    var data: String

    @Option(help: "Concurrent appenders.")
    var appenders = 16

    func run() throws {
        let store = try EventStore(path: data, projections: DomainProjections.all)
        let output = NSLock()
        print("ready")
        fflush(nil)
        DispatchQueue.concurrentPerform(iterations: appenders) { worker in
            var workload = SyntheticWorkload(seed: UInt64(worker) &+ UInt64(getpid()) << 8 &+ UInt64(time(nil)) << 24)
            while true {
                let events = workload.next(at: store.clock.now())
                do {
                    let recorded = try store.executeSync { context in
                        for event in events { try context.emit(event) }
                        return context.emitted
                    }
                    output.lock()
                    for event in recorded { print("ack \(event.seq) \(event.hash.map { String(format: "%02x", $0) }.joined())") }
                    fflush(nil)
                    output.unlock()
                } catch {
                    output.lock()
                    print("error \(error)")
                    fflush(nil)
                    output.unlock()
                }
            }
        }
    }
}
