import COpenSSL
import CP2PShims

/// One TLS session over two memory BIOs: the caller feeds received ciphertext in and
/// drains ciphertext to send out, as swift-nio-ssl's `SSLConnection` does. No sockets here.
///
/// Not thread-safe: one owner (a NIO channel handler) drives it from its event loop.
public final class TLSConnection {
    public enum Role: Sendable { case client, server }

    public enum HandshakeStatus: Sendable { case inProgress, complete }

    public enum ReadResult: Sendable, Equatable {
        /// This many plaintext bytes were written into the buffer.
        case bytes(Int)
        /// No plaintext is available until more ciphertext arrives.
        case needMoreCiphertext
        /// The peer sent close_notify: a clean end of stream.
        case closed
    }

    private let ssl: OpaquePointer
    private let networkIn: OpaquePointer
    private let networkOut: OpaquePointer

    public init(context: TLSContext, role: Role) throws(OpenSSLError) {
        ERR_clear_error()
        let ssl = try checkNotNil(SSL_new(context.pointer), "SSL_new")
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw OpenSSLError.drain("BIO_new")
        }
        // An empty input BIO means "retry later", not end of file.
        _ = p2p_BIO_set_mem_eof_return(input, -1)
        SSL_set_bio(ssl, input, output)  // ssl now owns both BIOs
        switch role {
        case .client: SSL_set_connect_state(ssl)
        case .server: SSL_set_accept_state(ssl)
        }
        self.ssl = ssl
        self.networkIn = input
        self.networkOut = output
    }

    deinit { SSL_free(ssl) }

    /// Advances the handshake with whatever ciphertext has been received.
    public func handshake() throws(OpenSSLError) -> HandshakeStatus {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .complete }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .inProgress
        default: throw OpenSSLError.drain("SSL_do_handshake")
        }
    }

    /// Hands ciphertext received from the network to OpenSSL.
    public func receiveCiphertext(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // Writing to a memory BIO only fails when allocation fails.
        let written = BIO_write(networkIn, base, Int32(bytes.count))
        precondition(written == Int32(bytes.count), "BIO_write to a memory BIO failed")
    }

    /// Decrypts into `buffer`.
    public func readPlaintext(into buffer: UnsafeMutableRawBufferPointer) throws(OpenSSLError) -> ReadResult {
        ERR_clear_error()
        var count = 0
        let result = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
        if result == 1 { return .bytes(count) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .needMoreCiphertext
        case SSL_ERROR_ZERO_RETURN: return .closed
        default: throw OpenSSLError.drain("SSL_read_ex")
        }
    }

    /// Encrypts all of `bytes`; the ciphertext waits in the output BIO for `readCiphertext`.
    public func writePlaintext(_ bytes: UnsafeRawBufferPointer) throws(OpenSSLError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        ERR_clear_error()
        var written = 0
        // Without SSL_MODE_ENABLE_PARTIAL_WRITE and with a growable memory BIO,
        // a successful SSL_write_ex consumes everything.
        guard SSL_write_ex(ssl, base, bytes.count, &written) == 1, written == bytes.count else {
            throw OpenSSLError.drain("SSL_write_ex")
        }
    }

    /// Ciphertext waiting to be sent.
    public var pendingCiphertext: Int { Int(p2p_BIO_pending(networkOut)) }

    /// Moves up to `buffer.count` bytes of pending ciphertext into `buffer`.
    public func readCiphertext(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let count = BIO_read(networkOut, base, Int32(buffer.count))
        return max(0, Int(count))
    }

    /// Queues a close_notify alert (send it with `readCiphertext`).
    public func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// True when the negotiated protocol is TLS 1.3.
    public var isTLS13: Bool { SSL_version(ssl) == TLS1_3_VERSION }

    /// The negotiated cipher suite name, for logs.
    public var cipherName: String {
        guard let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(cipher) else { return "none" }
        return String(cString: name)
    }

    /// The certificate the other side presented, after the handshake.
    public func peerCertificate() -> Certificate? {
        guard let x509 = SSL_get1_peer_certificate(ssl) else { return nil }
        return Certificate(owning: x509)
    }

    /// RFC 8446 section 7.5 exporter: keying material bound to this session.
    public func exportKeyingMaterial(label: String, count: Int) throws(OpenSSLError) -> [UInt8] {
        ERR_clear_error()
        var output = [UInt8](repeating: 0, count: count)
        let labelBytes = Array(label.utf8)
        try check(SSL_export_keying_material(ssl, &output, count, labelBytes.map { CChar(bitPattern: $0) }, labelBytes.count, nil, 0, 0),
                  "SSL_export_keying_material")
        return output
    }
}
