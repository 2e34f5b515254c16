#include "server/reset_rate_limiter.h"

#include <gtest/gtest.h>

namespace kauth::server {
namespace {

using namespace std::chrono_literals;
using Clock = ResetRateLimiter::Clock;

TEST(ResetRateLimiterTest, BurstIsAllowedThenTheBucketIsEmpty) {
  const Clock::time_point start{};
  ResetRateLimiter limiter(3, 1, start);
  EXPECT_TRUE(limiter.Take(start));
  EXPECT_TRUE(limiter.Take(start));
  EXPECT_TRUE(limiter.Take(start));
  EXPECT_FALSE(limiter.Take(start));
  EXPECT_FALSE(limiter.Take(start + 500ms));
}

TEST(ResetRateLimiterTest, TokensComeBackAtTheRateUpToTheBurst) {
  const Clock::time_point start{};
  ResetRateLimiter limiter(2, 10, start);
  EXPECT_TRUE(limiter.Take(start));
  EXPECT_TRUE(limiter.Take(start));
  EXPECT_FALSE(limiter.Take(start));
  // 100 ms at 10 per second: one token.
  EXPECT_TRUE(limiter.Take(start + 100ms));
  EXPECT_FALSE(limiter.Take(start + 100ms));
  // A long pause refills to the burst, not beyond.
  EXPECT_TRUE(limiter.Take(start + 1h));
  EXPECT_TRUE(limiter.Take(start + 1h));
  EXPECT_FALSE(limiter.Take(start + 1h));
}

TEST(ResetRateLimiterTest, SustainedRateBelowTheRefillNeverRunsDry) {
  Clock::time_point now{};
  ResetRateLimiter limiter(5, 33, now);
  for (int i = 0; i < 10000; ++i) {
    now += 50ms;  // 20 per second
    ASSERT_TRUE(limiter.Take(now)) << "reset " << i;
  }
}

TEST(ResetRateLimiterTest, ZeroBurstDisablesTheLimit) {
  ResetRateLimiter limiter(0, 0, Clock::time_point{});
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Take(Clock::time_point{}));
}

}  // namespace
}  // namespace kauth::server
