// ReloadableCaBundle: the client CA file kept current while serving (R5.7), against real files
// in a temporary directory.
#include "kauth/reloadable_ca_bundle.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testing/cert_factory.h"

namespace kauth {
namespace {

using namespace std::chrono_literals;
using ::kauth::testing::CaSpec;
using ::kauth::testing::ClientSpec;
using ::kauth::testing::Issue;
using ::kauth::testing::IssuedCert;
using ::kauth::testing::SelfSign;
using ::kauth::testing::TempDir;
using Outcome = CaBundleReload::Outcome;

// Long enough that a test passing proves inotify did the work, not the fallback.
constexpr auto kNoPoll = std::chrono::hours(1);

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Writes a temporary file and renames it over `path`: an atomic replacement.
void RenameIntoPlace(const std::filesystem::path& path, const std::string& contents) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  std::ofstream(temporary, std::ios::binary | std::ios::trunc) << contents;
  std::filesystem::rename(temporary, path);
}

class ReloadableCaBundleTest : public ::testing::Test {
 protected:
  std::shared_ptr<ReloadableCaBundle> MustLoad(bool watch = true) {
    auto loaded = ReloadableCaBundle::Load(
        {.path = path_.string(), .watch = watch, .poll_interval = kNoPoll});
    EXPECT_TRUE(loaded.has_value()) << (loaded.has_error() ? loaded.error().message : "");
    return loaded.has_value() ? *loaded : nullptr;
  }

  static bool Verifies(const ReloadableCaBundle& bundle, const IssuedCert& leaf) {
    X509* chain[] = {leaf.get()};
    return VerifyClientCertificate(chain, *bundle.Current(), std::chrono::system_clock::now())
        .has_value();
  }

