import ArgumentParser
import EventLog

/// `authctl head`: prints `seq:hash` of the newest event, for recording outside the system (chain anchoring).
struct Head: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the head of the chain as SEQ:HASH.")

    @OptionGroup var options: DataOptions

    func run() throws {
        let head = try readHead(try options.openReadOnly())
        writeLine(head.description)
    }
}
