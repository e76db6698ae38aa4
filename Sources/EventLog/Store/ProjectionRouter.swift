/// Which projections an event type reaches, worked out once per type from each projection's ``Projection/eventTypes``
/// (the declaration a rebuild folds by), so the writer applies an event only to the projections that react to it
/// instead of calling every projection's `apply` for every event.
///
/// Used only by the writer thread (the ``GroupCommitter`` owns it).
final class ProjectionRouter {
    private let projections: [any Projection]
    private let types: [Set<String>?]
    private var routes: [String: [any Projection]] = [:]

    init(_ projections: [any Projection]) {
        self.projections = projections
        types = projections.map(\.eventTypes)
    }

    /// The projections that react to events of `type`, in the store's order.
    func projections(for type: String) -> [any Projection] {
        if let route = routes[type] { return route }
        var route: [any Projection] = []
        for (projection, reactsTo) in zip(projections, types) where reactsTo?.contains(type) ?? true {
            route.append(projection)
        }
        routes[type] = route
        return route
    }
}
