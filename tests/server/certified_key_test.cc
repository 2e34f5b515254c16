// CertifiedKey: a serving pair parsed and checked as Go's tls.X509KeyPair checks it, and the
// names kube-apiserver extracts for an SNI pair given without names.
#include "server/certified_key.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/cert_factory.h"

namespace kauth::server {
namespace {

using kauth::testing::CaSpec;
using kauth::testing::Cn;
using kauth::testing::Issue;
using kauth::testing::IssuedCert;
using kauth::testing::SelfSign;
using kauth::testing::ServerSpec;

ServingKeyPair Pair(const std::string& cert_pem, const std::string& key_pem) {
  return {.cert_chain_pem = cert_pem,
          .key_pem = key_pem,
          .cert_source = "c.crt",
          .key_source = "c.key"};
}

class CertifiedKeyTest : public ::testing::Test {
 protected:
  IssuedCert ca_ = SelfSign(CaSpec("ca"));
  IssuedCert intermediate_ = Issue(CaSpec("intermediate"), ca_);
  IssuedCert leaf_ = Issue(ServerSpec("kauthd", {"localhost"}), intermediate_);
  IssuedCert other_ = Issue(ServerSpec("other", {"other"}), ca_);
};

TEST_F(CertifiedKeyTest, ParsesLeafChainAndKey) {
  auto certified =
      CertifiedKey::FromPem(Pair(leaf_.CertPem() + intermediate_.CertPem(), leaf_.KeyPem()));
  ASSERT_TRUE(certified.has_value()) << certified.error().message;
  EXPECT_EQ(X509_cmp((*certified)->leaf(), leaf_.get()), 0);
  ASSERT_EQ(sk_X509_num((*certified)->chain()), 1);
  EXPECT_EQ(X509_cmp(sk_X509_value((*certified)->chain(), 0), intermediate_.get()), 0);
  EXPECT_EQ((*certified)->pem().key_pem, leaf_.KeyPem());
}

TEST_F(CertifiedKeyTest, MismatchedKeyIsRefusedWithGoText) {
  EXPECT_EQ(CertifiedKey::FromPem(Pair(leaf_.CertPem(), other_.KeyPem())).error().message,
            "invalid serving cert keypair (c.crt, c.key): tls: private key does not match public "
            "key");
}

TEST_F(CertifiedKeyTest, MissingPemDataIsRefusedWithGoText) {
  EXPECT_EQ(CertifiedKey::FromPem(Pair("junk", leaf_.KeyPem())).error().message,
            "invalid serving cert keypair (c.crt, c.key): tls: failed to find any PEM data in "
            "certificate input");
  EXPECT_EQ(CertifiedKey::FromPem(Pair(leaf_.CertPem(), "junk")).error().message,
            "invalid serving cert keypair (c.crt, c.key): tls: failed to find any PEM data in key "
            "input");
}

// kube-apiserver's getCertificateNames, case by case.
TEST_F(CertifiedKeyTest, DefaultSniNamesAreTheDomainCnThenDnsSans) {
  struct Case {
    const char* name;
    std::string cn;
    std::vector<std::string> dns;
    std::vector<std::string> ips;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"domain CN then SANs",
       "api.example.com",
       {"a.example.com", "*.b.example.com"},
       {},
       {"api.example.com", "a.example.com", "*.b.example.com"}},
      {"wildcard CN", "*.example.com", {}, {}, {"*.example.com"}},
      {"bare star CN", "*", {}, {}, {"*"}},
      {"IP CN left out", "10.0.0.1", {"x.example.com"}, {}, {"x.example.com"}},
      {"non-DNS CN left out", "kube apiserver", {"k"}, {}, {"k"}},
      {"upper-case CN left out", "API.example.com", {}, {}, {}},
      {"IP SANs left out", "host", {}, {"127.0.0.1"}, {"host"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const IssuedCert cert = Issue(ServerSpec(c.cn, c.dns, c.ips), ca_);
    auto certified = CertifiedKey::FromPem(Pair(cert.CertPem(), cert.KeyPem()));
    ASSERT_TRUE(certified.has_value());
    EXPECT_EQ((*certified)->DefaultSniNames(), c.expected);
  }
}

}  // namespace
}  // namespace kauth::server
