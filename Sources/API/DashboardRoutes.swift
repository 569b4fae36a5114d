import Hummingbird

/// `GET /`: the dashboard, one static page compiled into the binary. It holds no data and
/// no secret, so it is the one route served without a token; every call it makes sends one.
enum DashboardRoutes {
    static let path = "/"

    static func add<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.get(RouterPath(path)) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            // The page may not be framed by other sites, and it loads nothing from elsewhere.
            headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
    }
}
