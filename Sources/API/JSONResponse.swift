import Foundation
import Hummingbird

/// JSON response bodies with one encoder setting for the whole API: sorted keys, so the
/// output is stable for scripts and tests, and a final newline for terminals.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        let body = try encoder.encode(value)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body + [0x0A])))
    }
}
