// ClientCaNames: the acceptable-CA list the server sends in its CertificateRequest (R5.1): the
// subjects of every configured client CA bundle (--client-ca-file, later the request-header CA),
// in order, without duplicates. The bundles are re-read from their providers at each handshake,
// so a reloaded CA file shows in the next handshake; the list is rebuilt only when a provider
// hands out a different bundle.
//
// Thread-safe: ApplyTo is called concurrently from every server thread.
#ifndef KAUTH_SERVER_CLIENT_CA_NAMES_H_
#define KAUTH_SERVER_CLIENT_CA_NAMES_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kauth/x509.h"

// Same declaration as OpenSSL's <openssl/types.h>.
typedef struct ssl_st SSL;

namespace kauth::server {

class ClientCaNames {
 public:
  explicit ClientCaNames(std::vector<std::shared_ptr<const CaBundleProvider>> providers);
  ~ClientCaNames();
  ClientCaNames(const ClientCaNames&) = delete;
  ClientCaNames& operator=(const ClientCaNames&) = delete;

  // Whether a client certificate is requested at all (some CA is configured).
  bool enabled() const { return !providers_.empty(); }

  // Installs a copy of the current list on `ssl`, before its handshake. No-op when disabled.
  void ApplyTo(SSL* ssl) const;

  // The current list as OpenSSL one-line names ("CN=a, O=b"), for tests and logs.
  std::vector<std::string> Current() const;

 private:
  struct Names;
  std::shared_ptr<const Names> Refresh() const;

  const std::vector<std::shared_ptr<const CaBundleProvider>> providers_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const Names> names_;  // guarded by mu_
};

}  // namespace kauth::server

#endif  // KAUTH_SERVER_CLIENT_CA_NAMES_H_
