#include "server/serving_certificate.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "testing/cert_factory.h"

namespace kauth::server {
namespace {

using kauth::testing::TempDir;
using kauth::testing::X509Ptr;

std::vector<X509Ptr> ParseChain(const std::string& pem) {
  std::vector<X509Ptr> chain;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) chain.emplace_back(cert);
  BIO_free(bio);
  return chain;
}

std::string CommonName(X509* cert) {
  char buffer[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buffer, sizeof(buffer));
  return buffer;
}

// "DNS:x" and "IP:y" entries of the subjectAltName, in order.
std::vector<std::string> AltNames(X509* cert) {
  std::vector<std::string> names;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type == GEN_DNS) {
      names.push_back("DNS:" + std::string(reinterpret_cast<const char*>(
                                   ASN1_STRING_get0_data(name->d.dNSName))));
    } else if (name->type == GEN_IPADD) {
      char text[64] = {};
      const int length = ASN1_STRING_length(name->d.iPAddress);
      inet_ntop(length == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(name->d.iPAddress), text,
                sizeof(text));
      names.push_back("IP:" + std::string(text));
    }
  }
  GENERAL_NAMES_free(sans);
  return names;
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string HostName() {
  char buffer[256] = {};
  ::gethostname(buffer, sizeof(buffer) - 1);
  return buffer;
}

TEST(ServingCertificateTest, DefaultNamesForUnspecifiedBindUseTheHostName) {
  const SelfSignedNames names = DefaultSelfSignedNames("0.0.0.0");
  EXPECT_EQ(names.host, HostName());
  EXPECT_EQ(names.dns_names, std::vector<std::string>{"localhost"});
  EXPECT_EQ(names.ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
}

TEST(ServingCertificateTest, DefaultNamesForASpecificBindAddressNameIt) {
  const SelfSignedNames names = DefaultSelfSignedNames("10.1.2.3");
  EXPECT_EQ(names.host, "10.1.2.3");
  EXPECT_EQ(names.dns_names, (std::vector<std::string>{"localhost", HostName()}));
  EXPECT_EQ(names.ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  // The loopback address is not listed twice.
  EXPECT_EQ(DefaultSelfSignedNames("127.0.0.1").ip_addresses, std::vector<std::string>{"::1"});
}

TEST(ServingCertificateTest, GeneratedPairIsClientGosShape) {
  const SelfSignedNames names{
      .host = "10.1.2.3", .ip_addresses = {"127.0.0.1"}, .dns_names = {"localhost"}};
  const auto before = std::time(nullptr);
  Result<ServingKeyPair> pair = GenerateSelfSignedCertificate(names);
  ASSERT_TRUE(pair) << pair.error().message;
  EXPECT_EQ(pair->cert_source, "generated self-signed certificate");
  EXPECT_TRUE(pair->key_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n")) << pair->key_pem;

  const std::vector<X509Ptr> chain = ParseChain(pair->cert_chain_pem);
  ASSERT_EQ(chain.size(), 2u);
  X509* leaf = chain[0].get();
  X509* ca = chain[1].get();
  EXPECT_TRUE(std::regex_match(CommonName(leaf), std::regex(R"(10\.1\.2\.3@\d+)")))
      << CommonName(leaf);
  EXPECT_TRUE(std::regex_match(CommonName(ca), std::regex(R"(10\.1\.2\.3-ca@\d+)")))
      << CommonName(ca);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(ca)), 1);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(leaf)), 2);
  EXPECT_EQ(AltNames(leaf),
            (std::vector<std::string>{"IP:10.1.2.3", "IP:127.0.0.1", "DNS:localhost"}));
  EXPECT_EQ(X509_check_issued(ca, leaf), X509_V_OK);
  EXPECT_EQ(X509_check_ca(ca), 1);
  EXPECT_EQ(X509_check_ca(leaf), 0);
  EXPECT_TRUE(X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER);
  // Valid from an hour ago, for a year.
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(leaf), X509_get0_notAfter(leaf)),
            1);
  EXPECT_EQ(days, 365);
  EXPECT_EQ(seconds, 0);
  ASN1_TIME* hour_ago = ASN1_TIME_set(nullptr, before - 3600);
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, hour_ago, X509_get0_notBefore(leaf)), 1);
  EXPECT_EQ(days, 0);
  EXPECT_LE(seconds, 5);
  ASN1_TIME_free(hour_ago);
}

