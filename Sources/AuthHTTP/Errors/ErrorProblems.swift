import Hummingbird
import Logging

/// How ``ServerMiddleware`` turns every error thrown by a route into an `application/problem+json` response (to
/// which it adds the request id as the `request_id` member).
///
/// - ``Problem`` and ``ProblemConvertible`` errors: as they are.
/// - `DecodingError`: 400 naming the field (see ``DecodingProblem``).
/// - Hummingbird's `HTTPError` (404 for unknown routes, 413 from body limits, 400 from `request.decode`, ...):
///   its status and headers, its message as `detail` for 4xx only.
/// - Other `HTTPResponseError`s: their status, no detail.
/// - Anything else: 500 "internal error"; the error itself is only logged, at `error` level, with the request id.
///
/// Thrown ``Problem``s and ``ProblemConvertible`` errors are deliberate and are not logged; other errors
/// that end as 5xx are logged at `error` level.
enum ErrorProblems {
    /// The problem for `error`, logging errors that become 5xx.
    static func problem(for error: any Error, context: AuthRequestContext, request: Request) -> Problem {
        let problem: Problem
        switch error {
        case let error as Problem:
            // Deliberate answers (503 not ready, 503 overloaded, ...) are not server faults.
            return error
        case let error as any ProblemConvertible:
            return error.problem
        case let error as DecodingError:
            problem = DecodingProblem.problem(for: error)
        case let error as HTTPError:
            problem = fromStatus(error.status, message: error.body, headers: error.headers, context: context)
        case let error as any HTTPResponseError:
            problem = fromStatus(error.status, message: nil, headers: [:], context: context)
        default:
            context.logger.error(
                "unhandled error",
                metadata: [
                    "error": .string(String(reflecting: error)),
                    "http.method": .string(request.method.rawValue),
                    "http.path": .string(request.uri.path),
                ]
            )
            return .internalError()
        }
        if problem.status.code >= 500 {
            context.logger.error(
                "server error",
                metadata: ["error": .string(String(reflecting: error)), "http.path": .string(request.uri.path)]
            )
        }
        return problem
    }

    /// A problem for a bare status: 413 names the context's limit; 4xx keep `message` as detail.
    static func fromStatus(
        _ status: HTTPResponse.Status,
        message: String?,
        headers: HTTPFields,
        context: AuthRequestContext
    ) -> Problem {
        var problem: Problem
        if status == .contentTooLarge {
            problem = .contentTooLarge(limit: context.maxUploadSize)
        } else if status.code >= 500 {
            problem = status == .internalServerError ? .internalError() : Problem(status: status)
        } else {
            problem = Problem(status: status, detail: message)
        }
        for field in headers where field.name != .contentType && field.name != .contentLength {
            problem.headers.append(field)
        }
        return problem
    }
}
