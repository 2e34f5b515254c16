// ServingCertificates: the certificates kauthd serves at one moment, and the choice of one per
// TLS handshake by the name the client asked for (SNI), as kube-apiserver chooses among
// --tls-cert-file and its --tls-sni-cert-key pairs (Go's tls.Config.getCertificate over the
// NameToCertificate map that k8s.io/apiserver's dynamiccertificates builds):
//
//   - each SNI pair answers to the names given with it, or, when none were given, to its
//     certificate's names (CertifiedKey::DefaultSniNames); an explicit name beats an extracted
//     one, and among pairs of the same kind the earlier flag wins;
//   - the client's server name, lower-cased, is looked up exactly, then with its first label
//     replaced by "*" ("a.b.example.com" -> "*.b.example.com");
//   - anything else, a client sending no server name included, gets the default certificate.
//
// ServingCertificateProvider hands out the set in force; a reload builds a new set and swaps it
// in (see reloadable_serving_certificates.h).
//
// Immutable and thread-safe once built.
#ifndef KAUTH_SERVER_SERVING_CERTIFICATES_H_
#define KAUTH_SERVER_SERVING_CERTIFICATES_H_

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/certified_key.h"

namespace kauth::server {

// One --tls-sni-cert-key pair, loaded.
struct SniCertifiedKey {
  std::shared_ptr<const CertifiedKey> certificate;
  // The names given on the flag (as given); empty: the certificate's own names.
  std::vector<std::string> names;
};

class ServingCertificates {
 public:
  // `default_certificate` must not be null; `sni` in flag order.
  ServingCertificates(std::shared_ptr<const CertifiedKey> default_certificate,
                      std::vector<SniCertifiedKey> sni);

  // The certificate for a handshake whose client asked for `server_name` ("" when it sent
  // none). Never null.
  const std::shared_ptr<const CertifiedKey>& Select(std::string_view server_name) const;

  const std::shared_ptr<const CertifiedKey>& default_certificate() const { return default_; }
  const std::vector<SniCertifiedKey>& sni() const { return sni_; }

 private:
  std::shared_ptr<const CertifiedKey> default_;
  std::vector<SniCertifiedKey> sni_;
  std::unordered_map<std::string, std::shared_ptr<const CertifiedKey>> by_name_;
};

// Hands out the serving certificates in force. Thread-safe.
class ServingCertificateProvider {
 public:
  virtual ~ServingCertificateProvider() = default;
  // Never null.
  virtual std::shared_ptr<const ServingCertificates> Current() const = 0;
};

std::shared_ptr<const ServingCertificateProvider> NewStaticServingCertificateProvider(
    std::shared_ptr<const ServingCertificates> certificates);

}  // namespace kauth::server

#endif  // KAUTH_SERVER_SERVING_CERTIFICATES_H_
