// OpenSSL ownership and error text shared by the server's TLS files.
#ifndef KAUTH_SERVER_OPENSSL_UTIL_H_
#define KAUTH_SERVER_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace kauth::server {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct ExtensionFree {
  void operator()(X509_EXTENSION* extension) const { X509_EXTENSION_free(extension); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, ExtensionFree>;

// Drains OpenSSL's error queue into one line ("a; b"), or "unknown OpenSSL error" when empty.
std::string OpenSslErrors();

}  // namespace kauth::server

#endif  // KAUTH_SERVER_OPENSSL_UTIL_H_
