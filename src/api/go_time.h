// Timestamps as Kubernetes' metav1.Time reads and writes them: parsed with Go's
// time.Parse(time.RFC3339, ...) (lenient: fractional seconds and one-digit hours are accepted,
// errors read like Go's), written as t.UTC().Format(time.RFC3339) (whole seconds, "Z"), and
// written as JSON null when the time is Go's zero time.
#ifndef KAUTH_API_GO_TIME_H_
#define KAUTH_API_GO_TIME_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "kauth/error.h"

namespace kauth::api {

// An instant: seconds since the Unix epoch (UTC) and nanoseconds within the second.
struct GoTime {
  // Go's zero time, 0001-01-01T00:00:00Z.
  static constexpr std::int64_t kZeroSeconds = -62135596800;

  std::int64_t seconds = kZeroSeconds;
  std::int32_t nanos = 0;

  bool IsZero() const { return seconds == kZeroSeconds && nanos == 0; }
  static GoTime FromSystemClock(std::chrono::system_clock::time_point time);
};

// Go's time.Parse(time.RFC3339, value); the error message is Go's ParseError text.
Result<GoTime> ParseGoRfc3339(std::string_view value);

// Go's t.UTC().Format(time.RFC3339), e.g. "2026-07-24T10:00:00Z".
std::string FormatRfc3339Utc(GoTime time);

}  // namespace kauth::api

#endif  // KAUTH_API_GO_TIME_H_
