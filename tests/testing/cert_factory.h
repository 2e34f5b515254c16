// Test PKI: self-signed CAs, intermediates, client and server certificates built with the
// OpenSSL 3 API, with every field a verification test needs to control (subject attributes and
// their ASN.1 types, validity, serial, basicConstraints, keyUsage, extendedKeyUsage, nsCertType,
// key identifiers, SANs, raw extensions, signature digest, key algorithm).
//
// Typical use:
//
//   IssuedCert root = SelfSign(CaSpec("root"));
//   IssuedCert intermediate = Issue(CaSpec("intermediate"), root);
//   CertSpec spec = ClientSpec("jbeda", {"app1", "app2"});
//   spec.ext_key_usage = std::vector<std::string>{std::string(kEkuServerAuth)};
//   IssuedCert leaf = Issue(spec, intermediate);
//   std::string bundle = root.CertPem();
//
// Everything here is for tests: a failing OpenSSL call is a broken test environment, so it
// prints OpenSSL's error queue and aborts instead of returning an error. Objects are owned through
// the RAII types below; nothing needs freeing by hand. Certificates and keys are immutable once
// issued, so sharing them between threads is safe.
#ifndef KAUTH_TESTING_CERT_FACTORY_H_
#define KAUTH_TESTING_CERT_FACTORY_H_

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kauth::testing {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
// Keys are shared: one CA key may sign many certificates, and a re-issued CA may keep its key.
using KeyPtr = std::shared_ptr<EVP_PKEY>;

// Dotted OIDs of the attributes and usages tests use most.
inline constexpr std::string_view kOidCommonName = "2.5.4.3";
inline constexpr std::string_view kOidOrganization = "2.5.4.10";
inline constexpr std::string_view kOidOrganizationalUnit = "2.5.4.11";
// Kubernetes' user UID subject attribute (R5.6).
inline constexpr std::string_view kOidKubernetesUid = "1.3.6.1.4.1.57683.2";
inline constexpr std::string_view kEkuServerAuth = "1.3.6.1.5.5.7.3.1";
inline constexpr std::string_view kEkuClientAuth = "1.3.6.1.5.5.7.3.2";
inline constexpr std::string_view kEkuCodeSigning = "1.3.6.1.5.5.7.3.3";
inline constexpr std::string_view kEkuAny = "2.5.29.37.0";

enum class KeyAlgorithm { kEcdsaP256, kEcdsaP384, kRsa2048, kEd25519 };

// A fresh key pair. ECDSA P-256 is the default because it is fast to generate.
KeyPtr GenerateKey(KeyAlgorithm algorithm = KeyAlgorithm::kEcdsaP256);

// One attribute of a subject name, added in the order given.
struct NameAttribute {
  std::string oid;  // dotted
  // The content octets. For V_ASN1_SEQUENCE (a non-string value), the complete DER encoding.
  std::string value;
  // An OpenSSL V_ASN1_* type: V_ASN1_UTF8STRING, V_ASN1_PRINTABLESTRING, V_ASN1_IA5STRING,
  // V_ASN1_BMPSTRING (UCS-2 big-endian octets), V_ASN1_SEQUENCE...
  int asn1_type = V_ASN1_UTF8STRING;
  // Adds the attribute to the previous RDN (a multi-valued RDN) instead of a new one.
  bool same_rdn_as_previous = false;
};

NameAttribute Cn(std::string value);
NameAttribute Org(std::string value);
NameAttribute Ou(std::string value);
// The Kubernetes UID attribute; UTF8String unless another type is asked for.
NameAttribute Uid(std::string value, int asn1_type = V_ASN1_UTF8STRING);

struct BasicConstraints {
  bool is_ca = false;
  std::optional<int> path_len;
  bool critical = true;
};

// A raw extension: `der_value` is the DER of the extension value (what the OCTET STRING wraps).
struct RawExtension {
  std::string oid;
  bool critical = false;
  std::string der_value;
};

// Everything about a certificate except its issuer. Defaults describe a plain v3 certificate
// with an ECDSA P-256 key, a random positive serial, valid from an hour ago for a day, with
// subject and authority key identifiers and no other extensions.
struct CertSpec {
  std::vector<NameAttribute> subject;

  // 3, or 1 for a legacy v1 certificate (which carries no extensions: they are not added).
  int version = 3;
  // Decimal, may be negative. Empty: 16 random bytes, positive.
  std::string serial;
  // Empty: now - 1h and now + 24h at issue time.
  std::optional<std::chrono::system_clock::time_point> not_before;
  std::optional<std::chrono::system_clock::time_point> not_after;

  std::optional<BasicConstraints> basic_constraints;
  // OpenSSL configuration syntax, e.g. "critical,digitalSignature,keyCertSign".
  std::optional<std::string> key_usage;
  // Dotted OIDs; an empty vector gives an extension with no usages. Absent: no extension.
  std::optional<std::vector<std::string>> ext_key_usage;
  bool ext_key_usage_critical = false;
  // OpenSSL configuration syntax, e.g. "server" or "client,email".
  std::optional<std::string> ns_cert_type;

  bool add_subject_key_id = true;
  // Raw key identifier bytes. Default: SHA-1 of the public key bits (RFC 5280's method 1).
  std::optional<std::string> subject_key_id;
  // Copies the issuer's subject key identifier (when it has one) unless overridden below.
  bool add_authority_key_id = true;
  std::optional<std::string> authority_key_id;

  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::vector<RawExtension> extra_extensions;

  // The certificate's own key. Null: a new key of `key_algorithm`.
  KeyPtr key;
  KeyAlgorithm key_algorithm = KeyAlgorithm::kEcdsaP256;
  // The digest the issuer signs with ("SHA256", "SHA1", ...); ignored for Ed25519 issuers.
  std::string digest = "SHA256";
};

// A CA: CN=`common_name`, critical basicConstraints CA:TRUE, critical keyUsage keyCertSign,
// cRLSign and digitalSignature, no extended key usage.
CertSpec CaSpec(std::string common_name);
// A client certificate: CN and one O per organization (in order), CA:FALSE, critical keyUsage
// digitalSignature, extendedKeyUsage clientAuth.
CertSpec ClientSpec(std::string common_name, std::vector<std::string> organizations = {});
// A TLS server certificate: CN, SANs, CA:FALSE, digitalSignature and keyEncipherment, serverAuth.
CertSpec ServerSpec(std::string common_name, std::vector<std::string> dns_names,
                    std::vector<std::string> ip_addresses = {});

struct IssuedCert {
  X509Ptr cert;
  KeyPtr key;

  X509* get() const { return cert.get(); }
  std::string CertPem() const;
  // PKCS#8 PEM, unencrypted.
  std::string KeyPem() const;
  std::string Der() const;
};

IssuedCert SelfSign(const CertSpec& spec);
IssuedCert Issue(const CertSpec& spec, const IssuedCert& issuer);

std::string ToPem(const X509* cert);
std::string ToDer(const X509* cert);
std::string PrivateKeyPem(const EVP_PKEY* key);
// The first certificate in `pem`; null when there is none.
X509Ptr ParsePemCertificate(std::string_view pem);

// A private temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `contents` to `name` inside the directory (replacing it) and returns the full path.
  std::filesystem::path WriteFile(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

}  // namespace kauth::testing

#endif  // KAUTH_TESTING_CERT_FACTORY_H_
