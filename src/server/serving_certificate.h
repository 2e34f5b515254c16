// The certificate kauthd serves: the operator's (--tls-cert-file / --tls-private-key-file) or,
// as kube-apiserver does without one, a self-signed pair generated at start-up: written to
// <cert-dir>/apiserver.crt and apiserver.key and reused while both files stay readable, or kept
// in memory when there is no cert dir.
//
// A generated pair is what client-go's GenerateSelfSignedCertKey makes: an RSA 2048 CA
// "<host>-ca@<unix time>" (serial 1) and an RSA 2048 serving certificate "<host>@<unix time>"
// (serial 2) signed by it, both valid from an hour ago for a year; the certificate file holds the
// serving certificate then the CA, the key file the serving key as PKCS#1 PEM (mode 0600).
#ifndef KAUTH_SERVER_SERVING_CERTIFICATE_H_
#define KAUTH_SERVER_SERVING_CERTIFICATE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kauth/error.h"
#include "server/server_options.h"

namespace kauth::server {

class ServingCertificateProvider;

// PEM text ready for the TLS context.
struct ServingKeyPair {
  std::string cert_chain_pem;  // serving certificate first, then intermediates
  std::string key_pem;
  // For messages: the certificate file, or "generated self-signed certificate".
  std::string cert_source;
  std::string key_source;
  // When set, each handshake takes its certificate from the provider's set in force (chosen by
  // SNI, so reloads and --tls-sni-cert-key apply), and the PEM fields above hold its default
  // pair as it was at start-up. Null: the PEM pair is served for the server's lifetime.
  std::shared_ptr<const ServingCertificateProvider> provider;
};

// What a generated certificate names.
struct SelfSignedNames {
  // The subject CN's prefix and the first SAN (an IP SAN when it is an IP literal).
  std::string host;
  std::vector<std::string> ip_addresses;
  std::vector<std::string> dns_names;
};

// kauthd's names for `bind_address`: host = the bind address, or this machine's host name when
// it is unspecified (0.0.0.0, ::); SANs also "localhost", the host name, 127.0.0.1, ::1 and a
// specific bind address. (kube-apiserver uses its advertise address, the kubernetes.default.svc
// names and the service IP instead, which mean nothing for kauthd.)
SelfSignedNames DefaultSelfSignedNames(std::string_view bind_address);

// Reads both PEM files. Errors: "open <path>: <reason>", "<path>: no certificate found",
// "<path>: no private key found".
Result<ServingKeyPair> ReadServingCertificate(const ServingCertificate& files);

// A fresh pair in memory. Error: "unable to generate self signed cert: <reason>".
Result<ServingKeyPair> GenerateSelfSignedCertificate(const SelfSignedNames& names);

// kube-apiserver's MaybeDefaultWithSelfSignedCerts for <cert_dir>/apiserver.{crt,key}: reuses
// the files when both are readable, generates and writes them (logging "Generated self-signed
// cert") when neither is. Errors: "error reading <path>, certificate and key must be supplied as
// a pair" when only one is readable, or a write error ("open <path>: <reason>").
Result<ServingKeyPair> LoadOrGenerateSelfSignedCertificate(const std::string& cert_dir,
                                                           const SelfSignedNames& names);

// The pair the options ask for: `serving_certificates`' default pair (with the provider) when
// set, else `certificate`, else the cert dir's, else in memory.
Result<ServingKeyPair> ResolveServingCertificate(const ServerOptions& options);

}  // namespace kauth::server

#endif  // KAUTH_SERVER_SERVING_CERTIFICATE_H_
