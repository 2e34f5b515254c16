// Internals of VerifyClientCertificate: the issuer lookup the CA bundle installs in its trust
// store, and a view of what OpenSSL reports, for tests.
#ifndef KAUTH_X509_VERIFY_INTERNAL_H_
#define KAUTH_X509_VERIFY_INTERNAL_H_

#include <openssl/x509_vfy.h>

#include <chrono>
#include <span>
#include <vector>

#include "kauth/x509.h"

namespace kauth::x509_internal {

// Replaces the store's issuer lookup with one that offers same-named bundle certificates in Go's
// order (matching key identifiers first) and prefers one whose signature verifies. OpenSSL's
// default takes the first certificate whose name and key identifier match, so of two CAs that
// share a name and have no key identifiers (a rotation), it may pick the one that did not sign;
// Go tries each in turn.
void UseGoIssuerLookup(X509_STORE* store);

// An error OpenSSL reported while building the chain: an X509_V_ERR_* code and the depth of the
// certificate it concerns (0 for the leaf).
struct OpenSslReport {
  int code;
  int depth;

  friend bool operator==(const OpenSslReport&, const OpenSslReport&) = default;
};

// Runs OpenSSL's chain building exactly as VerifyClientCertificate does and returns everything
// it reported, so tests can check how OpenSSL is configured (no purpose checks, for one).
// Requires a non-empty chain.
std::vector<OpenSslReport> OpenSslReportsFor(std::span<X509* const> chain, const CaBundle& bundle,
                                             std::chrono::system_clock::time_point now);

}  // namespace kauth::x509_internal

#endif  // KAUTH_X509_VERIFY_INTERNAL_H_
