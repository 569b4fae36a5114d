import Foundation
import Hummingbird

/// An error the local HTTP API answers with: a status code and `{"error":"…"}`.
///
/// A struct over a private enum so cases can be added without breaking callers.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    private enum Kind: Sendable, Equatable {
        case missingToken
        case wrongToken
        case notFound(method: String, path: String)
        case resourceNotFound(String)
        case badRequest(String)
        case conflict(String)
        case rangeNotSatisfiable(size: UInt64)
        case unavailable(String)
        case insufficientStorage(String)
        case internalError
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// No `Authorization: Bearer` header.
    public static let missingToken = APIError(.missingToken)
    /// A bearer token that is not this peer's API token.
    public static let wrongToken = APIError(.wrongToken)
    /// No route for this method and path.
    public static func notFound(method: String, path: String) -> APIError { APIError(.notFound(method: method, path: path)) }
    /// The endpoint exists but what it names does not (a file nobody holds).
    public static func resourceNotFound(_ what: String) -> APIError { APIError(.resourceNotFound(what)) }
    /// The request itself is malformed.
    public static func badRequest(_ reason: String) -> APIError { APIError(.badRequest(reason)) }
    /// The request is well-formed but the resource's state forbids it (409).
    public static func conflict(_ reason: String) -> APIError { APIError(.conflict(reason)) }
    /// No range of a `Range` header lies within the file (RFC 9110 §15.5.17).
    public static func rangeNotSatisfiable(size: UInt64) -> APIError { APIError(.rangeNotSatisfiable(size: size)) }
    /// The node cannot serve the request right now (quorum not met, shutting down).
    public static func unavailable(_ reason: String) -> APIError { APIError(.unavailable(reason)) }
    /// Too few peers have room for the data (507, RFC 4918 §11.5).
    public static func insufficientStorage(_ reason: String) -> APIError { APIError(.insufficientStorage(reason)) }
    /// A failure whose details belong in the peer's log, not in the answer.
    public static let internalError = APIError(.internalError)

    public var status: HTTPResponse.Status {
        switch kind {
        case .missingToken, .wrongToken: .unauthorized
        case .notFound, .resourceNotFound: .notFound
        case .badRequest: .badRequest
        case .conflict: .conflict
        case .rangeNotSatisfiable: .rangeNotSatisfiable
        case .unavailable: .serviceUnavailable
        case .insufficientStorage: .init(code: 507, reasonPhrase: "Insufficient Storage")
        case .internalError: .internalServerError
        }
    }

    public var description: String {
        switch kind {
        case .missingToken: "missing bearer token: send Authorization: Bearer <the home's api.token>"
        case .wrongToken: "wrong bearer token"
        case .notFound(let method, let path): "no such endpoint: \(method) \(path)"
        case .resourceNotFound(let what): "not found: \(what)"
        case .badRequest(let reason), .conflict(let reason): reason
        case .rangeNotSatisfiable(let size): "no requested range lies within the \(size)-byte file"
        case .unavailable(let reason), .insufficientStorage(let reason): reason
        case .internalError: "internal error (see the peer's log)"
        }
    }

    private var headers: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        switch kind {
        case .missingToken: headers[.wwwAuthenticate] = #"Bearer realm="p2pstore""#
        case .wrongToken: headers[.wwwAuthenticate] = #"Bearer realm="p2pstore", error="invalid_token""#
        case .rangeNotSatisfiable(let size): headers[.contentRange] = "bytes */\(size)"
        default: break
        }
        return headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = try encoder.encode(["error": description])
        return Response(
            status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body + [0x0A])))
    }
}
