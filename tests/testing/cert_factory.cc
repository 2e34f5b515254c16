#include "testing/cert_factory.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <utility>

namespace kauth::testing {
namespace {

using std::chrono::system_clock;

// A broken OpenSSL call here means a broken test environment, not a test failure.
[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "cert_factory: %s failed\n", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, Deleter<ASN1_OBJECT, ASN1_OBJECT_free>>;
using OctetStringPtr =
    std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdPtr = std::unique_ptr<EVP_MD, Deleter<EVP_MD, EVP_MD_free>>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

int IntSize(std::size_t size) {
  Check(size <= 1 << 20, "size check");
  return static_cast<int>(size);
}

Asn1ObjectPtr Oid(const std::string& dotted) {
  Asn1ObjectPtr obj(OBJ_txt2obj(dotted.c_str(), /*no_name=*/1));
  Check(obj != nullptr, "OBJ_txt2obj");
  return obj;
}

OctetStringPtr OctetString(std::string_view bytes) {
  OctetStringPtr out(ASN1_OCTET_STRING_new());
  Check(out && ASN1_OCTET_STRING_set(out.get(), Bytes(bytes), IntSize(bytes.size())) == 1,
        "ASN1_OCTET_STRING_set");
  return out;
}

std::string MemBioContents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data);
  Check(len >= 0 && (len == 0 || data != nullptr), "BIO_CTRL_INFO");
  return std::string(data == nullptr ? "" : data, static_cast<std::size_t>(len));
}

time_t ToTimeT(system_clock::time_point t) {
  return static_cast<time_t>(
      std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count());
}

void SetSerial(X509* cert, const std::string& decimal) {
  BIGNUM* raw = nullptr;
  if (decimal.empty()) {
    std::array<unsigned char, 16> bytes{};
    Check(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1, "RAND_bytes");
    // Positive and a full 16 bytes, as most CAs issue them.
    bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7F) | 0x40);
    raw = BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr);
  } else {
    Check(BN_dec2bn(&raw, decimal.c_str()) > 0, "BN_dec2bn");
  }
  BignumPtr bn(raw);
  Check(bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr,
        "BN_to_ASN1_INTEGER");
}

void SetSubject(X509* cert, const std::vector<NameAttribute>& attributes) {
  X509_NAME* name = X509_get_subject_name(cert);
  for (const NameAttribute& attribute : attributes) {
    Asn1ObjectPtr obj = Oid(attribute.oid);
    Check(X509_NAME_add_entry_by_OBJ(name, obj.get(), attribute.asn1_type, Bytes(attribute.value),
                                     IntSize(attribute.value.size()), -1,
                                     attribute.same_rdn_as_previous ? -1 : 0) == 1,
          "X509_NAME_add_entry_by_OBJ");
  }
}

void AddConfExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  Check(ext && X509_add_ext(cert, ext.get(), -1) == 1, "X509V3_EXT_conf_nid");
}

std::string Sha1(std::string_view data) {
  MdPtr md(EVP_MD_fetch(nullptr, "SHA1", nullptr));
  std::string out(20, '\0');
  unsigned int len = 0;
  Check(md && EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()),
                         &len, md.get(), nullptr) == 1,
        "EVP_Digest");
  return out;
}

std::string DefaultKeyId(X509* cert) {
  const unsigned char* bits = nullptr;
  int len = 0;
  Check(X509_PUBKEY_get0_param(nullptr, &bits, &len, nullptr, X509_get_X509_PUBKEY(cert)) == 1,
        "X509_PUBKEY_get0_param");
  return Sha1(std::string_view(reinterpret_cast<const char*>(bits), static_cast<std::size_t>(len)));
}

std::optional<std::string> SubjectKeyId(X509* cert) {
  const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(cert);
  if (skid == nullptr) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(skid)),
                     static_cast<std::size_t>(ASN1_STRING_length(skid)));
}

