// ReloadableServingCertificates: serving pairs kept current from their files, checked as pairs
// before they replace the ones in force, and the handshakes of a real HttpsServer following them
// (new handshakes get the new pair; open connections keep theirs; SNI selects among pairs).
#include "server/reloadable_serving_certificates.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "server/server_test_support.h"
#include "testing/cert_factory.h"

namespace kauth::server {
namespace {

using namespace std::chrono_literals;
using kauth::testing::CaSpec;
using kauth::testing::Issue;
using kauth::testing::IssuedCert;
using kauth::testing::SelfSign;
using kauth::testing::ServerSpec;
using kauth::testing::TempDir;
using testing::ClientOptions;
using testing::EchoHandler;
using testing::RunningServer;
using testing::TlsClient;

constexpr auto kNoPoll = std::chrono::hours(1);

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

void RenameIntoPlace(const std::string& path, const std::string& contents) {
  const std::string temporary = path + ".tmp";
  std::ofstream(temporary, std::ios::binary | std::ios::trunc) << contents;
  std::filesystem::rename(temporary, path);
}

std::string CommonName(const CertifiedKey& certified) {
  char buffer[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certified.leaf()), NID_commonName, buffer,
                            sizeof(buffer));
  return buffer;
}

class ReloadableServingCertificatesTest : public ::testing::Test {
 protected:
  std::shared_ptr<ReloadableServingCertificates> MustLoad(bool watch = true) {
    auto loaded = ReloadableServingCertificates::Load(
        {.default_files = ServingCertificate{cert_file_, key_file_},
         .sni = {{.cert_file = sni_cert_file_, .key_file = sni_key_file_, .names = {}}},
         .watch = watch,
         .poll_interval = kNoPoll});
    EXPECT_TRUE(loaded.has_value()) << (loaded.has_error() ? loaded.error().message : "");
    return loaded.has_value() ? *loaded : nullptr;
  }
  std::string DefaultName(const ReloadableServingCertificates& certificates) const {
    return CommonName(*certificates.Current()->default_certificate());
  }

