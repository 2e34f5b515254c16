// ResetRateLimiter: the rapid-reset (CVE-2023-44487) budget of one HTTP/2 connection. Every
// stream the client resets, or abandons before its handler answered, takes a token from a bucket
// of `burst` tokens that refills at `rate_per_second`; a connection whose bucket runs dry is
// abusing the server (opening streams only to cancel them costs it a handler each, the client
// nothing) and gets GOAWAY(ENHANCE_YOUR_CALM).
//
// A token bucket rather than a fixed window: a burst of cancellations (a client closing a page of
// watches) is fine, a sustained rate is not, and there is no window edge to time a flood around.
// This is the scheme nghttp2 1.57 adopted.
//
// A value type; not thread-safe (one connection's strand uses it).
#ifndef KAUTH_SERVER_RESET_RATE_LIMITER_H_
#define KAUTH_SERVER_RESET_RATE_LIMITER_H_

#include <chrono>
#include <cstdint>

namespace kauth::server {

class ResetRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // A full bucket at `now`. `burst` 0 disables the limit (every Take succeeds).
  ResetRateLimiter(std::uint32_t burst, std::uint32_t rate_per_second, Clock::time_point now);

  // Takes one token at `now`: true while the client stays within its budget, false once the
  // bucket is empty (and on every later call until it refills).
  bool Take(Clock::time_point now);

 private:
  std::uint32_t burst_;
  std::uint32_t rate_per_second_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace kauth::server

#endif  // KAUTH_SERVER_RESET_RATE_LIMITER_H_
