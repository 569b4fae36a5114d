#ifndef P2P_SHIMS_H
#define P2P_SHIMS_H
// Forwards OpenSSL macros that Swift cannot import. Nothing else lives here.
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/crypto.h>

int p2p_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
int p2p_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version);
long p2p_SSL_CTX_set_mode(SSL_CTX *ctx, long mode);
long p2p_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode);
long p2p_BIO_set_mem_eof_return(BIO *bio, long value);
size_t p2p_BIO_pending(BIO *bio);
void p2p_OPENSSL_free(void *pointer);
#endif
