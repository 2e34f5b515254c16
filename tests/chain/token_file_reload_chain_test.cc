// A reloaded token file behind BuildChain's token cache: a swap drops cached results, so a
// revoked token stops working at once although the success TTL is 10 s, and clients in a loop
// see no failures for tokens present before and after.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "kauth/basic_request.h"
#include "kauth/chain.h"
#include "kauth/reloadable_token_file.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"
#include "testing/temp_dir.h"

namespace kauth {
namespace {

using namespace std::chrono_literals;
using ::kauth::testing::Authed;
using ::kauth::testing::Authenticate;
using ::kauth::testing::Rejected;
using ::kauth::testing::TempDir;

AuthResult Bearer(const Chain& chain, const std::string& token) {
  BasicRequest request("/api");
  request.AddHeader("Authorization", "Bearer " + token);
  return Authenticate(*chain.authenticator, request);
}

const UserInfo kAlice{.name = "alice", .uid = "1", .groups = {"dev", "system:authenticated"}};

std::shared_ptr<ReloadableTokenFile> MustLoad(ReloadableTokenFileOptions options) {
  auto loaded = ReloadableTokenFile::Load(std::move(options));
  EXPECT_TRUE(loaded.has_value()) << (loaded.has_error() ? loaded.error().message : "");
  return loaded.has_value() ? *loaded : nullptr;
}

TEST(TokenFileReloadChainTest, RevokedTokenIsRefusedWithinOneSecondDespiteTheCache) {
  TempDir dir;
  const std::string path = dir.RenameIntoPlace("tokens.csv", "keep,alice,1,dev\ngone,bob,2\n");
  // The default poll (10 s) is far too slow: inotify must do it.
  auto file = MustLoad({.path = path});
  const Chain chain = BuildChain({.reloadable_token_file = file, .anonymous = false});
  ASSERT_NE(chain.token_cache, nullptr);
  ASSERT_EQ(Bearer(chain, "gone"),
            Authed(UserInfo{.name = "bob", .uid = "2", .groups = {"system:authenticated"}}));
  ASSERT_EQ(Bearer(chain, "keep"), Authed(kAlice));
  ASSERT_GE(chain.token_cache->size(), 2u);

  const auto revoked_at = std::chrono::steady_clock::now();
  dir.RenameIntoPlace("tokens.csv", "keep,alice,1,dev\n");
  while (Bearer(chain, "gone") != Rejected("invalid bearer token")) {
    ASSERT_LT(std::chrono::steady_clock::now() - revoked_at, 1s) << "still accepted after 1 s";
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(Bearer(chain, "keep"), Authed(kAlice));
}

// Without a swap the cache keeps working: a failed reload does not clear it either.
TEST(TokenFileReloadChainTest, FailedOrIdenticalReloadsLeaveTheCacheAlone) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "keep,alice,1,dev\n");
  auto file = MustLoad({.path = path, .watch = false});
  const Chain chain = BuildChain({.reloadable_token_file = file, .anonymous = false});
  ASSERT_EQ(Bearer(chain, "keep"), Authed(kAlice));
  ASSERT_EQ(chain.token_cache->size(), 1u);
  EXPECT_EQ(file->Reload().outcome, TokenFileReload::Outcome::kUnchanged);
  dir.WriteInPlace("tokens.csv", "broken\n");
  EXPECT_EQ(file->Reload().outcome, TokenFileReload::Outcome::kFailed);
  EXPECT_EQ(chain.token_cache->size(), 1u);
  EXPECT_EQ(Bearer(chain, "keep"), Authed(kAlice));
}

// The steady-load acceptance, at the chain: clients in a loop with a token present in
// every version while the file is replaced repeatedly, with the cache cleared on each swap.
TEST(TokenFileReloadChainTest, SteadyLoadThroughSwapsHasNoFailures) {
  TempDir dir;
  const auto contents = [](int version) {
    return "keep,alice,1,dev\nonly-" + std::to_string(version) + ",x,1\n";
  };
  const std::string path = dir.RenameIntoPlace("tokens.csv", contents(0));
  auto file = MustLoad({.path = path, .settle = 5ms});
  const Chain chain = BuildChain({.reloadable_token_file = file, .anonymous = false});

  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<long> requests{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      while (!done.load()) {
        if (Bearer(chain, "keep") != Authed(kAlice)) ++failures;
        ++requests;
      }
    });
  }
  for (int version = 1; version <= 50; ++version) {
    dir.RenameIntoPlace("tokens.csv", contents(version));
    std::this_thread::sleep_for(10ms);
  }
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (Bearer(chain, "only-50") !=
             Authed(UserInfo{.name = "x", .uid = "1", .groups = {"system:authenticated"}}) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  done.store(true);
  for (auto& client : clients) client.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(requests.load(), 100);
  EXPECT_GE(file->status().swaps, 10u);
  EXPECT_EQ(Bearer(chain, "only-1"), Rejected("invalid bearer token"));
}

}  // namespace
}  // namespace kauth
