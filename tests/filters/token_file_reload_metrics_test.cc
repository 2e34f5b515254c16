#include "filters/token_file_reload_metrics.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "log/log.h"
#include "testing/temp_dir.h"

namespace kauth::filters {
namespace {

using ::kauth::testing::TempDir;

std::mutex log_mu;
std::vector<std::string>* log_lines = nullptr;

void CaptureLine(std::string_view line) {
  std::lock_guard lock(log_mu);
  if (log_lines != nullptr) log_lines->emplace_back(line);
}

class CapturedLog {
 public:
  CapturedLog() {
    std::lock_guard lock(log_mu);
    log_lines = &lines_;
    log::SetSinkForTesting(&CaptureLine);
  }
  ~CapturedLog() {
    log::SetSinkForTesting(nullptr);
    std::lock_guard lock(log_mu);
    log_lines = nullptr;
  }
  std::string All() {
    std::lock_guard lock(log_mu);
    std::string all;
    for (const std::string& line : lines_) all += line + "\n";
    return all;
  }

 private:
  std::vector<std::string> lines_;
};

TEST(TokenFileReloadMetricsTest, CountsLogsAndTimestampsEachReload) {
  TempDir dir;
  const std::string path = dir.WriteInPlace("tokens.csv", "secret-one,alice,1\n");
  auto file = ReloadableTokenFile::Load({.path = path, .watch = false}).value();
  metrics::Registry registry;
  ObserveTokenFileReloads(registry, *file);
  CapturedLog log;

  const std::string initial = registry.Render();
  EXPECT_NE(initial.find("kauth_token_file_last_reload_success_timestamp_seconds "),
            std::string::npos);
  EXPECT_EQ(initial.find("kauth_token_file_reloads_total{"), std::string::npos);

  dir.WriteInPlace("tokens.csv", "secret-two,alice\n");
  ASSERT_EQ(file->Reload().outcome, TokenFileReload::Outcome::kFailed);
  dir.WriteInPlace("tokens.csv", "secret-three,bob,2\n");
  ASSERT_EQ(file->Reload().outcome, TokenFileReload::Outcome::kSwapped);

  const std::string rendered = registry.Render();
  EXPECT_NE(rendered.find("kauth_token_file_reloads_total{result=\"failure\"} 1\n"),
            std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("kauth_token_file_reloads_total{result=\"success\"} 1\n"),
            std::string::npos)
      << rendered;

  const std::string lines = log.All();
  EXPECT_NE(lines.find("Reloading the token file failed; the previous tokens stay in force"),
            std::string::npos)
      << lines;
  EXPECT_NE(lines.find(": line 1: token file '" + path), std::string::npos) << lines;
  EXPECT_NE(lines.find("Reloaded the token file"), std::string::npos) << lines;
  EXPECT_EQ(lines.find("secret-"), std::string::npos) << "a token was logged: " << lines;
}

}  // namespace
}  // namespace kauth::filters