void AddExtensions(const CertSpec& spec, X509* cert, X509* issuer) {
  if (spec.basic_constraints) {
    BASIC_CONSTRAINTS* bc = BASIC_CONSTRAINTS_new();
    Check(bc != nullptr, "BASIC_CONSTRAINTS_new");
    bc->ca = spec.basic_constraints->is_ca ? 0xFF : 0;
    if (spec.basic_constraints->path_len) {
      bc->pathlen = ASN1_INTEGER_new();
      Check(bc->pathlen && ASN1_INTEGER_set(bc->pathlen, *spec.basic_constraints->path_len) == 1,
            "ASN1_INTEGER_set");
    }
    const int rc = X509_add1_ext_i2d(cert, NID_basic_constraints, bc,
                                     spec.basic_constraints->critical ? 1 : 0, X509V3_ADD_DEFAULT);
    BASIC_CONSTRAINTS_free(bc);
    Check(rc == 1, "basicConstraints");
  }
  if (spec.key_usage) AddConfExtension(cert, issuer, NID_key_usage, *spec.key_usage);
  if (spec.ext_key_usage) {
    EXTENDED_KEY_USAGE* eku = sk_ASN1_OBJECT_new_null();
    Check(eku != nullptr, "sk_ASN1_OBJECT_new_null");
    for (const std::string& oid : *spec.ext_key_usage) {
      Check(sk_ASN1_OBJECT_push(eku, Oid(oid).release()) > 0, "sk_ASN1_OBJECT_push");
    }
    const int rc = X509_add1_ext_i2d(cert, NID_ext_key_usage, eku,
                                     spec.ext_key_usage_critical ? 1 : 0, X509V3_ADD_DEFAULT);
    sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
    Check(rc == 1, "extendedKeyUsage");
  }
  if (spec.ns_cert_type) AddConfExtension(cert, issuer, NID_netscape_cert_type, *spec.ns_cert_type);

  if (spec.add_subject_key_id) {
    OctetStringPtr skid =
        OctetString(spec.subject_key_id ? *spec.subject_key_id : DefaultKeyId(cert));
    Check(
        X509_add1_ext_i2d(cert, NID_subject_key_identifier, skid.get(), 0, X509V3_ADD_DEFAULT) == 1,
        "subjectKeyIdentifier");
  }
  if (spec.add_authority_key_id) {
    // A self-signed certificate is its own issuer, so its identifier is read after it is set.
    std::optional<std::string> keyid = spec.authority_key_id;
    if (!keyid) keyid = SubjectKeyId(issuer);
    if (keyid) {
      AUTHORITY_KEYID* akid = AUTHORITY_KEYID_new();
      Check(akid != nullptr, "AUTHORITY_KEYID_new");
      akid->keyid = OctetString(*keyid).release();
      const int rc =
          X509_add1_ext_i2d(cert, NID_authority_key_identifier, akid, 0, X509V3_ADD_DEFAULT);
      AUTHORITY_KEYID_free(akid);
      Check(rc == 1, "authorityKeyIdentifier");
    }
  }

  std::string san;
  for (const std::string& dns : spec.dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + dns;
  for (const std::string& ip : spec.ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + ip;
  if (!san.empty()) AddConfExtension(cert, issuer, NID_subject_alt_name, san);

  for (const RawExtension& raw : spec.extra_extensions) {
    Asn1ObjectPtr obj = Oid(raw.oid);
    OctetStringPtr value = OctetString(raw.der_value);
    ExtensionPtr ext(
        X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), raw.critical ? 1 : 0, value.get()));
    Check(ext && X509_add_ext(cert, ext.get(), -1) == 1, "raw extension");
  }
}

// Builds and signs a certificate. `issuer` null means self-signed.
IssuedCert Build(const CertSpec& spec, const IssuedCert* issuer) {
  KeyPtr key = spec.key ? spec.key : GenerateKey(spec.key_algorithm);
  X509Ptr cert(X509_new());
  Check(cert != nullptr, "X509_new");
  Check(X509_set_version(cert.get(), spec.version - 1) == 1, "X509_set_version");
  SetSerial(cert.get(), spec.serial);

  const system_clock::time_point now = system_clock::now();
  Check(ASN1_TIME_set(X509_getm_notBefore(cert.get()),
                      ToTimeT(spec.not_before.value_or(now - std::chrono::hours(1)))) != nullptr,
        "notBefore");
  Check(ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                      ToTimeT(spec.not_after.value_or(now + std::chrono::hours(24)))) != nullptr,
        "notAfter");

  SetSubject(cert.get(), spec.subject);
  X509* issuer_cert = issuer ? issuer->get() : cert.get();
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert)) == 1,
        "X509_set_issuer_name");
  Check(X509_set_pubkey(cert.get(), key.get()) == 1, "X509_set_pubkey");
  if (spec.version >= 3) AddExtensions(spec, cert.get(), issuer_cert);

  EVP_PKEY* signing_key = issuer ? issuer->key.get() : key.get();
  MdPtr md;
  if (EVP_PKEY_get_base_id(signing_key) != EVP_PKEY_ED25519) {
    md.reset(EVP_MD_fetch(nullptr, spec.digest.c_str(), nullptr));
    Check(md != nullptr, "EVP_MD_fetch");
  }
  Check(X509_sign(cert.get(), signing_key, md.get()) > 0, "X509_sign");
  // Parsed back from DER, the certificate behaves exactly like one received in a handshake
  // (OpenSSL caches extension data and fingerprints computed while it was being built).
  const std::string der = ToDer(cert.get());
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr parsed(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  Check(parsed != nullptr, "d2i_X509");
  return IssuedCert{std::move(parsed), std::move(key)};
}

}  // namespace