  TempDir dir_;
  IssuedCert ca_a_ = SelfSign(CaSpec("ca-a"));
  IssuedCert ca_b_ = SelfSign(CaSpec("ca-b"));
  IssuedCert alice_ = Issue(ClientSpec("alice"), ca_a_);
  IssuedCert bob_ = Issue(ClientSpec("bob"), ca_b_);
  std::filesystem::path path_ = dir_.WriteFile("ca.crt", ca_a_.CertPem());
};

TEST_F(ReloadableCaBundleTest, StartUpFailsWithR57Messages) {
  EXPECT_EQ(ReloadableCaBundle::Load({.path = ""}).error().message,
            "missing filename for ca bundle");
  const std::string empty = dir_.WriteFile("empty.crt", "").string();
  EXPECT_EQ(ReloadableCaBundle::Load({.path = empty}).error().message,
            "missing content for CA bundle \"client-ca-bundle::" + empty + "\"");
  const std::string junk = dir_.WriteFile("junk.crt", "not a certificate\n").string();
  EXPECT_EQ(ReloadableCaBundle::Load({.path = junk, .purpose = "request-header"}).error().message,
            "error loading CA bundle for \"request-header::" + junk +
                "\": data does not contain any valid RSA or ECDSA certificates");
  const std::string missing = (dir_.path() / "missing.crt").string();
  EXPECT_EQ(ReloadableCaBundle::Load({.path = missing}).error().message,
            "open " + missing + ": no such file or directory");
}

TEST_F(ReloadableCaBundleTest, AddingThenRemovingACaFollowsTheFile) {
  auto bundle = MustLoad();
  ASSERT_NE(bundle, nullptr);
  EXPECT_EQ(bundle->name(), "client-ca-bundle::" + path_.string());
  EXPECT_TRUE(Verifies(*bundle, alice_));
  EXPECT_FALSE(Verifies(*bundle, bob_));

  RenameIntoPlace(path_, ca_a_.CertPem() + ca_b_.CertPem());
  ASSERT_TRUE(WaitFor([&] { return bundle->Current()->certificates().size() == 2; }));
  EXPECT_TRUE(Verifies(*bundle, alice_));
  EXPECT_TRUE(Verifies(*bundle, bob_));

  RenameIntoPlace(path_, ca_b_.CertPem());
  ASSERT_TRUE(WaitFor([&] { return bundle->Current()->certificates().size() == 1; }));
  EXPECT_FALSE(Verifies(*bundle, alice_));
  EXPECT_TRUE(Verifies(*bundle, bob_));
  EXPECT_EQ(bundle->status().swaps, 2u);
  EXPECT_EQ(bundle->status().failures, 0u);
}

TEST_F(ReloadableCaBundleTest, WriteInPlaceIsPickedUp) {
  auto bundle = MustLoad();
  ASSERT_NE(bundle, nullptr);
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << ca_b_.CertPem();
  ASSERT_TRUE(WaitFor([&] { return Verifies(*bundle, bob_); }));
  EXPECT_FALSE(Verifies(*bundle, alice_));
}

TEST_F(ReloadableCaBundleTest, BadFileKeepsTheOldBundleAndReportsTheError) {
  auto bundle = MustLoad();
  ASSERT_NE(bundle, nullptr);
  std::mutex mu;
  std::vector<CaBundleReload> heard;
  bundle->AddListener([&](const CaBundleReload& reload) {
    std::lock_guard lock(mu);
    heard.push_back(reload);
  });
  const std::shared_ptr<const CaBundle> before = bundle->Current();

  RenameIntoPlace(path_, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  ASSERT_TRUE(WaitFor([&] { return bundle->status().failures == 1; }));
  EXPECT_EQ(bundle->Current(), before);
  EXPECT_TRUE(Verifies(*bundle, alice_));
  const std::string expected = "error loading CA bundle for \"client-ca-bundle::" + path_.string() +
                               "\": x509: malformed certificate";
  EXPECT_EQ(bundle->status().last_error, expected);
  {
    std::lock_guard lock(mu);
    ASSERT_FALSE(heard.empty());
    EXPECT_EQ(heard.back().outcome, Outcome::kFailed);
    EXPECT_EQ(heard.back().error, expected);
  }

  std::filesystem::remove(path_);
  EXPECT_EQ(bundle->Reload().outcome, Outcome::kFailed);
  EXPECT_EQ(bundle->status().last_error, "open " + path_.string() + ": no such file or directory");
  EXPECT_EQ(bundle->Current(), before);

  RenameIntoPlace(path_, ca_b_.CertPem());
  ASSERT_TRUE(WaitFor([&] { return Verifies(*bundle, bob_); }));
  EXPECT_EQ(bundle->status().last_error, std::nullopt);
}

TEST_F(ReloadableCaBundleTest, BackToTheBytesInForceClearsTheError) {
  auto bundle = MustLoad(/*watch=*/false);
  ASSERT_NE(bundle, nullptr);
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << "";
  EXPECT_EQ(bundle->Reload().outcome, Outcome::kFailed);
  EXPECT_EQ(bundle->status().last_error,
            "missing content for CA bundle \"client-ca-bundle::" + path_.string() + "\"");
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << ca_a_.CertPem();
  EXPECT_EQ(bundle->Reload().outcome, Outcome::kUnchanged);
  EXPECT_EQ(bundle->status().last_error, std::nullopt);
  EXPECT_EQ(bundle->status().swaps, 0u);
}

TEST_F(ReloadableCaBundleTest, IdenticalBytesDoNotSwap) {
  auto bundle = MustLoad(/*watch=*/false);
  ASSERT_NE(bundle, nullptr);
  const std::shared_ptr<const CaBundle> before = bundle->Current();
  RenameIntoPlace(path_, ca_a_.CertPem());
  EXPECT_EQ(bundle->Reload().outcome, Outcome::kUnchanged);
  EXPECT_EQ(bundle->Current(), before);
}

TEST_F(ReloadableCaBundleTest, SwapReportsTheCertificateCount) {
  auto bundle = MustLoad(/*watch=*/false);
  ASSERT_NE(bundle, nullptr);
  RenameIntoPlace(path_, ca_a_.CertPem() + ca_b_.CertPem());
  const CaBundleReload reload = bundle->Reload();
  EXPECT_EQ(reload.outcome, Outcome::kSwapped);
  EXPECT_EQ(reload.certificates, 2u);
  EXPECT_EQ(bundle->status().swaps, 1u);
}

TEST_F(ReloadableCaBundleTest, PeriodicReadFindsChangesWithoutEvents) {
  // A symlink into another directory: inotify on the link's directory sees nothing when the
  // target changes, so only the periodic read notices.
  TempDir other;
  const std::filesystem::path target = other.WriteFile("real.crt", ca_a_.CertPem());
  const std::filesystem::path link = dir_.path() / "link.crt";
  std::filesystem::create_symlink(target, link);
  auto loaded = ReloadableCaBundle::Load({.path = link.string(), .poll_interval = 200ms});
  ASSERT_TRUE(loaded.has_value());
  std::ofstream(target, std::ios::binary | std::ios::trunc) << ca_b_.CertPem();
  EXPECT_TRUE(WaitFor([&] { return Verifies(**loaded, bob_); }, 3s));
}

TEST_F(ReloadableCaBundleTest, RequestReloadForcesARead) {
  auto loaded = ReloadableCaBundle::Load(
      {.path = path_.string(), .poll_interval = kNoPoll, .settle = 1h, .max_settle = 1h});
  ASSERT_TRUE(loaded.has_value());
  std::shared_ptr<ReloadableCaBundle> bundle = *loaded;
  RenameIntoPlace(path_, ca_b_.CertPem());
  // Events wait for an hour's settling; the forced read does not.
  bundle->RequestReload();
  EXPECT_TRUE(WaitFor([&] { return Verifies(*bundle, bob_); }));
}

}  // namespace
}  // namespace kauth