TEST(ServingCertificateTest, CertDirPairIsWrittenThenReused) {
  TempDir dir;
  const std::string cert_dir = (dir.path() / "certs" / "nested").string();
  const SelfSignedNames names = DefaultSelfSignedNames("127.0.0.1");
  Result<ServingKeyPair> first = LoadOrGenerateSelfSignedCertificate(cert_dir, names);
  ASSERT_TRUE(first) << first.error().message;
  const std::filesystem::path cert_file = std::filesystem::path(cert_dir) / "apiserver.crt";
  const std::filesystem::path key_file = std::filesystem::path(cert_dir) / "apiserver.key";
  EXPECT_EQ(first->cert_source, cert_file.string());
  EXPECT_EQ(first->key_source, key_file.string());
  EXPECT_EQ(ReadAll(cert_file), first->cert_chain_pem);
  EXPECT_EQ(ReadAll(key_file), first->key_pem);
  struct stat info {};
  ASSERT_EQ(::stat(key_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  Result<ServingKeyPair> second = LoadOrGenerateSelfSignedCertificate(cert_dir, names);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->cert_chain_pem, first->cert_chain_pem);
  EXPECT_EQ(second->key_pem, first->key_pem);
}

TEST(ServingCertificateTest, CertDirWithOnlyOneFileIsAnError) {
  TempDir dir;
  dir.WriteFile("apiserver.crt", "-----BEGIN CERTIFICATE-----\n");
  Result<ServingKeyPair> pair =
      LoadOrGenerateSelfSignedCertificate(dir.path().string(), DefaultSelfSignedNames("::"));
  ASSERT_FALSE(pair);
  EXPECT_EQ(pair.error().message, "error reading " + (dir.path() / "apiserver.key").string() +
                                      ", certificate and key must be supplied as a pair");
}

TEST(ServingCertificateTest, ReadErrorsNameTheFile) {
  TempDir dir;
  const std::string missing = (dir.path() / "missing.crt").string();
  Result<ServingKeyPair> pair = ReadServingCertificate({.cert_file = missing, .key_file = "x"});
  ASSERT_FALSE(pair);
  EXPECT_EQ(pair.error().message, "open " + missing + ": no such file or directory");

  const std::string not_pem = dir.WriteFile("a.crt", "hello").string();
  pair = ReadServingCertificate({.cert_file = not_pem, .key_file = not_pem});
  ASSERT_FALSE(pair);
  EXPECT_EQ(pair.error().message, not_pem + ": no certificate found");
}

TEST(ServingCertificateTest, ResolvePrefersTheGivenCertificate) {
  TempDir dir;
  const kauth::testing::IssuedCert cert =
      kauth::testing::SelfSign(kauth::testing::ServerSpec("given", {"localhost"}));
  ServerOptions options;
  options.certificate =
      ServingCertificate{.cert_file = dir.WriteFile("tls.crt", cert.CertPem()).string(),
                         .key_file = dir.WriteFile("tls.key", cert.KeyPem()).string()};
  options.cert_dir = (dir.path() / "unused").string();
  Result<ServingKeyPair> pair = ResolveServingCertificate(options);
  ASSERT_TRUE(pair) << pair.error().message;
  EXPECT_EQ(pair->cert_chain_pem, cert.CertPem());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "unused"));
}

}  // namespace
}  // namespace kauth::server
