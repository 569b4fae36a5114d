import COpenSSL

/// Algorithm handles fetched once. OpenSSL 3 makes `EVP_sha256()` and friends do an
/// implicit provider fetch on every init; fetching once keeps that off the hot path.
/// The handles are immutable after fetch and OpenSSL documents them as thread-safe.
enum Algorithms {
    nonisolated(unsafe) static let sha256: OpaquePointer = EVP_MD_fetch(nil, "SHA256", nil)!
    nonisolated(unsafe) static let md5: OpaquePointer = EVP_MD_fetch(nil, "MD5", nil)!
    nonisolated(unsafe) static let aes256GCM: OpaquePointer = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil)!
}
