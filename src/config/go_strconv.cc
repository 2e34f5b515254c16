#include "config/go_strconv.h"

#include <limits>

#include "core/go_format.h"

namespace kauth::config {
namespace {

constexpr unsigned char Lower(unsigned char c) { return c | 0x20; }

// Go's NumError.Error(): "strconv.<func>: parsing <quoted input>: <reason>".
Error NumError(std::string_view func, std::string_view input, std::string_view reason) {
  return Error{"strconv." + std::string(func) + ": parsing " + GoQuote(input) + ": " +
               std::string(reason)};
}

constexpr std::string_view kInvalidSyntax = "invalid syntax";
constexpr std::string_view kOutOfRange = "value out of range";

// Go's underscoreOK: '_' may only separate digits (or follow a base prefix) in a base-0 literal.
bool UnderscoreOk(std::string_view s) {
  char saw = '^';  // ^ start, 0 digit or prefix, _ underscore, ! anything else
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0') {
    const unsigned char p = Lower(static_cast<unsigned char>(s[1]));
    if (p == 'b' || p == 'o' || p == 'x') {
      i = 2;
      saw = '0';
      hex = p == 'x';
    }
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// ParseUint's digits loop. `func` names the Go function for the error; `original` is what the
// error quotes. On a range error `value` holds the maximum, as Go returns it.
struct UintOutcome {
  std::uint64_t value = 0;
  enum { kOk, kSyntax, kRange } status = kOk;
};

UintOutcome ParseUintDigits(std::string_view s, int base, int bit_size) {
  UintOutcome out;
  if (s.empty()) {
    out.status = UintOutcome::kSyntax;
    return out;
  }
  const bool base0 = base == 0;
  const std::string_view s0 = s;
  if (base0) {
    base = 10;
    if (s[0] == '0') {
      const unsigned char p = s.size() >= 3 ? Lower(static_cast<unsigned char>(s[1])) : 0;
      if (p == 'b') {
        base = 2;
        s.remove_prefix(2);
      } else if (p == 'o') {
        base = 8;
        s.remove_prefix(2);
      } else if (p == 'x') {
        base = 16;
        s.remove_prefix(2);
      } else {
        base = 8;
        s.remove_prefix(1);
      }
    }
  }
  const std::uint64_t max_value = bit_size >= 64
                                      ? std::numeric_limits<std::uint64_t>::max()
                                      : (std::uint64_t{1} << static_cast<unsigned>(bit_size)) - 1;
  const auto ubase = static_cast<std::uint64_t>(base);
  const std::uint64_t cutoff = std::numeric_limits<std::uint64_t>::max() / ubase + 1;
  bool underscores = false;
  std::uint64_t n = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    std::uint64_t d = 0;
    if (c == '_' && base0) {
      underscores = true;
      continue;
    }
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (Lower(c) >= 'a' && Lower(c) <= 'z') {
      d = Lower(c) - 'a' + 10u;
    } else {
      out.status = UintOutcome::kSyntax;
      return out;
    }
    if (d >= ubase) {
      out.status = UintOutcome::kSyntax;
      return out;
    }
    if (n >= cutoff) {
      out.value = max_value;
      out.status = UintOutcome::kRange;
      return out;
    }
    n *= ubase;
    const std::uint64_t n1 = n + d;
    if (n1 < n || n1 > max_value) {
      out.value = max_value;
      out.status = UintOutcome::kRange;
      return out;
    }
    n = n1;
  }
  if (underscores && !UnderscoreOk(s0)) {
    out.status = UintOutcome::kSyntax;
    return out;
  }
  out.value = n;
  return out;
}

}  // namespace

Result<bool> ParseGoBool(std::string_view text) {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" ||
      text == "True") {
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" ||
      text == "False") {
    return false;
  }
  return NumError("ParseBool", text, kInvalidSyntax);
}

Result<std::uint64_t> ParseGoUint(std::string_view text, int base, int bit_size) {
  const UintOutcome out = ParseUintDigits(text, base, bit_size);
  switch (out.status) {
    case UintOutcome::kSyntax:
      return NumError("ParseUint", text, kInvalidSyntax);
    case UintOutcome::kRange:
      return NumError("ParseUint", text, kOutOfRange);
    case UintOutcome::kOk:
      break;
  }
  return out.value;
}

Result<std::int64_t> ParseGoInt(std::string_view text, int base, int bit_size) {
  if (text.empty()) return NumError("ParseInt", text, kInvalidSyntax);
  std::string_view s = text;
  bool negative = false;
  if (s[0] == '+') {
    s.remove_prefix(1);
  } else if (s[0] == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  const UintOutcome out = ParseUintDigits(s, base, bit_size);
  if (out.status == UintOutcome::kSyntax) return NumError("ParseInt", text, kInvalidSyntax);
  // A ParseUint range error still yields its maximum, which the cutoff below rejects.
  const std::uint64_t cutoff = std::uint64_t{1} << static_cast<unsigned>(bit_size - 1);
  if (!negative && out.value >= cutoff) return NumError("ParseInt", text, kOutOfRange);
  if (negative && out.value > cutoff) return NumError("ParseInt", text, kOutOfRange);
  if (negative) {
    // -cutoff is representable; negate in unsigned arithmetic to avoid signed overflow.
    return static_cast<std::int64_t>(~out.value + 1);
  }
  return static_cast<std::int64_t>(out.value);
}

std::string GoQuoteByte(unsigned char c) {
  // fmt prints a byte with %q as the rune of the same value.
  std::string utf8;
  if (c < 0x80) {
    utf8.push_back(static_cast<char>(c));
  } else {
    utf8.push_back(static_cast<char>(0xC0 | (c >> 6)));
    utf8.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
  const std::string quoted = GoQuote(utf8);
  std::string inner = quoted.substr(1, quoted.size() - 2);
  // strconv.QuoteRune escapes the single quote instead of the double quote.
  if (inner == "\\\"") inner = "\"";
  if (inner == "'") inner = "\\'";
  return "'" + inner + "'";
}

std::string GoQuoteStrings(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ' ';
    out += GoQuote(values[i]);
  }
  out += ']';
  return out;
}

}  // namespace kauth::config
