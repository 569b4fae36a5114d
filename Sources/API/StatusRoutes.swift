import Hummingbird
import Peer

/// `GET /v1/status`: this peer's view of the network as a `NodeStatus` document.
enum StatusRoutes {
    static func add<Context: RequestContext>(to router: some RouterMethods<Context>, source: any StatusSource) {
        router.get("v1/status") { _, _ in
            try JSONResponse.make(await source.status())
        }
    }
}
