import Foundation
import Logging
import NIOCore
import NIOPosix
import OpenSSLKit
import Synchronization
import Transport

let testLogger: Logger = {
    var logger = Logger(label: "p2pstore.test")
    logger.logLevel = .critical
    return logger
}()

/// Echoes method 1, fails method 2 on purpose, and counts every request it sees.
final class EchoService: RPCService {
    let requests = Atomic<Int>(0)

    func handle(_ request: RPCRequest) async throws -> ByteBuffer {
        requests.add(1, ordering: .relaxed)
        switch request.method {
        case 1: return request.payload
        case 2: throw RPCError.notFound("nothing here")
        case 3:
            try await Task.sleep(for: .seconds(30))  // a slow handler, for deadline tests
            return request.payload
        default: throw RPCError.unknownMethod(request.method)
        }
    }
}

/// Writes a certificate and key as PEM files for the `openssl` command-line tools.
func writePEMFiles(_ credentials: PeerCredentials, directory: String) throws -> (certificate: String, key: String) {
    let certificatePath = directory + "/cert.pem"
    let keyPath = directory + "/key.pem"
    try credentials.certificate.pemRepresentation().write(toFile: certificatePath, atomically: true, encoding: .utf8)
    try credentials.privateKey.pemRepresentation().write(toFile: keyPath, atomically: true, encoding: .utf8)
    return (certificatePath, keyPath)
}
