// Reading certificate fields the way Go's crypto/x509 parser presents them: subject attribute
// strings, the common name and organizations of pkix.Name, the serial number, key identifiers
// and validity times. Shared by the verifier and the authenticator.
#ifndef KAUTH_X509_CERTIFICATE_FIELDS_H_
#define KAUTH_X509_CERTIFICATE_FIELDS_H_

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kauth::x509_internal {

// A subject attribute value as Go parses it: a UTF-8 string for the ASN.1 string types Go reads
// (UTF8String, PrintableString, IA5String, NumericString, T61String as Latin-1, BMPString), or
// nullopt for any other type or for contents Go would reject (invalid UTF-8, a character outside
// the type's alphabet). Go fails to parse such a certificate at all; kauth sees a non-string.
std::optional<std::string> GoAttributeString(const ASN1_STRING* value);

// The parts of Go's pkix.Name that Kubernetes reads.
struct GoSubject {
  // The last string-valued CN: Go overwrites CommonName for each CN attribute it meets.
  std::string common_name;
  // Every string-valued O, in certificate order (multi-valued RDNs flattened).
  std::vector<std::string> organizations;
};
GoSubject ParseGoSubject(const X509_NAME* name);

// The serial number in decimal, as Go's %d prints a big.Int (negative numbers with "-").
std::string SerialDecimal(const X509* cert);

// Upper-case hex byte pairs joined by ':', "" for a null or empty identifier (R5.5).
std::string ColonHex(const ASN1_OCTET_STRING* id);

// An ASN.1 time as a UTC time point; nullopt when it cannot be read.
std::optional<std::chrono::system_clock::time_point> ToTimePoint(const ASN1_TIME* time);

// How Go names a candidate issuer in an unknown-authority hint: its CN, else its first O, else
// "serial:<decimal>".
std::string GoCertificateName(const X509* cert);

// The DER bytes of a name, as Go's RawSubject / RawIssuer hold them.
std::string_view NameDer(const X509_NAME* name);

}  // namespace kauth::x509_internal

#endif  // KAUTH_X509_CERTIFICATE_FIELDS_H_
