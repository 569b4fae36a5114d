import NIOCore
import Transport

/// The server side of the benchmark: method 1 swallows the payload and answers with
/// nothing (bulk transfer), method 2 echoes it (small round trips).
struct BenchService: RPCService {
    static let sink: UInt16 = 1
    static let echo: UInt16 = 2

    func handle(_ request: RPCRequest) async throws -> ByteBuffer {
        switch request.method {
        case Self.sink: ByteBuffer()
        case Self.echo: request.payload
        default: throw RPCError.unknownMethod(request.method)
        }
    }
}
