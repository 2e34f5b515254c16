#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <filesystem>
#include <string>

#include "kauth/x509.h"
#include "testing/cert_factory.h"

namespace kauth {
namespace {

using testing::CaSpec;
using testing::IssuedCert;
using testing::SelfSign;
using testing::TempDir;

constexpr std::string_view kName = "client-ca-bundle::/etc/ca.crt";

// The PEM armour around `body` (already base64), with optional extra lines after BEGIN.
std::string Armour(std::string_view type, std::string_view body, std::string_view headers = "") {
  return "-----BEGIN " + std::string(type) + "-----\n" + std::string(headers) + std::string(body) +
         "\n-----END " + std::string(type) + "-----\n";
}

std::string ErrorOf(const Result<std::shared_ptr<const CaBundle>>& result) {
  return result ? std::string("<ok>") : result.error().message;
}

// R5.7: the start-up errors, verbatim, for content that is not a usable bundle.
TEST(CaBundleTest, R5_7_FromPemErrors) {
  const IssuedCert ca = SelfSign(CaSpec("ca"));
  const std::string cert_body = [&] {
    std::string pem = ca.CertPem();
    const std::size_t begin = pem.find('\n') + 1;
    return pem.substr(begin, pem.find("-----END") - begin - 1);
  }();
  const std::string no_certs =
      "error loading CA bundle for \"client-ca-bundle::/etc/ca.crt\": data does not contain any "
      "valid RSA or ECDSA certificates";
  struct Case {
    const char* name;
    std::string pem;
    std::string want;
  };
  const Case cases[] = {
      {"empty", "", "missing content for CA bundle \"client-ca-bundle::/etc/ca.crt\""},
      {"not PEM", "hello world\n", no_certs},
      {"only a newline", "\n", no_certs},
      {"only a private key", ca.KeyPem(), no_certs},
      {"certificate block with headers is skipped",
       Armour("CERTIFICATE", cert_body, "Proc-Type: 4,ENCRYPTED\n\n"), no_certs},
      {"wrong block type", Armour("X509 CERTIFICATE", cert_body), no_certs},
      {"bad base64 skips the block", Armour("CERTIFICATE", "!!!!"), no_certs},
      {"missing END line", "-----BEGIN CERTIFICATE-----\n" + cert_body + "\n", no_certs},
      {"mismatched END type", "-----BEGIN CERTIFICATE-----\n" + cert_body + "\n-----END KEY-----\n",
       no_certs},
      {"certificate that does not parse", Armour("CERTIFICATE", "aGVsbG8="),
       "error loading CA bundle for \"client-ca-bundle::/etc/ca.crt\": x509: malformed "
       "certificate"},
      {"a bad certificate after a good one fails the bundle",
       ca.CertPem() + Armour("CERTIFICATE", "aGVsbG8="),
       "error loading CA bundle for \"client-ca-bundle::/etc/ca.crt\": x509: malformed "
       "certificate"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrorOf(CaBundle::FromPem(c.pem, kName)), c.want) << c.name;
  }
}

TEST(CaBundleTest, R5_7_TrailingDataAfterCertificateIsAnError) {
  const IssuedCert ca = SelfSign(CaSpec("ca"));
  std::string der = ca.Der() + "xx";
  // Base64 of the DER with two junk bytes appended.
  std::string body(((der.size() + 2) / 3) * 4 + 1, '\0');
  const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(body.data()),
                                  reinterpret_cast<const unsigned char*>(der.data()),
                                  static_cast<int>(der.size()));
  body.resize(static_cast<std::size_t>(len));
  EXPECT_EQ(ErrorOf(CaBundle::FromPem(Armour("CERTIFICATE", body), kName)),
            "error loading CA bundle for \"client-ca-bundle::/etc/ca.crt\": x509: trailing data");
}

TEST(CaBundleTest, R5_7_NameIsQuotedTheGoWay) {
  EXPECT_EQ(ErrorOf(CaBundle::FromPem("", "client-ca-bundle::/tmp/a\"b\n")),
            "missing content for CA bundle \"client-ca-bundle::/tmp/a\\\"b\\n\"");
}

TEST(CaBundleTest, R5_7_KeepsCertificatesInOrderAndSkipsOtherBlocks) {
  const IssuedCert first = SelfSign(CaSpec("first"));
  const IssuedCert second = SelfSign(CaSpec("second"));
  const std::string pem = "leading text\n" + first.CertPem() + first.KeyPem() +
                          "junk between blocks\n" + second.CertPem() + "trailing\n";
  auto bundle = CaBundle::FromPem(pem, kName);
  ASSERT_TRUE(bundle) << bundle.error().message;
  EXPECT_EQ((*bundle)->pem(), pem);
  ASSERT_EQ((*bundle)->certificates().size(), 2u);
  EXPECT_EQ(X509_cmp((*bundle)->certificates()[0], first.get()), 0);
  EXPECT_EQ(X509_cmp((*bundle)->certificates()[1], second.get()), 0);
  EXPECT_NE((*bundle)->store(), nullptr);
}

TEST(CaBundleTest, R5_7_AcceptsCrlfAndIndentedBase64) {
  const IssuedCert ca = SelfSign(CaSpec("ca"));
  std::string crlf;
  for (char c : ca.CertPem()) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto bundle = CaBundle::FromPem(crlf, kName);
  ASSERT_TRUE(bundle) << bundle.error().message;
  EXPECT_EQ((*bundle)->certificates().size(), 1u);

  // Go's decoder drops spaces and tabs inside the base64 body.
  const std::string pem = ca.CertPem();
  const std::size_t body_start = pem.find('\n') + 1;
  const std::size_t body_end = pem.find("-----END");
  std::string indented = pem.substr(0, body_start);
  for (char c : pem.substr(body_start, body_end - body_start)) {
    indented += c;
    if (c == '\n') indented += " \t";
  }
  indented += "\n" + pem.substr(body_end);
  bundle = CaBundle::FromPem(indented, kName);
  ASSERT_TRUE(bundle) << bundle.error().message;
  EXPECT_EQ((*bundle)->certificates().size(), 1u);
}

// R5.7: the file errors; the name is "<purpose>::<path>".
TEST(CaBundleTest, R5_7_LoadFileErrors) {
  TempDir dir;
  const std::string empty = dir.WriteFile("empty.crt", "").string();
  const std::string junk = dir.WriteFile("junk.crt", "junk\n").string();
  const std::string missing = (dir.path() / "missing.crt").string();
  struct Case {
    const char* name;
    std::string path;
    std::string_view purpose;
    std::string want;
  };
  const Case cases[] = {
      {"no file name", "", "client-ca-bundle", "missing filename for ca bundle"},
      {"empty file", empty, "client-ca-bundle",
       "missing content for CA bundle \"client-ca-bundle::" + empty + "\""},
      {"request-header purpose", junk, "request-header",
       "error loading CA bundle for \"request-header::" + junk +
           "\": data does not contain any valid RSA or ECDSA certificates"},
      {"missing file", missing, "client-ca-bundle",
       "open " + missing + ": no such file or directory"},
      {"directory", dir.path().string(), "client-ca-bundle",
       "read " + dir.path().string() + ": is a directory"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrorOf(CaBundle::LoadFile(c.path, c.purpose)), c.want) << c.name;
  }
}

TEST(CaBundleTest, R5_7_LoadFileReadsTheBundle) {
  const IssuedCert ca = SelfSign(CaSpec("ca"));
  TempDir dir;
  auto bundle =
      CaBundle::LoadFile(dir.WriteFile("ca.crt", ca.CertPem()).string(), "client-ca-bundle");
  ASSERT_TRUE(bundle) << bundle.error().message;
  EXPECT_EQ((*bundle)->pem(), ca.CertPem());
  ASSERT_EQ((*bundle)->certificates().size(), 1u);
}

TEST(CaBundleTest, StaticProviderHandsOutItsBundle) {
  const IssuedCert ca = SelfSign(CaSpec("ca"));
  std::shared_ptr<const CaBundle> bundle = CaBundle::FromPem(ca.CertPem(), kName).value();
  EXPECT_EQ(NewStaticCaBundleProvider(bundle)->Current(), bundle);
  EXPECT_EQ(NewStaticCaBundleProvider(nullptr)->Current(), nullptr);
}

}  // namespace
}  // namespace kauth
