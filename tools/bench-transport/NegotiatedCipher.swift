import OpenSSLKit
import Transport

/// The cipher suite two peers with these credentials negotiate: a handshake between two
/// `TLSConnection`s over memory, the same contexts the transport uses.
func negotiatedCipher(_ client: PeerCredentials, _ server: PeerCredentials) throws -> String {
    let a = try TLSConnection(context: client.tlsContext, role: .client)
    let b = try TLSConnection(context: server.tlsContext, role: .server)
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    func pump(_ from: TLSConnection, _ to: TLSConnection) {
        while from.pendingCiphertext > 0 {
            let count = buffer.withUnsafeMutableBytes { from.readCiphertext(into: $0) }
            buffer.withUnsafeBytes { to.receiveCiphertext(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
    }
    for _ in 0..<10 {
        let clientDone = try a.handshake() == .complete
        pump(a, b)
        let serverDone = try b.handshake() == .complete
        pump(b, a)
        if clientDone, serverDone { break }
    }
    guard a.isTLS13 else { throw BenchError("in-memory handshake did not reach TLS 1.3") }
    return a.cipherName
}
