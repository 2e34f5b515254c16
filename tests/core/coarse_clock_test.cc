#include "core/coarse_clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace kauth {
namespace {

using std::chrono::steady_clock;

// Idle times measured on the coarse clock are compared with ones measured on steady_clock only
// if both count from the same origin and the coarse one never runs ahead.
TEST(CoarseSteadyNowTest, IsSteadyClockTimeNeverAheadAndSlightlyBehind) {
  for (int i = 0; i < 200; ++i) {
    // Some rounds start right after an idle sleep, when a tickless CPU's coarse clock lags most.
    if (i % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const steady_clock::time_point before = steady_clock::now();
    const steady_clock::time_point coarse = CoarseSteadyNow();
    const steady_clock::time_point after = steady_clock::now();
    ASSERT_LE(coarse, after);
    // A tick is 1-10 ms; 100 ms leaves room for a descheduled test thread.
    ASSERT_GT(coarse, before - std::chrono::milliseconds(100));
  }
}

TEST(CoarseSteadyNowTest, Advances) {
  const steady_clock::time_point first = CoarseSteadyNow();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GE(CoarseSteadyNow() - first, std::chrono::milliseconds(20));
}

}  // namespace
}  // namespace kauth
