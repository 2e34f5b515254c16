// Go's time.Duration text, both ways: pflag's duration flags parse with time.ParseDuration and
// print their defaults with Duration.String(), so kauthd's --help shows `1m0s` where
// kube-apiserver would, and accepts `1h2m3.5s`, `300ms`, `-1.5h`, `1µs`.
//
// Pure functions; thread-safe.
#ifndef KAUTH_CONFIG_GO_DURATION_H_
#define KAUTH_CONFIG_GO_DURATION_H_

#include <chrono>
#include <string>
#include <string_view>

#include "kauth/error.h"

namespace kauth::config {

// time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ with units ns, us, µs (U+00B5), μs
// (U+03BC), ms, s, m, h; "0" alone needs no unit. Errors, with Go's quoting (bytes outside
// printable ASCII as \xNN):
//   time: invalid duration "<text>"          (syntax, or beyond ±2^63-1 ns)
//   time: missing unit in duration "<text>"
//   time: unknown unit "<unit>" in duration "<text>"
Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text);

// Duration.String(): "0s", "1.5s", "2m0s", "1h0m0s", "300ms", "1.2µs", "-1h30m0s".
std::string FormatGoDuration(std::chrono::nanoseconds duration);

}  // namespace kauth::config

#endif  // KAUTH_CONFIG_GO_DURATION_H_
