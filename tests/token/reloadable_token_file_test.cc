// ReloadableTokenFile: the token file kept current while serving (beyond Kubernetes' R2.1),
// against real files in a temporary directory.
#include "kauth/reloadable_token_file.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"
#include "testing/temp_dir.h"

namespace kauth {
namespace {

using namespace std::chrono_literals;
using ::kauth::testing::Authed;
using ::kauth::testing::AuthenticateToken;
using ::kauth::testing::TempDir;
using Outcome = TokenFileReload::Outcome;

// Long enough that a test passing proves inotify did the work, not the fallback.
constexpr auto kNoPoll = std::chrono::hours(1);

bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::shared_ptr<ReloadableTokenFile> MustLoad(ReloadableTokenFileOptions options) {
  auto loaded = ReloadableTokenFile::Load(std::move(options));
  EXPECT_TRUE(loaded.has_value()) << (loaded.has_error() ? loaded.error().message : "");
  return loaded.has_value() ? *loaded : nullptr;
}

bool Knows(const ReloadableTokenFile& file, std::string_view token) {
  return file.Current()->Find(token).has_value();
}

// Records every attempt a listener hears about.
class Recorder {
 public:
  void Attach(ReloadableTokenFile& file) {
    file.AddListener([this](const TokenFileReload& reload) {
      std::lock_guard lock(mu_);
      reloads_.push_back(reload);
    });
  }
  std::vector<TokenFileReload> reloads() const {
    std::lock_guard lock(mu_);
    return reloads_;
  }
  std::size_t count(Outcome outcome) const {
    std::size_t n = 0;
    for (const auto& reload : reloads()) n += reload.outcome == outcome ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<TokenFileReload> reloads_;
};

TEST(ReloadableTokenFileTest, StartUpWithABrokenFileFailsWithTheParseError) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "a,alice\n");
  auto loaded = ReloadableTokenFile::Load({.path = path});
  ASSERT_TRUE(loaded.has_error());
  EXPECT_EQ(loaded.error().message,
            "--token-auth-file=" + path + ": line 1: token file '" + path +
                "' must have at least 3 columns (token, user name, user uid), found 2");
}

TEST(ReloadableTokenFileTest, StartUpWithAMissingFileFails) {
  TempDir dir;
  const std::string path = dir.Path("absent.csv");
  auto loaded = ReloadableTokenFile::Load({.path = path});
  ASSERT_TRUE(loaded.has_error());
  EXPECT_EQ(loaded.error().message,
            "--token-auth-file=" + path + ": open " + path + ": no such file or directory");
}

TEST(ReloadableTokenFileTest, ReloadsOnWriteInPlace) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "old,alice,1\n");
  auto file = MustLoad({.path = path, .poll_interval = kNoPoll});
  ASSERT_TRUE(Knows(*file, "old"));
  dir.WriteInPlace("tokens.csv", "new,bob,2\n");
  ASSERT_TRUE(WaitFor([&] { return Knows(*file, "new"); }));
  EXPECT_FALSE(Knows(*file, "old"));
  EXPECT_EQ(file->Current()->Find("new"), (UserInfo{.name = "bob", .uid = "2"}));
  EXPECT_EQ(file->status().swaps, 1u);
}

TEST(ReloadableTokenFileTest, ReloadsOnRenameIntoPlace) {
  TempDir dir;
  const std::string path = dir.RenameIntoPlace("tokens.csv", "old,alice,1\n");
  auto file = MustLoad({.path = path, .poll_interval = kNoPoll});
  for (int i = 0; i < 3; ++i) {
    const std::string token = "new" + std::to_string(i);
    dir.RenameIntoPlace("tokens.csv", token + ",bob,2\n");
    ASSERT_TRUE(WaitFor([&] { return Knows(*file, token); })) << i;
  }
  EXPECT_FALSE(Knows(*file, "old"));
}

TEST(ReloadableTokenFileTest, ReloadsOnKubernetesDataSymlinkSwap) {
  TempDir dir;
  const std::string path = dir.KubernetesSwap("tokens.csv", "old,alice,1\n");
  auto file = MustLoad({.path = path, .poll_interval = kNoPoll});
  ASSERT_TRUE(Knows(*file, "old"));
  for (int i = 0; i < 3; ++i) {
    const std::string token = "new" + std::to_string(i);
    dir.KubernetesSwap("tokens.csv", token + ",bob,2\n");
    ASSERT_TRUE(WaitFor([&] { return Knows(*file, token); })) << i;
    EXPECT_FALSE(Knows(*file, "old"));
  }
}

