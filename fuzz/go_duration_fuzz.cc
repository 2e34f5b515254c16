// Fuzzes Go duration text both ways (config/go_duration.h), as every duration flag parses it.
// Besides the sanitizers it checks that
//   - the first 8 bytes read as any int64 count of nanoseconds format to text that parses back to
//     the same count (Duration.String is exact, INT64_MIN included);
//   - an accepted text formats to text that parses back to the same value;
//   - text made only of whole-number components ("1h30m", "-15s") parses to their exact sum,
//     computed here in 128 bits, and is refused as out of range exactly when the sum does not
//     fit;
//   - every error is "time: ..." and ends with the quoted input.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "config/go_duration.h"

namespace {

// A GNU extension that both clang and g++ have; __extension__ keeps -Wpedantic quiet about it.
__extension__ typedef __int128 Int128;

void Check(bool ok) {
  if (!ok) std::abort();
}

std::optional<std::int64_t> UnitNanoseconds(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1000;
  if (unit == "ms") return 1000 * 1000;
  if (unit == "s") return 1000 * 1000 * 1000;
  if (unit == "m") return std::int64_t{60} * 1000 * 1000 * 1000;
  if (unit == "h") return std::int64_t{3600} * 1000 * 1000 * 1000;
  return std::nullopt;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The value of `text` when it is [-+]?([0-9]+unit)+ with known units and no component's
// digits beyond 2^63 (Go's leadingInt limit); nullopt for any other text. The sum may be out of
// int64 range.
std::optional<Int128> WholeComponents(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  Int128 sum = 0;
  while (!text.empty()) {
    std::size_t digits = 0;
    Int128 value = 0;
    while (digits < text.size() && IsDigit(text[digits])) {
      value = value * 10 + (text[digits] - '0');
      if (value > (Int128{1} << 63)) return std::nullopt;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    std::size_t end = digits;
    while (end < text.size() && text[end] != '.' && !IsDigit(text[end])) ++end;
    const std::optional<std::int64_t> unit = UnitNanoseconds(text.substr(digits, end - digits));
    if (!unit) return std::nullopt;
    sum += value * *unit;
    // Large enough to be refused whatever follows; stops the sum from growing without bound.
    if (sum > (Int128{1} << 64)) sum = Int128{1} << 64;
    text.remove_prefix(end);
  }
  return negative ? -sum : sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size >= 8) {
    std::int64_t count;
    std::memcpy(&count, data, sizeof count);
    const std::string text = kauth::config::FormatGoDuration(std::chrono::nanoseconds(count));
    const auto back = kauth::config::ParseGoDuration(text);
    Check(back.has_value() && back->count() == count);
  }

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = kauth::config::ParseGoDuration(input);
  if (parsed) {
    const auto again = kauth::config::ParseGoDuration(kauth::config::FormatGoDuration(*parsed));
    Check(again.has_value() && *again == *parsed);
  } else {
    const std::string& message = parsed.error().message;
    Check(message.starts_with("time: ") && message.ends_with('"') &&
          message.find(" duration \"") != std::string::npos);
  }

  if (const std::optional<Int128> sum = WholeComponents(input)) {
    const bool fits = *sum >= std::numeric_limits<std::int64_t>::min() &&
                      *sum <= std::numeric_limits<std::int64_t>::max();
    if (fits) {
      Check(parsed.has_value() && parsed->count() == static_cast<std::int64_t>(*sum));
    } else {
      Check(!parsed.has_value() && parsed.error().message.starts_with("time: invalid duration \""));
    }
  }
  return 0;
}