  TempDir dir_;
  IssuedCert ca_ = SelfSign(CaSpec("serving-ca"));
  IssuedCert first_ = Issue(ServerSpec("first", {"localhost"}, {"127.0.0.1"}), ca_);
  IssuedCert second_ = Issue(ServerSpec("second", {"localhost"}, {"127.0.0.1"}), ca_);
  IssuedCert api_ = Issue(ServerSpec("api", {"api.example.com"}), ca_);
  IssuedCert api2_ = Issue(ServerSpec("api-2", {"api.example.com"}), ca_);
  std::string cert_file_ = dir_.WriteFile("tls.crt", first_.CertPem()).string();
  std::string key_file_ = dir_.WriteFile("tls.key", first_.KeyPem()).string();
  std::string sni_cert_file_ = dir_.WriteFile("api.crt", api_.CertPem()).string();
  std::string sni_key_file_ = dir_.WriteFile("api.key", api_.KeyPem()).string();
};

TEST_F(ReloadableServingCertificatesTest, StartUpErrorsNameTheFiles) {
  std::filesystem::remove(sni_key_file_);
  auto loaded = ReloadableServingCertificates::Load(
      {.default_files = ServingCertificate{cert_file_, key_file_},
       .sni = {{.cert_file = sni_cert_file_, .key_file = sni_key_file_, .names = {}}}});
  EXPECT_EQ(loaded.error().message, "failed to load SNI cert and key: open " + sni_key_file_ +
                                        ": no such file or directory");

  RenameIntoPlace(key_file_, second_.KeyPem());
  loaded = ReloadableServingCertificates::Load(
      {.default_files = ServingCertificate{cert_file_, key_file_}});
  EXPECT_EQ(loaded.error().message, "invalid serving cert keypair (" + cert_file_ + ", " +
                                        key_file_ +
                                        "): tls: private key does not match public key");
}

TEST_F(ReloadableServingCertificatesTest, KeyThenCertificateSwapsOnceThePairMatches) {
  auto certificates = MustLoad(/*watch=*/false);
  ASSERT_NE(certificates, nullptr);
  const auto before = certificates->Current();

  RenameIntoPlace(key_file_, second_.KeyPem());
  ServingCertificateReload reload = certificates->Reload();
  EXPECT_FALSE(reload.swapped);
  ASSERT_EQ(reload.errors.size(), 1u);
  const std::string name = "serving-cert::" + cert_file_ + "::" + key_file_;
  EXPECT_EQ(reload.errors[0], name + " failed with : invalid serving cert keypair (" + cert_file_ +
                                  ", " + key_file_ +
                                  "): tls: private key does not match public key");
  EXPECT_EQ(certificates->Current(), before);
  EXPECT_EQ(certificates->status().last_error, reload.errors[0]);
  EXPECT_EQ(certificates->status().failures, 1u);

  RenameIntoPlace(cert_file_, second_.CertPem());
  reload = certificates->Reload();
  EXPECT_TRUE(reload.swapped);
  EXPECT_EQ(reload.reloaded, std::vector<std::string>{name});
  EXPECT_TRUE(reload.errors.empty());
  EXPECT_EQ(DefaultName(*certificates), "second");
  EXPECT_EQ(certificates->status().last_error, std::nullopt);
  EXPECT_EQ(certificates->status().swaps, 1u);
}

TEST_F(ReloadableServingCertificatesTest, CertificateThenKeyAlsoWorks) {
  auto certificates = MustLoad(/*watch=*/false);
  ASSERT_NE(certificates, nullptr);
  RenameIntoPlace(cert_file_, second_.CertPem());
  EXPECT_FALSE(certificates->Reload().swapped);
  EXPECT_EQ(DefaultName(*certificates), "first");
  RenameIntoPlace(key_file_, second_.KeyPem());
  EXPECT_TRUE(certificates->Reload().swapped);
  EXPECT_EQ(DefaultName(*certificates), "second");
}

TEST_F(ReloadableServingCertificatesTest, IdenticalFilesDoNotSwap) {
  auto certificates = MustLoad(/*watch=*/false);
  ASSERT_NE(certificates, nullptr);
  const auto before = certificates->Current();
  RenameIntoPlace(cert_file_, first_.CertPem());
  const ServingCertificateReload reload = certificates->Reload();
  EXPECT_FALSE(reload.swapped);
  EXPECT_TRUE(reload.errors.empty());
  EXPECT_EQ(certificates->Current(), before);
}

TEST_F(ReloadableServingCertificatesTest, ABrokenSniPairKeepsItsOldPairWhileTheDefaultMovesOn) {
  auto certificates = MustLoad(/*watch=*/false);
  ASSERT_NE(certificates, nullptr);
  RenameIntoPlace(sni_cert_file_, "junk");
  RenameIntoPlace(cert_file_, second_.CertPem());
  RenameIntoPlace(key_file_, second_.KeyPem());
  const ServingCertificateReload reload = certificates->Reload();
  EXPECT_TRUE(reload.swapped);
  ASSERT_EQ(reload.errors.size(), 1u);
  EXPECT_EQ(reload.errors[0], "sni-serving-cert::" + sni_cert_file_ + "::" + sni_key_file_ +
                                  " failed with : " + sni_cert_file_ + ": no certificate found");
  EXPECT_EQ(DefaultName(*certificates), "second");
  EXPECT_EQ(CommonName(*certificates->Current()->Select("api.example.com")), "api");
}

TEST_F(ReloadableServingCertificatesTest, WatchersPickUpRenamedFiles) {
  auto certificates = MustLoad();
  ASSERT_NE(certificates, nullptr);
  RenameIntoPlace(sni_cert_file_, api2_.CertPem());
  RenameIntoPlace(sni_key_file_, api2_.KeyPem());
  ASSERT_TRUE(WaitFor(
      [&] { return CommonName(*certificates->Current()->Select("api.example.com")) == "api-2"; }));
  EXPECT_EQ(DefaultName(*certificates), "first");
  EXPECT_EQ(certificates->status().last_error, std::nullopt);
}

// The server's handshakes follow the provider: new connections present the new certificate,
// connections already open keep theirs and go on serving.
TEST_F(ReloadableServingCertificatesTest, NewHandshakesGetTheNewPairOpenConnectionsKeepTheirs) {
  auto certificates = MustLoad();
  ASSERT_NE(certificates, nullptr);
  testing::TestPki pki;
  ServerOptions options = testing::TestServerOptions(pki);
  options.serving_certificates = certificates;
  auto server = RunningServer::Start(options, std::make_shared<EchoHandler>());
  ASSERT_NE(server, nullptr);

  auto before = TlsClient::Connect(server->port());
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->PeerCommonName(), "first");
  auto sni = TlsClient::Connect(server->port(), ClientOptions{.server_name = "api.example.com"});
  ASSERT_NE(sni, nullptr);
  EXPECT_EQ(sni->PeerCommonName(), "api");
  auto unknown = TlsClient::Connect(server->port(), ClientOptions{.server_name = "x.example"});
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->PeerCommonName(), "first");

  RenameIntoPlace(key_file_, second_.KeyPem());
  RenameIntoPlace(cert_file_, second_.CertPem());
  ASSERT_TRUE(WaitFor([&] { return DefaultName(*certificates) == "second"; }));

  auto after = TlsClient::Connect(server->port());
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->PeerCommonName(), "second");
  const std::string request = "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(before->Write(request));
  EXPECT_EQ(testing::StatusLine(before->ReadResponse()), "HTTP/1.1 200 OK");
  EXPECT_EQ(before->PeerCommonName(), "first");
  ASSERT_TRUE(after->Write(request));
  EXPECT_EQ(testing::StatusLine(after->ReadResponse()), "HTTP/1.1 200 OK");
  server->Stop();
}

}  // namespace
}  // namespace kauth::server
