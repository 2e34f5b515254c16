#include "server/client_ca_names.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "kauth/reloadable_ca_bundle.h"
#include "server/server_test_support.h"
#include "testing/cert_factory.h"

namespace kauth::server {
namespace {

using kauth::testing::CaSpec;
using kauth::testing::SelfSign;
using testing::SwappableCaProvider;

std::shared_ptr<const CaBundle> Bundle(const std::string& pem) {
  return CaBundle::FromPem(pem, "client-ca-bundle::test").value();
}

// What a handshake would advertise: the list installed on a fresh SSL.
std::vector<std::string> Installed(const ClientCaNames& names) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL* ssl = SSL_new(ctx);
  names.ApplyTo(ssl);
  std::vector<std::string> out;
  const STACK_OF(X509_NAME)* list = SSL_get_client_CA_list(ssl);
  for (int i = 0; list != nullptr && i < sk_X509_NAME_num(list); ++i) {
    char buffer[256] = {};
    X509_NAME_get_text_by_NID(sk_X509_NAME_value(list, i), NID_commonName, buffer, sizeof(buffer));
    out.push_back(buffer);
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return out;
}

TEST(ClientCaNamesTest, R5_1_UnionOfBundlesInOrderWithoutDuplicates) {
  const auto a = SelfSign(CaSpec("ca-a"));
  const auto b = SelfSign(CaSpec("ca-b"));
  const auto c = SelfSign(CaSpec("ca-c"));
  auto client = std::make_shared<SwappableCaProvider>(Bundle(a.CertPem() + b.CertPem()));
  auto request_header = std::make_shared<SwappableCaProvider>(Bundle(b.CertPem() + c.CertPem()));
  const ClientCaNames names({client, request_header});
  EXPECT_TRUE(names.enabled());
  EXPECT_EQ(Installed(names), (std::vector<std::string>{"ca-a", "ca-b", "ca-c"}));
  EXPECT_EQ(names.Current(), (std::vector<std::string>{"CN = ca-a", "CN = ca-b", "CN = ca-c"}));
}

TEST(ClientCaNamesTest, R5_7_SwappedBundleShowsInTheNextHandshake) {
  const auto a = SelfSign(CaSpec("ca-a"));
  const auto b = SelfSign(CaSpec("ca-b"));
  auto provider = std::make_shared<SwappableCaProvider>(Bundle(a.CertPem()));
  const ClientCaNames names({provider});
  EXPECT_EQ(Installed(names), std::vector<std::string>{"ca-a"});
  provider->Set(Bundle(b.CertPem()));
  EXPECT_EQ(Installed(names), std::vector<std::string>{"ca-b"});
  provider->Set(nullptr);
  EXPECT_EQ(Installed(names), std::vector<std::string>{});
}

TEST(ClientCaNamesTest, R5_7_ReloadedCaFileShowsInTheNextHandshake) {
  const auto a = SelfSign(CaSpec("ca-a"));
  const auto b = SelfSign(CaSpec("ca-b"));
  const kauth::testing::TempDir dir;
  const std::filesystem::path path = dir.WriteFile("ca.crt", a.CertPem());
  auto bundle = ReloadableCaBundle::Load({.path = path.string(), .watch = false}).value();
  const ClientCaNames names({bundle});
  EXPECT_EQ(Installed(names), std::vector<std::string>{"ca-a"});

  std::ofstream(path, std::ios::trunc) << a.CertPem() << b.CertPem();
  ASSERT_EQ(bundle->Reload().outcome, CaBundleReload::Outcome::kSwapped);
  EXPECT_EQ(Installed(names), (std::vector<std::string>{"ca-a", "ca-b"}));

  // A bad file keeps the list of the bundle in force.
  std::ofstream(path, std::ios::trunc) << "junk";
  ASSERT_EQ(bundle->Reload().outcome, CaBundleReload::Outcome::kFailed);
  EXPECT_EQ(Installed(names), (std::vector<std::string>{"ca-a", "ca-b"}));
}

TEST(ClientCaNamesTest, R5_1_WithoutClientCaNothingIsRequested) {
  const ClientCaNames names({});
  EXPECT_FALSE(names.enabled());
  EXPECT_EQ(Installed(names), std::vector<std::string>{});
}

}  // namespace
}  // namespace kauth::server
