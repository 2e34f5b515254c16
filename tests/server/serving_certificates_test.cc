// ServingCertificates: the certificate a handshake gets for its SNI, as kube-apiserver chooses
// among --tls-cert-file and --tls-sni-cert-key (Go's getCertificate over BuildNamedCertificates).
#include "server/serving_certificates.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/cert_factory.h"

namespace kauth::server {
namespace {

using kauth::testing::CaSpec;
using kauth::testing::Issue;
using kauth::testing::IssuedCert;
using kauth::testing::SelfSign;
using kauth::testing::ServerSpec;

class ServingCertificatesTest : public ::testing::Test {
 protected:
  std::shared_ptr<const CertifiedKey> Make(const std::string& cn, std::vector<std::string> dns) {
    const IssuedCert cert = Issue(ServerSpec(cn, std::move(dns)), ca_);
    return CertifiedKey::FromPem({.cert_chain_pem = cert.CertPem(),
                                  .key_pem = cert.KeyPem(),
                                  .cert_source = cn,
                                  .key_source = cn})
        .value();
  }

  // The CN of the certificate chosen for `server_name`.
  static std::string Chosen(const ServingCertificates& set, std::string_view server_name) {
    char buffer[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(set.Select(server_name)->leaf()),
                              NID_commonName, buffer, sizeof(buffer));
    return buffer;
  }

  IssuedCert ca_ = SelfSign(CaSpec("ca"));
  std::shared_ptr<const CertifiedKey> default_ = Make("default", {"localhost"});
};

TEST_F(ServingCertificatesTest, WithoutSniPairsEveryoneGetsTheDefault) {
  const ServingCertificates set(default_, {});
  EXPECT_EQ(Chosen(set, ""), "default");
  EXPECT_EQ(Chosen(set, "anything.example.com"), "default");
}

TEST_F(ServingCertificatesTest, ExactThenWildcardThenDefault) {
  const ServingCertificates set(default_,
                                {{.certificate = Make("exact", {"api.example.com"}), .names = {}},
                                 {.certificate = Make("wild", {"*.example.com"}), .names = {}}});
  EXPECT_EQ(Chosen(set, "api.example.com"), "exact");
  EXPECT_EQ(Chosen(set, "web.example.com"), "wild");
  // Only the first label is replaced, as Go does.
  EXPECT_EQ(Chosen(set, "a.b.example.com"), "default");
  EXPECT_EQ(Chosen(set, "example.com"), "default");
  // No SNI (a client connecting by IP address).
  EXPECT_EQ(Chosen(set, ""), "default");
}

TEST_F(ServingCertificatesTest, TheClientsNameIsLowerCased) {
  const ServingCertificates set(default_,
                                {{.certificate = Make("exact", {"api.example.com"}), .names = {}}});
  EXPECT_EQ(Chosen(set, "API.Example.COM"), "exact");
}

TEST_F(ServingCertificatesTest, ExplicitNamesReplaceTheCertificatesOwn) {
  const ServingCertificates set(default_, {{.certificate = Make("named", {"own.example.com"}),
                                            .names = {"given.example.com"}}});
  EXPECT_EQ(Chosen(set, "given.example.com"), "named");
  EXPECT_EQ(Chosen(set, "own.example.com"), "default");
}

TEST_F(ServingCertificatesTest, ExplicitNamesBeatExtractedOnes) {
  const ServingCertificates set(
      default_, {{.certificate = Make("extracted", {"api.example.com"}), .names = {}},
                 {.certificate = Make("explicit", {"x"}), .names = {"api.example.com"}}});
  EXPECT_EQ(Chosen(set, "api.example.com"), "explicit");
}

TEST_F(ServingCertificatesTest, TheEarlierPairWinsAName) {
  const ServingCertificates set(
      default_, {{.certificate = Make("first", {"api.example.com"}), .names = {}},
                 {.certificate = Make("second", {"api.example.com"}), .names = {}}});
  EXPECT_EQ(Chosen(set, "api.example.com"), "first");
}

TEST_F(ServingCertificatesTest, AStarNameCatchesSingleLabelNames) {
  const ServingCertificates set(default_, {{.certificate = Make("star", {"x"}), .names = {"*"}}});
  EXPECT_EQ(Chosen(set, "localhost"), "star");
  EXPECT_EQ(Chosen(set, "a.example"), "default");
}

}  // namespace
}  // namespace kauth::server
