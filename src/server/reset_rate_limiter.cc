#include "server/reset_rate_limiter.h"

#include <algorithm>

namespace kauth::server {

ResetRateLimiter::ResetRateLimiter(std::uint32_t burst, std::uint32_t rate_per_second,
                                   Clock::time_point now)
    : burst_(burst), rate_per_second_(rate_per_second), tokens_(burst), last_(now) {}

bool ResetRateLimiter::Take(Clock::time_point now) {
  if (burst_ == 0) return true;
  if (now > last_) {
    const std::chrono::duration<double> elapsed = now - last_;
    tokens_ = std::min<double>(burst_, tokens_ + elapsed.count() * rate_per_second_);
    last_ = now;
  }
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace kauth::server
