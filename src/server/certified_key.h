// CertifiedKey: one serving certificate chain and its private key, parsed and checked to belong
// together (Go's tls.X509KeyPair), ready to be installed on a TLS handshake. Also the names a
// --tls-sni-cert-key pair answers to when none are given (kube-apiserver's getCertificateNames).
//
// Immutable once built; share it as shared_ptr<const CertifiedKey> between threads. A handshake
// that installs it takes its own references to the certificates and key, so a connection keeps
// its pair after the CertifiedKey is replaced and freed.
#ifndef KAUTH_SERVER_CERTIFIED_KEY_H_
#define KAUTH_SERVER_CERTIFIED_KEY_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "kauth/error.h"
#include "server/serving_certificate.h"

namespace kauth::server {

class CertifiedKey {
 public:
  // Parses `pair`: the first PEM certificate is the leaf, the ones after it the chain; the key
  // must be the leaf's. Errors name the sources, as kube-apiserver words them:
  //   invalid serving cert keypair (<cert>, <key>): tls: failed to find any PEM data in
  //     certificate input
  //   invalid serving cert keypair (<cert>, <key>): tls: failed to find any PEM data in key input
  //   invalid serving cert keypair (<cert>, <key>): tls: private key does not match public key
  static Result<std::shared_ptr<const CertifiedKey>> FromPem(const ServingKeyPair& pair);

  ~CertifiedKey();
  CertifiedKey(const CertifiedKey&) = delete;
  CertifiedKey& operator=(const CertifiedKey&) = delete;

  X509* leaf() const { return leaf_; }
  // The intermediates after the leaf, possibly empty; never null.
  STACK_OF(X509) * chain() const { return chain_; }
  EVP_PKEY* key() const { return key_; }
  // The PEM text it was parsed from: a reload compares it to skip identical files.
  const ServingKeyPair& pem() const { return pem_; }

  // kube-apiserver's names for an SNI pair given without names: the subject CN when it is "*"
  // or a DNS-1123 subdomain (after a leading "*.") and not an IP address, then every DNS SAN.
  // IP SANs are left out: SNI never carries an IP address.
  std::vector<std::string> DefaultSniNames() const;

 private:
  CertifiedKey() = default;

  ServingKeyPair pem_;
  X509* leaf_ = nullptr;                         // owned
  STACK_OF(X509) * chain_ = sk_X509_new_null();  // owned, with its certificates
  EVP_PKEY* key_ = nullptr;                      // owned
};

}  // namespace kauth::server

#endif  // KAUTH_SERVER_CERTIFIED_KEY_H_
