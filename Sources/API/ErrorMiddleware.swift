import Hummingbird
import Logging

/// Turns every failure into the API's JSON error shape, `{"error":"…"}`.
///
/// Hummingbird's own errors (no route for this method and path, bad request) become `APIError`s; anything else is
/// logged with its details and answered as a bare 500, so internals never leak to clients.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError where error.status == .notFound {
            throw APIError.notFound(method: request.method.rawValue, path: request.uri.path)
        } catch let error as HTTPError where (400..<500).contains(error.status.code) {
            throw APIError.badRequest(error.body ?? error.status.reasonPhrase)
        } catch {
            logger.error("API request failed", metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)",
            ])
            throw APIError.internalError
        }
    }
}
