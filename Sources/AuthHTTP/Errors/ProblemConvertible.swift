/// An error that knows its RFC 9457 representation. ``ErrorProblems`` answers such errors with
/// ``problem``; domain errors can adopt it to map themselves to HTTP.
public protocol ProblemConvertible: Error {
    /// The problem to answer with.
    var problem: Problem { get }
}
