// CoarseSteadyNow: a cheap, approximate steady_clock reading.
#ifndef KAUTH_CORE_COARSE_CLOCK_H_
#define KAUTH_CORE_COARSE_CLOCK_H_

#include <time.h>

#include <chrono>

namespace kauth {

// CLOCK_MONOTONIC_COARSE: the clock std::chrono::steady_clock reads (CLOCK_MONOTONIC) as of the
// kernel's last timekeeping update, so never ahead of it and usually a tick (1-10 ms) behind; on a
// tickless idle CPU it can lag further (6 ms with a 4 ms tick here). It costs about a quarter of
// a precise read (5 vs 19 ns).
//
// For durations where that error does not matter (how long a pooled connection sat idle, in
// seconds). Not for deadlines: a timeout built on it can fire early.
inline std::chrono::steady_clock::time_point CoarseSteadyNow() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec)));
}

}  // namespace kauth

#endif  // KAUTH_CORE_COARSE_CLOCK_H_
