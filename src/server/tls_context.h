// The server's OpenSSL context, configured as kube-apiserver's Go TLS server behaves: TLS 1.2 or
// 1.3 from --tls-min-version up to 1.3, Go's default cipher suites and curves, ALPN "h2" then
// "http/1.1" (the server's preference wins), and, with client CAs configured, a client certificate *requested* but
// never verified during the handshake (R5.1): any certificate, trusted or not, completes the
// handshake and reaches the x509 authenticator.
#ifndef KAUTH_SERVER_TLS_CONTEXT_H_
#define KAUTH_SERVER_TLS_CONTEXT_H_

#include <memory>

#include "kauth/error.h"
#include "server/server_options.h"
#include "server/serving_certificate.h"

// Same declaration as OpenSSL's <openssl/types.h>.
typedef struct ssl_ctx_st SSL_CTX;

namespace kauth::server {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const;
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// A context serving `key_pair`: its PEM pair, or, with key_pair.provider, the certificate the
// provider's set in force selects for each handshake's SNI (the context keeps a reference to the
// provider). Errors name the files: "invalid serving cert keypair (<cert>, <key>): <reason>",
// e.g. "tls: private key does not match public key" (CertifiedKey::FromPem).
Result<SslCtxPtr> NewServerTlsContext(const ServingKeyPair& key_pair, TlsVersion min_version,
                                      bool request_client_certificate);

}  // namespace kauth::server

#endif  // KAUTH_SERVER_TLS_CONTEXT_H_
