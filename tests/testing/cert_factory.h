// Test PKI: generates CAs, intermediates and client certificates with the OpenSSL API.
// (Filled in by the x509 work; see tests/request/x509_authenticator_test.cc.)
#ifndef KAUTH_TESTING_CERT_FACTORY_H_
#define KAUTH_TESTING_CERT_FACTORY_H_

namespace kauth::testing {}  // namespace kauth::testing

#endif  // KAUTH_TESTING_CERT_FACTORY_H_
