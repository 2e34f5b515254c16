#include "server/tls_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "server/certified_key.h"
#include "server/openssl_util.h"
#include "server/serving_certificates.h"

namespace kauth::server {
namespace {

// Go's default TLS 1.2 suites (crypto/tls, Go 1.22 and later: ECDHE only, AEADs first). TLS 1.3
// suites are OpenSSL's defaults, the same three Go offers.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";
constexpr const char* kGroups = "X25519:P-256:P-384:P-521";
// Sessions kept for resumption (see SSL_CTX_sess_set_cache_size below).
constexpr long kSessionCacheSize = 1024;
constexpr unsigned char kSessionIdContext[] = "kauthd";

// Verification is the x509 authenticator's job, per request, against the CA bundle in force
// then (R5.1-R5.3); the handshake accepts whatever the client presents.
int AcceptAnyCertificate(X509_STORE_CTX* /*store*/, void* /*arg*/) { return 1; }

// Go's server preference, as kube-apiserver configures it: "h2", then "http/1.1". A client that
// offers ALPN with neither gets Go's no_application_protocol alert; one that offers none is
// served HTTP/1.1.
int SelectAlpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_length,
               const unsigned char* in, unsigned int in_length, void* /*arg*/) {
  for (const std::string_view wanted : {std::string_view("h2"), std::string_view("http/1.1")}) {
    unsigned int at = 0;
    while (at < in_length) {
      const unsigned int length = in[at];
      if (at + 1 + length > in_length) break;
      if (length == wanted.size() && std::memcmp(in + at + 1, wanted.data(), length) == 0) {
        *out = in + at + 1;
        *out_length = static_cast<unsigned char>(length);
        return SSL_TLSEXT_ERR_OK;
      }
      at += 1 + length;
    }
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

// The provider a context chooses certificates from, owned by the context through ex_data so
// that it lives exactly as long as the SSL_CTX (and every handshake it runs).
using ProviderRef = std::shared_ptr<const ServingCertificateProvider>;

void FreeProviderRef(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*index*/,
                     long /*argl*/, void* /*argp*/) {
  delete static_cast<ProviderRef*>(ptr);
}

int ProviderIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeProviderRef);
  return index;
}

// Installs `certified` as the context's own pair: the leaf, its key and its intermediates, each
// referenced, so the CertifiedKey may go away while the context lives on.
bool Install(SSL_CTX* ctx, const CertifiedKey& certified) {
  return SSL_CTX_use_cert_and_key(ctx, certified.leaf(), certified.key(), certified.chain(), 1) ==
         1;
}

// OpenSSL's certificate callback runs on the server after the ClientHello (its SNI parsed) and
// before the cipher suite is chosen, on full handshakes only (a resumed session needs no
// certificate). It reads the set in force and gives this SSL the certificate its SNI selects.
int SelectCertificate(SSL* ssl, void* arg) {
  const auto& provider = *static_cast<const ProviderRef*>(arg);
  const std::shared_ptr<const ServingCertificates> current = provider->Current();
  const char* server_name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  const CertifiedKey& certified =
      *current->Select(server_name != nullptr ? std::string_view(server_name) : "");
  // Dropping the context's default first keeps a pair of another key type (RSA beside ECDSA)
  // from being chosen for the cipher suite. The SSL takes its own references: a later swap
  // never touches what an open connection uses.
  SSL_certs_clear(ssl);
  return SSL_use_cert_and_key(ssl, certified.leaf(), certified.key(), certified.chain(), 1) == 1
             ? 1
             : 0;
}

}  // namespace

void SslCtxFree::operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }

Result<SslCtxPtr> NewServerTlsContext(const ServingKeyPair& key_pair, TlsVersion min_version,
                                      bool request_client_certificate) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Error{"creating the TLS context: " + OpenSslErrors()};
  SSL_CTX* raw = ctx.get();
  const int min = min_version == TlsVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(raw, min) != 1 ||
      SSL_CTX_set_max_proto_version(raw, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(raw, kTls12Ciphers) != 1 ||
      SSL_CTX_set1_groups_list(raw, kGroups) != 1 ||
      SSL_CTX_set_session_id_context(raw, kSessionIdContext, sizeof(kSessionIdContext) - 1) != 1) {
    return Error{"configuring the TLS context: " + OpenSslErrors()};
  }
  // Go's server neither compresses nor renegotiates, and picks the suite itself.
  // Sessions resume from the server's in-memory cache (stateful tickets in TLS 1.3, session IDs
  // in TLS 1.2) rather than from stateless tickets: OpenSSL's serialised sessions keep the
  // client's leaf certificate but drop its intermediates, which the x509 authenticator needs on
  // every request (R5.3). Go keeps the whole chain in its tickets; the cache does the same here.
  SSL_CTX_set_options(raw, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  // OpenSSL's default cache holds 20,480 sessions (a client chain each): bound it so that memory
  // stops growing after the first thousand clients. Older sessions simply do a full handshake.
  SSL_CTX_sess_set_cache_size(raw, kSessionCacheSize);
  // Idle keep-alive connections then hold no TLS read/write buffers: thousands of them are cheap.
  SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_alpn_select_cb(raw, SelectAlpn, nullptr);
  if (request_client_certificate) {
    // Go's RequestClientCert: ask, never require (no SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
    SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_cert_verify_callback(raw, AcceptAnyCertificate, nullptr);
  }
  std::shared_ptr<const CertifiedKey> certified;
  if (key_pair.provider != nullptr) {
    certified = key_pair.provider->Current()->default_certificate();
  } else {
    Result<std::shared_ptr<const CertifiedKey>> parsed = CertifiedKey::FromPem(key_pair);
    if (!parsed) return parsed.error();
    certified = std::move(*parsed);
  }
  if (!Install(raw, *certified)) {
    return Error{"invalid serving cert keypair (" + key_pair.cert_source + ", " +
                 key_pair.key_source + "): " + OpenSslErrors()};
  }
  if (key_pair.provider != nullptr) {
    auto* provider = new ProviderRef(key_pair.provider);
    if (SSL_CTX_set_ex_data(raw, ProviderIndex(), provider) != 1) {
      delete provider;
      return Error{"configuring the TLS context: " + OpenSslErrors()};
    }
    SSL_CTX_set_cert_cb(raw, SelectCertificate, provider);
  }
  return ctx;
}

}  // namespace kauth::server
