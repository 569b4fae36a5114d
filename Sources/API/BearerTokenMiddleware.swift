import Hummingbird
import OpenSSLKit

/// Admits a request only with `Authorization: Bearer <token>` naming this peer's API token;
/// `GET` of a public path (the dashboard page, which holds no data) needs none.
///
/// The comparison is of SHA-256 digests in constant time, so neither the token's length
/// nor the position of the first wrong character shows in the response time.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    private let tokenDigest: [UInt8]
    private let publicPaths: Set<String>

    init(token: String, publicPaths: Set<String> = []) {
        tokenDigest = SHA256.hash(Array(token.utf8))
        self.publicPaths = publicPaths
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .get && publicPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else { throw APIError.missingToken }
        let scheme = "bearer "
        guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme else {
            throw APIError.missingToken
        }
        let presented = header.dropFirst(scheme.count).trimmingPrefix(while: { $0 == " " })
        guard HMACSHA256.isEqual(SHA256.hash(Array(presented.utf8)), tokenDigest) else { throw APIError.wrongToken }
        return try await next(request, context)
    }
}
