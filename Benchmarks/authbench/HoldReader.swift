import ArgumentParser
import Foundation
import LMDB

/// `authbench hold-reader --data DIR`: the child process of the stale-reader test. Opens the environment read-only,
/// begins a read transaction, prints `holding`, and sleeps inside it until killed (the parent uses SIGKILL, so the
/// reader slot is left behind as after a crashed `authctl verify`).
struct HoldReader: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold-reader", abstract: "Hold a read transaction open until killed (stale-reader test child).")

    @Option(help: "Data directory.")
    var data: String

    func run() throws {
        var options = Environment.Options()
        options.readOnly = true
        let environment = try Environment(path: data, options: options)
        try environment.read { _ in
            print("holding")
            fflush(nil)
            while true { sleep(3600) }
        }
    }
}