// A symlink into another directory gets no event in the watched directory: the periodic check
// (stat identity, then bytes) finds the change.
TEST(ReloadableTokenFileTest, PeriodicCheckFindsChangesInotifyCannotSee) {
  TempDir watched;
  TempDir elsewhere;
  const std::string target = elsewhere.WriteInPlace("real.csv", "old,alice,1\n");
  const std::string path = watched.Path("tokens.csv");
  std::filesystem::create_symlink(target, path);
  auto file = MustLoad({.path = path, .poll_interval = 100ms});
  elsewhere.RenameIntoPlace("real.csv", "new,bob,2\n");
  ASSERT_TRUE(WaitFor([&] { return Knows(*file, "new"); }, 3s));
}

TEST(ReloadableTokenFileTest, RequestReloadForcesAReread) {
  TempDir watched;
  TempDir elsewhere;
  const std::string target = elsewhere.WriteInPlace("real.csv", "old,alice,1\n");
  const std::string path = watched.Path("tokens.csv");
  std::filesystem::create_symlink(target, path);
  auto file = MustLoad({.path = path, .poll_interval = kNoPoll});
  elsewhere.RenameIntoPlace("real.csv", "new,bob,2\n");
  std::this_thread::sleep_for(300ms);
  ASSERT_FALSE(Knows(*file, "new")) << "no event and no poll: nothing may have noticed";
  file->RequestReload();
  EXPECT_TRUE(WaitFor([&] { return Knows(*file, "new"); }));
}

TEST(ReloadableTokenFileTest, BrokenFileKeepsTheLastGoodSetAndReportsTheError) {
  TempDir dir;
  const std::string path = dir.RenameIntoPlace("tokens.csv", "good,alice,1\n");
  auto file = MustLoad({.path = path, .poll_interval = kNoPoll});
  Recorder recorder;
  recorder.Attach(*file);
  const auto good_table = file->Current();

  dir.RenameIntoPlace("tokens.csv", "new,bob,2\nbroken,carol\n");
  ASSERT_TRUE(WaitFor([&] { return file->status().failures == 1; }));
  const std::string want_error = "--token-auth-file=" + path + ": line 2: token file '" + path +
                                 "' must have at least 3 columns (token, user name, user uid), "
                                 "found 2";
  EXPECT_EQ(file->Current(), good_table) << "rejected whole: not even the good first row";
  EXPECT_TRUE(Knows(*file, "good"));
  EXPECT_FALSE(Knows(*file, "new"));
  EXPECT_EQ(file->status().last_error, want_error);
  ASSERT_EQ(recorder.reloads().size(), 1u);
  EXPECT_EQ(recorder.reloads()[0].outcome, Outcome::kFailed);
  EXPECT_EQ(recorder.reloads()[0].error, want_error);

  dir.RenameIntoPlace("tokens.csv", "new,bob,2\n");
  ASSERT_TRUE(WaitFor([&] { return Knows(*file, "new"); }));
  EXPECT_EQ(file->status().last_error, std::nullopt);
  EXPECT_EQ(file->status().swaps, 1u);
  EXPECT_EQ(file->status().failures, 1u);
}

TEST(ReloadableTokenFileTest, VanishedFileKeepsTheLastGoodSet) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "good,alice,1\n");
  auto file = MustLoad({.path = path, .watch = false});
  std::filesystem::remove(path);
  const TokenFileReload reload = file->Reload();
  EXPECT_EQ(reload.outcome, Outcome::kFailed);
  EXPECT_EQ(reload.error,
            "--token-auth-file=" + path + ": open " + path + ": no such file or directory");
  EXPECT_TRUE(Knows(*file, "good"));
}

TEST(ReloadableTokenFileTest, IdenticalBytesDoNotSwap) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "t,alice,1\n");
  auto file = MustLoad({.path = path, .watch = false});
  const auto before = file->Current();
  dir.RenameIntoPlace("tokens.csv", "t,alice,1\n");
  EXPECT_EQ(file->Reload().outcome, Outcome::kUnchanged);
  EXPECT_EQ(file->Current(), before);
  EXPECT_EQ(file->status().swaps, 0u);
}

TEST(ReloadableTokenFileTest, UnchangedBytesClearAStandingError) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "t,alice,1\n");
  auto file = MustLoad({.path = path, .watch = false});
  dir.WriteInPlace("tokens.csv", "\"");
  EXPECT_EQ(file->Reload().outcome, Outcome::kFailed);
  EXPECT_TRUE(file->status().last_error.has_value());
  dir.WriteInPlace("tokens.csv", "t,alice,1\n");
  EXPECT_EQ(file->Reload().outcome, Outcome::kUnchanged);
  EXPECT_EQ(file->status().last_error, std::nullopt);
}

