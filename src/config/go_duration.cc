#include "config/go_duration.h"

#include <array>
#include <cstdint>

namespace kauth::config {
namespace {

constexpr std::uint64_t kNanosecond = 1;
constexpr std::uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr std::uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr std::uint64_t kSecond = 1000 * kMillisecond;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kHour = 60 * kMinute;
constexpr std::uint64_t kTwo63 = std::uint64_t{1} << 63;

// The time package's own quote(): unlike strconv.Quote it writes every byte of a non-ASCII or
// control character as \xNN and escapes only '"' and '\\' otherwise.
std::string TimeQuote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || c < ' ') {
      // Go walks runes, but a rune of n bytes prints as its n bytes, so per byte is the same.
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

Error Invalid(std::string_view orig) { return Error{"time: invalid duration " + TimeQuote(orig)}; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Consumes [0-9]*; false on overflow past 2^63 (Go's errLeadingInt).
bool LeadingInt(std::string_view& s, std::uint64_t& x) {
  x = 0;
  std::size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (x > kTwo63 / 10) return false;
    x = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (x > kTwo63) return false;
  }
  s.remove_prefix(i);
  return true;
}

// Consumes [0-9]* after a '.', keeping only the precision that fits.
void LeadingFraction(std::string_view& s, std::uint64_t& x, double& scale) {
  x = 0;
  scale = 1;
  bool overflow = false;
  std::size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (overflow) continue;
    if (x > (kTwo63 - 1) / 10) {
      overflow = true;
      continue;
    }
    const std::uint64_t y = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (y > kTwo63) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  s.remove_prefix(i);
}

std::uint64_t UnitValue(std::string_view unit) {
  if (unit == "ns") return kNanosecond;
  if (unit == "us") return kMicrosecond;
  if (unit == "\xC2\xB5s") return kMicrosecond;  // U+00B5 micro sign
  if (unit == "\xCE\xBCs") return kMicrosecond;  // U+03BC Greek small letter mu
  if (unit == "ms") return kMillisecond;
  if (unit == "s") return kSecond;
  if (unit == "m") return kMinute;
  if (unit == "h") return kHour;
  return 0;
}

// Go's fmtFrac: writes v % 10^prec as ".ddd" without trailing zeros before `w` (the write
// position counts down) and returns v / 10^prec.
std::uint64_t FmtFrac(std::array<char, 32>& buf, std::size_t& w, std::uint64_t v, int prec) {
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const auto digit = static_cast<char>(v % 10);
    print = print || digit != 0;
    if (print) buf[--w] = static_cast<char>('0' + digit);
    v /= 10;
  }
  if (print) buf[--w] = '.';
  return v;
}

void FmtInt(std::array<char, 32>& buf, std::size_t& w, std::uint64_t v) {
  if (v == 0) {
    buf[--w] = '0';
    return;
  }
  while (v > 0) {
    buf[--w] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text) {
  const std::string_view orig = text;
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return Invalid(orig);
  std::uint64_t d = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || IsDigit(s[0]))) return Invalid(orig);
    const std::size_t before_int = s.size();
    std::uint64_t v = 0;
    if (!LeadingInt(s, v)) return Invalid(orig);
    const bool pre = before_int != s.size();
    std::uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      const std::size_t before_frac = s.size();
      LeadingFraction(s, f, scale);
      post = before_frac != s.size();
    }
    if (!pre && !post) return Invalid(orig);
    std::size_t i = 0;
    while (i < s.size() && s[i] != '.' && !IsDigit(s[i])) ++i;
    if (i == 0) return Error{"time: missing unit in duration " + TimeQuote(orig)};
    const std::string_view unit_text = s.substr(0, i);
    s.remove_prefix(i);
    const std::uint64_t unit = UnitValue(unit_text);
    if (unit == 0) {
      return Error{"time: unknown unit " + TimeQuote(unit_text) + " in duration " +
                   TimeQuote(orig)};
    }
    if (v > kTwo63 / unit) return Invalid(orig);
    v *= unit;
    if (f > 0) {
      // Go computes the fraction in float64, which is exact to the nanosecond up to hours.
      v += static_cast<std::uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kTwo63) return Invalid(orig);
    }
    d += v;
    if (d > kTwo63) return Invalid(orig);
  }
  if (negative) {
    return std::chrono::nanoseconds(static_cast<std::int64_t>(~d + 1));
  }
  if (d > kTwo63 - 1) return Invalid(orig);
  return std::chrono::nanoseconds(static_cast<std::int64_t>(d));
}

std::string FormatGoDuration(std::chrono::nanoseconds duration) {
  std::array<char, 32> buf{};
  std::size_t w = buf.size();
  const std::int64_t count = duration.count();
  const bool negative = count < 0;
  std::uint64_t u = static_cast<std::uint64_t>(count);
  if (negative) u = ~u + 1;

  if (u < kSecond) {
    // Below a second Go switches to ns, µs or ms with a fraction: "1.5ms".
    int prec = 0;
    buf[--w] = 's';
    if (u == 0) {
      return "0s";
    } else if (u < kMicrosecond) {
      prec = 0;
      buf[--w] = 'n';
    } else if (u < kMillisecond) {
      prec = 3;
      buf[--w] = '\xB5';  // U+00B5 in UTF-8: C2 B5
      buf[--w] = '\xC2';
    } else {
      prec = 6;
      buf[--w] = 'm';
    }
    u = FmtFrac(buf, w, u, prec);
    FmtInt(buf, w, u);
  } else {
    buf[--w] = 's';
    u = FmtFrac(buf, w, u, 9);
    FmtInt(buf, w, u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      FmtInt(buf, w, u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        FmtInt(buf, w, u);
      }
    }
  }
  if (negative) buf[--w] = '-';
  return std::string(buf.data() + w, buf.size() - w);
}

}  // namespace kauth::config
