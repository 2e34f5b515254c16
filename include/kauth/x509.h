// Client-certificate authentication (R5): OpenSSL does the cryptography, but verification follows
// Go's crypto/x509 semantics, which is what Kubernetes clients and operators rely on.
//
// CaBundle is an immutable, shareable trust store. A CaBundleProvider hands out the current one,
// so the client CA can be swapped while requests are in flight (R5.7; ReloadableCaBundle in
// kauth/reloadable_ca_bundle.h keeps one current from its file).
#ifndef KAUTH_X509_H_
#define KAUTH_X509_H_

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kauth/authenticator.h"
#include "kauth/error.h"

// Same declaration as OpenSSL's <openssl/types.h>.
typedef struct x509_store_st X509_STORE;

namespace kauth {

class CaBundle {
 public:
  // Parses PEM certificates; non-certificate PEM blocks are skipped. `name` is the key used in
  // R5.7's messages, e.g. "client-ca-bundle::/etc/ca.crt". Errors (R5.7):
  //   missing content for CA bundle "<name>"
  //   error loading CA bundle for "<name>": data does not contain any valid RSA or ECDSA
  //   certificates
  static Result<std::shared_ptr<const CaBundle>> FromPem(std::string_view pem,
                                                         std::string_view name);
  // Reads `path` and calls FromPem with the name "<purpose>::<path>"; purpose is
  // "client-ca-bundle" or "request-header". An empty path gives `missing filename for ca bundle`.
  static Result<std::shared_ptr<const CaBundle>> LoadFile(const std::string& path,
                                                          std::string_view purpose);

  ~CaBundle();
  CaBundle(const CaBundle&) = delete;
  CaBundle& operator=(const CaBundle&) = delete;

  // The bytes it was parsed from: a reload compares them to skip identical content (R5.7).
  const std::string& pem() const { return pem_; }
  // The CA certificates, in file order (for the TLS acceptable-CA list).
  std::span<X509* const> certificates() const { return certificates_; }
  // A trust store holding the certificates; shared, read-only use only.
  X509_STORE* store() const { return store_; }

 private:
  CaBundle() = default;

  std::string pem_;
  std::vector<X509*> certificates_;  // owned references
  X509_STORE* store_ = nullptr;      // owned
};

// Hands out the CA bundle in force. Thread-safe.
class CaBundleProvider {
 public:
  virtual ~CaBundleProvider() = default;
  // nullptr while no bundle has been loaded (R5.2: then every request is NotApplicable).
  virtual std::shared_ptr<const CaBundle> Current() const = 0;
};

std::shared_ptr<const CaBundleProvider> NewStaticCaBundleProvider(
    std::shared_ptr<const CaBundle> bundle);

// R5.3 verification of `chain` (leaf first; the rest are untrusted intermediates) against
// `bundle` at time `now`: client-auth EKU along the whole chain as Go checks it, no keyUsage or
// nsCertType purpose checks, no hostname check. On failure the error message is Go's x509 error
// text (R5.5), e.g. "x509: certificate signed by unknown authority".
Result<void> VerifyClientCertificate(std::span<X509* const> chain, const CaBundle& bundle,
                                     std::chrono::system_clock::time_point now);

struct X509AuthenticatorOptions {
  // Required.
  std::shared_ptr<const CaBundleProvider> client_ca;
  // Called before verification with the leaf's NotAfter minus now, in seconds (R5.4).
  std::function<void(double remaining_seconds)> observe_expiration;
  // The clock; the system clock when empty.
  std::function<std::chrono::system_clock::time_point()> now;
};

// R5.2-R5.6: NotApplicable without TLS, without a client certificate or without a CA bundle;
// Rejected with "verifying certificate SN=..., SKID=..., AKID=... failed: <Go error>" when
// verification fails; otherwise the user from the leaf (CN, O, UID attribute, credential id).
std::unique_ptr<RequestAuthenticator> NewX509Authenticator(X509AuthenticatorOptions options);

}  // namespace kauth

#endif  // KAUTH_X509_H_
