#include "server/certified_key.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <string_view>
#include <utility>

#include "server/openssl_util.h"

namespace kauth::server {
namespace {

// Never prompt on a terminal for an encrypted key's pass phrase; such a key fails to load.
int NoPassword(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*arg*/) { return -1; }

bool IsAlphanumericLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Kubernetes' validation.IsDNS1123Subdomain: at most 253 characters of dot-separated labels,
// each lower-case alphanumerics and '-', starting and ending with an alphanumeric.
bool IsDns1123Subdomain(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty() || !IsAlphanumericLower(label.front()) ||
        !IsAlphanumericLower(label.back())) {
      return false;
    }
    for (const char c : label) {
      if (!IsAlphanumericLower(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Go's net.ParseIP for the forms a CN could hold.
bool IsIpAddress(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

}  // namespace

Result<std::shared_ptr<const CertifiedKey>> CertifiedKey::FromPem(const ServingKeyPair& pair) {
  const auto invalid = [&pair](std::string_view reason) {
    ERR_clear_error();
    return Error{"invalid serving cert keypair (" + pair.cert_source + ", " + pair.key_source +
                 "): " + std::string(reason)};
  };
  ERR_clear_error();
  std::shared_ptr<CertifiedKey> certified(new CertifiedKey());
  certified->pem_ = pair;
  if (certified->chain_ == nullptr) return invalid("out of memory");

  const BioPtr cert_bio(
      BIO_new_mem_buf(pair.cert_chain_pem.data(), static_cast<int>(pair.cert_chain_pem.size())));
  certified->leaf_ = PEM_read_bio_X509(cert_bio.get(), nullptr, NoPassword, nullptr);
  if (certified->leaf_ == nullptr) {
    return invalid("tls: failed to find any PEM data in certificate input");
  }
  while (X509* intermediate = PEM_read_bio_X509(cert_bio.get(), nullptr, NoPassword, nullptr)) {
    if (sk_X509_push(certified->chain_, intermediate) == 0) {
      X509_free(intermediate);
      return invalid("out of memory");
    }
  }
  // Reading past the last PEM block leaves a "no start line" error behind.
  ERR_clear_error();

  const BioPtr key_bio(BIO_new_mem_buf(pair.key_pem.data(), static_cast<int>(pair.key_pem.size())));
  certified->key_ = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassword, nullptr);
  if (certified->key_ == nullptr) return invalid("tls: failed to find any PEM data in key input");
  if (X509_check_private_key(certified->leaf_, certified->key_) != 1) {
    return invalid("tls: private key does not match public key");
  }
  // Fill OpenSSL's extension cache now, so concurrent handshakes only ever read it.
  X509_check_purpose(certified->leaf_, -1, 0);
  return std::shared_ptr<const CertifiedKey>(std::move(certified));
}

CertifiedKey::~CertifiedKey() {
  X509_free(leaf_);
  sk_X509_pop_free(chain_, X509_free);
  EVP_PKEY_free(key_);
}

std::vector<std::string> CertifiedKey::DefaultSniNames() const {
  std::vector<std::string> names;
  char common_name[1024] = {};
  const int length = X509_NAME_get_text_by_NID(X509_get_subject_name(leaf_), NID_commonName,
                                               common_name, sizeof(common_name));
  if (length > 0) {
    const std::string cn(common_name, static_cast<std::size_t>(length));
    const std::string_view domain =
        std::string_view(cn).starts_with("*.") ? std::string_view(cn).substr(2) : cn;
    // A CN that is an IP address is left out so that it never selects a certificate by IP.
    if (!IsIpAddress(cn) && (cn == "*" || IsDns1123Subdomain(domain))) names.push_back(cn);
  }
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf_, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* dns = name->d.dNSName;
    names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                       static_cast<std::size_t>(ASN1_STRING_length(dns)));
  }
  GENERAL_NAMES_free(sans);
  return names;
}

}  // namespace kauth::server