KeyPtr GenerateKey(KeyAlgorithm algorithm) {
  const char* type = "EC";
  if (algorithm == KeyAlgorithm::kRsa2048) type = "RSA";
  if (algorithm == KeyAlgorithm::kEd25519) type = "ED25519";
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  Check(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1, "EVP_PKEY_keygen_init");
  switch (algorithm) {
    case KeyAlgorithm::kEcdsaP256:
      Check(EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") == 1, "P-256");
      break;
    case KeyAlgorithm::kEcdsaP384:
      Check(EVP_PKEY_CTX_set_group_name(ctx.get(), "P-384") == 1, "P-384");
      break;
    case KeyAlgorithm::kRsa2048:
      Check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) == 1, "RSA bits");
      break;
    case KeyAlgorithm::kEd25519:
      break;
  }
  EVP_PKEY* key = nullptr;
  Check(EVP_PKEY_generate(ctx.get(), &key) == 1, "EVP_PKEY_generate");
  return KeyPtr(key, EVP_PKEY_free);
}

NameAttribute Cn(std::string value) {
  return {.oid = std::string(kOidCommonName), .value = std::move(value)};
}
NameAttribute Org(std::string value) {
  return {.oid = std::string(kOidOrganization), .value = std::move(value)};
}
NameAttribute Ou(std::string value) {
  return {.oid = std::string(kOidOrganizationalUnit), .value = std::move(value)};
}
NameAttribute Uid(std::string value, int asn1_type) {
  return {.oid = std::string(kOidKubernetesUid), .value = std::move(value), .asn1_type = asn1_type};
}

CertSpec CaSpec(std::string common_name) {
  CertSpec spec;
  spec.subject = {Cn(std::move(common_name))};
  spec.basic_constraints = BasicConstraints{.is_ca = true};
  spec.key_usage = "critical,keyCertSign,cRLSign,digitalSignature";
  return spec;
}

CertSpec ClientSpec(std::string common_name, std::vector<std::string> organizations) {
  CertSpec spec;
  spec.subject = {Cn(std::move(common_name))};
  for (std::string& org : organizations) spec.subject.push_back(Org(std::move(org)));
  spec.basic_constraints = BasicConstraints{.is_ca = false};
  spec.key_usage = "critical,digitalSignature";
  spec.ext_key_usage = std::vector<std::string>{std::string(kEkuClientAuth)};
  return spec;
}

CertSpec ServerSpec(std::string common_name, std::vector<std::string> dns_names,
                    std::vector<std::string> ip_addresses) {
  CertSpec spec;
  spec.subject = {Cn(std::move(common_name))};
  spec.basic_constraints = BasicConstraints{.is_ca = false};
  spec.key_usage = "critical,digitalSignature,keyEncipherment";
  spec.ext_key_usage = std::vector<std::string>{std::string(kEkuServerAuth)};
  spec.dns_names = std::move(dns_names);
  spec.ip_addresses = std::move(ip_addresses);
  return spec;
}

IssuedCert SelfSign(const CertSpec& spec) { return Build(spec, nullptr); }

IssuedCert Issue(const CertSpec& spec, const IssuedCert& issuer) { return Build(spec, &issuer); }

std::string IssuedCert::CertPem() const { return ToPem(cert.get()); }
std::string IssuedCert::KeyPem() const { return PrivateKeyPem(key.get()); }
std::string IssuedCert::Der() const { return ToDer(cert.get()); }

std::string ToPem(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(bio && PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  return MemBioContents(bio.get());
}

std::string ToDer(const X509* cert) {
  const int len = i2d_X509(cert, nullptr);
  Check(len > 0, "i2d_X509");
  std::string out(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  Check(i2d_X509(cert, &p) == len, "i2d_X509");
  return out;
}

std::string PrivateKeyPem(const EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  return MemBioContents(bio.get());
}

X509Ptr ParsePemCertificate(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), IntSize(pem.size())));
  Check(bio != nullptr, "BIO_new_mem_buf");
  // "No start line" when there is no certificate is an answer, not an error to leave queued.
  ERR_set_mark();
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_pop_to_mark();
  return cert;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "kauth-test-XXXXXX").string();
  Check(mkdtemp(pattern.data()) != nullptr, "mkdtemp");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::WriteFile(std::string_view name, std::string_view contents) const {
  std::filesystem::path file = path_ / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  Check(static_cast<bool>(out.flush()), "write temp file");
  return file;
}

}  // namespace kauth::testing
