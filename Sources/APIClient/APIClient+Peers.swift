import APIModel
import Foundation

/// The peer routes (docs/api.md): remove a failed peer, drain this one, follow the drain.
extension APIClient {
    /// `POST /v1/peers/{nodeID}/remove`.
    public func removePeer(_ nodeID: String) async throws -> PeerRemoval {
        try decodeDocument(PeerRemoval.self, from: try await request(.POST, "/v1/peers/\(Self.pathSegment(nodeID))/remove"))
    }

    /// `POST /v1/peers/{nodeID}/drain`: the daemon starts handing its chunks off.
    public func drainPeer(_ nodeID: String) async throws -> DrainProgress {
        try decodeDocument(DrainProgress.self, from: try await request(.POST, "/v1/peers/\(Self.pathSegment(nodeID))/drain"))
    }

    /// `GET /v1/drain`.
    public func drainProgress() async throws -> DrainProgress {
        try decodeDocument(DrainProgress.self, from: try await request(.GET, "/v1/drain"))
    }

    private static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// The network routes: revoke members, show the key in force.
extension APIClient {
    /// `POST /v1/network/revoke`.
    public func revoke(_ nodeIDs: [String]) async throws -> NetworkRevocation {
        let body = Array(try JSONEncoder().encode(["nodes": nodeIDs]))
        return try decodeDocument(NetworkRevocation.self, from: try await request(.POST, "/v1/network/revoke", body: body))
    }

    /// `GET /v1/network`.
    public func network() async throws -> NetworkRevocation {
        try decodeDocument(NetworkRevocation.self, from: try await request(.GET, "/v1/network"))
    }
}
