#include "proxy/upstream_health.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "log/log.h"

namespace kauth::proxy {
namespace {

using namespace std::chrono_literals;

// An upstream whose reachability the test sets; Probe() never touches the network.
class FakeUpstream final : public UpstreamClient {
 public:
  Awaitable<UpstreamResult> RoundTrip(UpstreamRequest) override {
    co_return UpstreamError{UpstreamFailure::kBroken, "not used"};
  }
  Awaitable<Result<void>> Probe() override {
    if (hang) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 1h);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    if (reachable) co_return Result<void>{};
    co_return Error{"dial tcp 127.0.0.1:9: connect: connection refused"};
  }
  const std::string& authority() const override { return authority_; }

  std::atomic<bool> reachable{true};
  std::atomic<bool> hang{false};

 private:
  std::string authority_ = "127.0.0.1:9";
};

// Waits until `health` finished more than `after` probes.
bool WaitForProbe(const UpstreamHealth& health, std::uint64_t after) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (health.probes() <= after) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

std::mutex log_mu;
std::vector<std::string> log_lines;

class UpstreamHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      std::lock_guard lock(log_mu);
      log_lines.clear();
    }
    log::SetSinkForTesting([](std::string_view line) {
      std::lock_guard lock(log_mu);
      log_lines.emplace_back(line);
    });
  }
  void TearDown() override { log::SetSinkForTesting(nullptr); }

  static std::vector<std::string> Lines() {
    std::lock_guard lock(log_mu);
    return log_lines;
  }

  std::shared_ptr<FakeUpstream> upstream_ = std::make_shared<FakeUpstream>();
};

TEST_F(UpstreamHealthTest, NotReadyUntilTheFirstProbeFinishes) {
  upstream_->hang = true;
  UpstreamHealth health(upstream_, 10ms);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(health.probes(), 0u);
  EXPECT_EQ(health.Check(), "upstream 127.0.0.1:9 has not been probed yet");
  // Destroying it abandons the hanging probe instead of waiting an hour.
}

TEST_F(UpstreamHealthTest, ReachableUpstreamIsReady) {
  UpstreamHealth health(upstream_, 1h);
  ASSERT_TRUE(WaitForProbe(health, 0));
  EXPECT_EQ(health.Check(), std::nullopt);
  EXPECT_EQ(Lines(), std::vector<std::string>{});
}

TEST_F(UpstreamHealthTest, UnreachableUpstreamGivesTheProbeErrorAndRecovers) {
  upstream_->reachable = false;
  UpstreamHealth health(upstream_, 5ms);
  ASSERT_TRUE(WaitForProbe(health, 0));
  EXPECT_EQ(health.Check(),
            "upstream 127.0.0.1:9 is unreachable: dial tcp 127.0.0.1:9: connect: connection "
            "refused");
  // Several failed probes: still one warning.
  ASSERT_TRUE(WaitForProbe(health, health.probes() + 2));

  upstream_->reachable = true;
  const std::uint64_t before = health.probes();
  // The probe running when the flag flipped may have read the old value; the next one cannot.
  ASSERT_TRUE(WaitForProbe(health, before + 1));
  EXPECT_EQ(health.Check(), std::nullopt);

  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0][0], 'W');
  EXPECT_NE(lines[0].find("\"Upstream is unreachable\" upstream=\"127.0.0.1:9\" "
                          "err=\"dial tcp 127.0.0.1:9: connect: connection refused\""),
            std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[1][0], 'I');
  EXPECT_NE(lines[1].find("\"Upstream is reachable again\" upstream=\"127.0.0.1:9\""),
            std::string::npos)
      << lines[1];
}

TEST_F(UpstreamHealthTest, ProbesAgainAfterEachInterval) {
  UpstreamHealth health(upstream_, 20ms);
  ASSERT_TRUE(WaitForProbe(health, 0));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitForProbe(health, health.probes() + 2));
  // Three intervals at least separate the first probe from the fourth.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 40ms);
}

}  // namespace
}  // namespace kauth::proxy
