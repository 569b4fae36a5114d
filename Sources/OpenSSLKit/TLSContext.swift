import COpenSSL
import CP2PShims

/// An SSL_CTX configured the p2pstore way: TLS 1.3 only, our certificate and key on both
/// sides, and a peer certificate always required but accepted when self-signed.
/// Identity comes from the NodeID of the presented key, checked after the handshake.
///
/// `@unchecked Sendable`: configured once in `init`, then only read by `SSL_new`, which
/// OpenSSL allows from several threads.
public final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer

    public init(certificate: Certificate, privateKey: Ed25519PrivateKey) throws(OpenSSLError) {
        let context = try checkNotNil(SSL_CTX_new(TLS_method()), "SSL_CTX_new")
        pointer = context
        try check(p2p_SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION), "SSL_CTX_set_min_proto_version")
        try check(p2p_SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION), "SSL_CTX_set_max_proto_version")
        try check(SSL_CTX_use_certificate(context, certificate.pointer), "SSL_CTX_use_certificate")
        try check(SSL_CTX_use_PrivateKey(context, privateKey.pointer), "SSL_CTX_use_PrivateKey")
        try check(SSL_CTX_check_private_key(context), "SSL_CTX_check_private_key")
        // Require a certificate from the other side, accept self-signed ones: the admission
        // proof and the NodeID, not a CA, decide who is in.
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) { _, _ in 1 }
        // Peers reconnect rarely and resumption would skip the certificate: no tickets, no cache.
        _ = SSL_CTX_set_num_tickets(context, 0)
        _ = p2p_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))
    }

    deinit { SSL_CTX_free(pointer) }
}