TEST(ReloadableTokenFileTest, SwapReportsTheNewTablesSizeAndWarnings) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "t,alice,1\n");
  auto file = MustLoad({.path = path, .watch = false});
  dir.WriteInPlace("tokens.csv", "a,alice,1\n,x,2\nb,bob,3\n");
  const TokenFileReload reload = file->Reload();
  EXPECT_EQ(reload.outcome, Outcome::kSwapped);
  EXPECT_EQ(reload.tokens, 2u);
  EXPECT_EQ(reload.warnings, std::vector<std::string>{"empty token has been found in token file '" +
                                                      path + "', record number '2'"});
}

TEST(ReloadableTokenFileTest, HashedOptionAppliesToReloads) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "t,alice,1\n");
  auto file = MustLoad({.path = path, .parse = {.hashed_tokens = true}, .watch = false});
  dir.WriteInPlace("tokens.csv", HashedTokenColumn("secret") + ",bob,2\n");
  EXPECT_EQ(file->Reload().outcome, Outcome::kSwapped);
  EXPECT_TRUE(Knows(*file, "secret"));
}

// The authenticator reads the provider per lookup: a swap is visible to the next request.
TEST(ReloadableTokenFileTest, AuthenticatorFollowsTheSwap) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "t,alice,1\n");
  auto file = MustLoad({.path = path, .watch = false});
  const auto authenticator =
      NewTokenFileAuthenticator(std::shared_ptr<const TokenFileProvider>(file));
  EXPECT_EQ(AuthenticateToken(*authenticator, "t"), Authed(UserInfo{.name = "alice", .uid = "1"}));
  dir.WriteInPlace("tokens.csv", "t,alice,2\n");
  ASSERT_EQ(file->Reload().outcome, Outcome::kSwapped);
  EXPECT_EQ(AuthenticateToken(*authenticator, "t"), Authed(UserInfo{.name = "alice", .uid = "2"}));
}

// Steady load: readers authenticate a token present in every version while the file is
// replaced over and over (through the watcher and by hand). No lookup may fail, and one table
// snapshot never mixes two versions.
TEST(ReloadableTokenFileTest, SteadyLoadSeesNoFailuresAndNoMixedTables) {
  TempDir dir;
  const auto contents = [](int version) {
    const std::string v = std::to_string(version);
    return "stable,alice,1\nversioned-a,a," + v + "\nversioned-b,b," + v + "\nonly-" + v + ",x,1\n";
  };
  const std::string path = dir.RenameIntoPlace("tokens.csv", contents(0));
  auto file = MustLoad({.path = path, .poll_interval = 50ms, .settle = 5ms});
  const auto authenticator =
      NewTokenFileAuthenticator(std::shared_ptr<const TokenFileProvider>(file));

  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<int> mixed{0};
  std::atomic<long> lookups{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      const AuthResult want = Authed(UserInfo{.name = "alice", .uid = "1"});
      while (!done.load()) {
        if (AuthenticateToken(*authenticator, "stable") != want) ++failures;
        const auto table = file->Current();
        const auto a = table->Find("versioned-a");
        const auto b = table->Find("versioned-b");
        if (!a || !b || a->uid != b->uid) ++mixed;
        ++lookups;
      }
    });
  }
  for (int version = 1; version <= 100; ++version) {
    dir.RenameIntoPlace("tokens.csv", contents(version));
    if (version % 2 == 0) file->Reload();
    std::this_thread::sleep_for(2ms);
  }
  ASSERT_TRUE(WaitFor([&] { return Knows(*file, "only-100"); }));
  done.store(true);
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mixed.load(), 0);
  EXPECT_GT(lookups.load(), 100);
  EXPECT_GE(file->status().swaps, 50u);
  EXPECT_EQ(file->status().failures, 0u);
}

TEST(ReloadableTokenFileTest, DestroyingStopsTheWatcher) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "t,alice,1\n");
  std::atomic<int> calls{0};
  {
    auto file = MustLoad({.path = path, .poll_interval = 10ms});
    file->AddListener([&](const TokenFileReload&) { ++calls; });
    std::this_thread::sleep_for(50ms);
  }
  const int after = calls.load();
  dir.WriteInPlace("tokens.csv", "u,bob,2\n");
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(calls.load(), after);
}

}  // namespace
}  // namespace kauth
