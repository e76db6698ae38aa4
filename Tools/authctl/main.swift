import AuthCore
import EventLog
let store = try EventStore(path: CommandLine.arguments[1], projections: DomainProjections.all)
let r = try Rebuilder.rebuild(store: store)
print(r.events, r.foldSeconds, r.writeSeconds)
