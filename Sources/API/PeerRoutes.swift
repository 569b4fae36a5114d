import APIModel
import Foundation
import Hummingbird
import Peer

/// `POST /v1/peers/{nodeID}/remove` (a failed peer out of the placement now),
/// `POST /v1/peers/{nodeID}/drain` (this peer hands its chunks off, leaves and stops) and
/// `GET /v1/drain` (how far the drain is); `POST /v1/network/revoke` (`{"nodes":[…]}`: a
/// new network secret for every member but those) and `GET /v1/network`.
enum PeerRoutes {
    static func add<Context: RequestContext>(to router: some RouterMethods<Context>, source: any PeerAdministrationSource) {
        router.post("v1/peers/:node/remove") { _, context -> Response in
            try await answer { () async throws(PeerAdministrationError) in try await source.removePeer(context.parameters.get("node") ?? "") }
        }

        router.post("v1/peers/:node/drain") { _, context -> Response in
            try await answer(status: .accepted) { () async throws(PeerAdministrationError) in
                try await source.requestDrain(context.parameters.get("node") ?? "")
            }
        }

        router.post("v1/network/revoke") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let document = try? JSONDecoder().decode(RevokeRequest.self, from: Data(buffer: body)), !document.nodes.isEmpty,
                document.nodes.count <= 1_000
            else { throw APIError.badRequest(#"expected {"nodes":["<NodeID>",…]} with 1 to 1,000 NodeIDs"#) }
            let revocation: NetworkRevocation
            do throws(RevocationError) {
                revocation = try await source.revoke(document.nodes)
            } catch {
                switch error {
                case .unknownPeer: throw APIError.resourceNotFound("\(error)")
                case .revokingSelf, .noPeers: throw APIError.conflict("\(error)")
                case .cannotSave: throw APIError.unavailable("\(error)")
                }
            }
            return try JSONResponse.make(revocation)
        }

        router.get("v1/network") { _, _ -> Response in
            try JSONResponse.make(await source.network)
        }

        router.get("v1/drain") { _, _ -> Response in
            guard let progress = await source.drainProgress else {
                throw APIError.resourceNotFound("no drain was asked of this peer (POST /v1/peers/{its NodeID}/drain)")
            }
            return try JSONResponse.make(progress)
        }
    }

    struct RevokeRequest: Decodable {
        var nodes: [String]
    }

    /// The document `body` returns, or its refusal as an API error: unknown peers are 404,
    /// requests that the peer's state forbids are 409.
    static func answer<Document: Encodable>(
        status: HTTPResponse.Status = .ok, _ body: () async throws(PeerAdministrationError) -> Document
    ) async throws -> Response {
        let document: Document
        do throws(PeerAdministrationError) {
            document = try await body()
        } catch {
            throw apiError(error)
        }
        return try JSONResponse.make(document, status: status)
    }

    static func apiError(_ error: PeerAdministrationError) -> APIError {
        switch error {
        case .unknownPeer: APIError.resourceNotFound("\(error)")
        case .removingSelf, .alive, .drainingOther, .tooFewPeers: APIError.conflict("\(error)")
        }
    }
}
