// FileWatcher against real files: which changes wake it, and how.
#include "watch/file_watcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "testing/temp_dir.h"

namespace kauth::watch {
namespace {

using namespace std::chrono_literals;
using ::kauth::testing::TempDir;

class Calls {
 public:
  FileWatcher::Callback Callback() {
    return [this](WatchReason reason) {
      std::lock_guard lock(mu_);
      reasons_.push_back(reason);
    };
  }
  std::size_t Count(WatchReason reason) const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (WatchReason r : reasons_) n += r == reason ? 1 : 0;
    return n;
  }
  bool WaitFor(WatchReason reason, std::size_t count, std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Count(reason) < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

 private:
  mutable std::mutex mu_;
  std::vector<WatchReason> reasons_;
};

std::unique_ptr<FileWatcher> MustStart(FileWatcherOptions options, Calls& calls) {
  auto watcher = FileWatcher::Start(std::move(options), calls.Callback());
  EXPECT_TRUE(watcher.has_value()) << (watcher.has_error() ? watcher.error().message : "");
  return watcher.has_value() ? std::move(*watcher) : nullptr;
}

TEST(FileWatcherTest, ABurstOfWritesGivesOneEventCallback) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("f", "0");
  Calls calls;
  auto watcher = MustStart({.path = path, .poll_interval = 1h, .settle = 100ms}, calls);
  ASSERT_TRUE(watcher->watching());
  for (int i = 0; i < 5; ++i) dir.WriteInPlace("f", std::to_string(i));
  ASSERT_TRUE(calls.WaitFor(WatchReason::kEvent, 1));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(calls.Count(WatchReason::kEvent), 1u);
}

TEST(FileWatcherTest, OtherNamesInTheDirectoryAreIgnored) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("f", "0");
  Calls calls;
  auto watcher = MustStart({.path = path, .poll_interval = 1h, .settle = 10ms}, calls);
  dir.WriteInPlace("unrelated", "x");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(calls.Count(WatchReason::kEvent), 0u);
  dir.RenameIntoPlace("f", "1");  // the temporary name is unrelated; the rename is not
  EXPECT_TRUE(calls.WaitFor(WatchReason::kEvent, 1));
}

// A log file written next to the credentials (kauthd's own stderr, a load tool's log) must not
// wake the watcher per write: plain writes are not watched, and other names back it off.
TEST(FileWatcherTest, ABusyNeighbourCostsFewWakeups) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("f", "0");
  Calls calls;
  auto watcher = MustStart({.path = path, .poll_interval = 1h, .settle = 10ms}, calls);
  ASSERT_TRUE(watcher->watching());
  {
    std::ofstream log(dir.Path("busy.log"));
    for (int i = 0; i < 2000; ++i) log << "line " << i << std::endl;  // a write(2) per line
  }
  for (int i = 0; i < 200; ++i) dir.WriteInPlace("neighbour", std::to_string(i));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(calls.Count(WatchReason::kEvent), 0u);
  // Each WriteInPlace closes the file: 200 close events, read in a few batches.
  EXPECT_LT(watcher->wakeups(), 20u);
  dir.WriteInPlace("f", "1");
  EXPECT_TRUE(calls.WaitFor(WatchReason::kEvent, 1));
}

TEST(FileWatcherTest, KubernetesDataSwapIsAnEvent) {
  TempDir dir;
  const std::string path = dir.KubernetesSwap("f", "0");
  Calls calls;
  auto watcher = MustStart({.path = path, .poll_interval = 1h, .settle = 10ms}, calls);
  dir.KubernetesSwap("f", "1");
  EXPECT_TRUE(calls.WaitFor(WatchReason::kEvent, 1));
}

TEST(FileWatcherTest, TriggerRunsTheCallback) {
  TempDir dir;
  Calls calls;
  auto watcher = MustStart({.path = dir.WriteInPlace("f", "0"), .poll_interval = 1h}, calls);
  watcher->Trigger();
  EXPECT_TRUE(calls.WaitFor(WatchReason::kForced, 1));
}

TEST(FileWatcherTest, PollsPeriodically) {
  TempDir dir;
  Calls calls;
  auto watcher = MustStart({.path = dir.WriteInPlace("f", "0"), .poll_interval = 20ms}, calls);
  EXPECT_TRUE(calls.WaitFor(WatchReason::kPoll, 3));
}

// client-go re-adds a lost watch; so does the poll here, reporting it as an event because the
// file may have changed unseen.
TEST(FileWatcherTest, AWatchLostWithItsDirectoryIsReAdded) {
  TempDir dir;
  const std::filesystem::path sub = dir.path() / "sub";
  std::filesystem::create_directory(sub);
  const std::string path = (sub / "f").string();
  Calls calls;
  auto watcher = MustStart({.path = path, .poll_interval = 50ms, .settle = 10ms}, calls);
  ASSERT_TRUE(watcher->watching());
  std::filesystem::remove_all(sub);
  ASSERT_TRUE(calls.WaitFor(WatchReason::kEvent, 1));
  const auto lost = std::chrono::steady_clock::now();
  while (watcher->watching() && std::chrono::steady_clock::now() - lost < 2s) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_FALSE(watcher->watching());
  std::filesystem::create_directory(sub);
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!watcher->watching() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(watcher->watching());
}

}  // namespace
}  // namespace kauth::watch
