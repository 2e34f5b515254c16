#include "core/go_format.h"

namespace kauth {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(std::string& out, std::uint32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out.push_back(kHex[(value >> shift) & 0xF]);
}

// unicode.IsPrint for non-ASCII runes, for the ranges a user name or path can plausibly hold:
// C1 controls, Unicode spaces other than U+0020 (Zs, Zl, Zp), format characters (Cf), private
// use (Co) and noncharacters are not printable.
bool IsPrintNonAscii(std::int32_t r) {
  if (r <= 0xA0) return false;  // C1 controls and NO-BREAK SPACE
  if (r == 0xAD || r == 0x61C || r == 0x6DD || r == 0x70F || r == 0x1680 || r == 0x180E ||
      r == 0x3000 || r == 0xFEFF) {
    return false;
  }
  if ((r >= 0x600 && r <= 0x605) || (r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
      (r >= 0x205F && r <= 0x206F) || (r >= 0xE000 && r <= 0xF8FF) ||
      (r >= 0xFFF9 && r <= 0xFFFB) || (r >= 0xE0000 && r <= 0xE007F) || r >= 0xF0000) {
    return false;
  }
  // Noncharacters.
  if ((r >= 0xFDD0 && r <= 0xFDEF) || (r & 0xFFFE) == 0xFFFE) return false;
  return true;
}

// fmtFrac of Go's time package: ".ddd" without trailing zeros, nothing for a zero fraction.
std::string Fraction(std::uint64_t& value, int precision) {
  std::string digits;
  bool significant = false;
  for (int i = 0; i < precision; ++i) {
    const char digit = static_cast<char>('0' + value % 10);
    value /= 10;
    significant = significant || digit != '0';
    if (significant) digits.insert(digits.begin(), digit);
  }
  return digits.empty() ? digits : "." + digits;
}

}  // namespace

DecodedRune DecodeRune(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(pos);
  if (b0 < 0x80) return {b0, 1};
  std::size_t size = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    size = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    size = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    size = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return {-1, 1};
  }
  if (pos + size > text.size() || byte(pos + 1) < lo || byte(pos + 1) > hi) return {-1, 1};
  for (std::size_t i = 2; i < size; ++i) {
    if (byte(pos + i) < 0x80 || byte(pos + i) > 0xBF) return {-1, 1};
  }
  std::int32_t rune = b0 & (size == 2 ? 0x1F : size == 3 ? 0x0F : 0x07);
  for (std::size_t i = 1; i < size; ++i) rune = (rune << 6) | (byte(pos + i) & 0x3F);
  return {rune, size};
}

void AppendRune(std::string& out, std::int32_t rune) {
  const std::uint32_t r = rune < 0 ? 0xFFFD : static_cast<std::uint32_t>(rune);
  if (r < 0x80) {
    out.push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (r >> 6)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (r >> 12)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (r >> 18)));
    out.push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

std::string GoQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  // Most values (log fields, messages) are plain printable ASCII: copied in one go.
  std::size_t plain = 0;
  while (plain < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[plain]);
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') break;
    ++plain;
  }
  out.append(text.substr(0, plain));
  for (std::size_t i = plain; i < text.size();) {
    const DecodedRune decoded = DecodeRune(text, i);
    const std::int32_t r = decoded.rune;
    if (r < 0) {
      out += "\\x";
      AppendHex(out, static_cast<unsigned char>(text[i]), 2);
    } else if (r == '"' || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
    } else if ((r >= 0x20 && r < 0x7F) || (r >= 0x80 && IsPrintNonAscii(r))) {
      out.append(text.substr(i, decoded.size));
    } else {
      switch (r) {
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default:
          if (r < 0x20 || r == 0x7F) {
            out += "\\x";
            AppendHex(out, static_cast<std::uint32_t>(r), 2);
          } else if (r < 0x10000) {
            out += "\\u";
            AppendHex(out, static_cast<std::uint32_t>(r), 4);
          } else {
            out += "\\U";
            AppendHex(out, static_cast<std::uint32_t>(r), 8);
          }
      }
    }
    i += decoded.size;
  }
  out.push_back('"');
  return out;
}

std::string GoStringList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out += items[i];
  }
  out.push_back(']');
  return out;
}

std::string GoDuration(std::chrono::nanoseconds duration) {
  const bool negative = duration.count() < 0;
  std::uint64_t value = negative ? 0 - static_cast<std::uint64_t>(duration.count())
                                 : static_cast<std::uint64_t>(duration.count());
  std::string out;
  if (value < 1'000'000'000) {
    if (value == 0) return "0s";
    std::string unit;
    int precision = 0;
    if (value < 1'000) {
      unit = "ns";
    } else if (value < 1'000'000) {
      unit = "\xc2\xb5s";  // U+00B5 MICRO SIGN, as Go writes it
      precision = 3;
    } else {
      unit = "ms";
      precision = 6;
    }
    const std::string fraction = Fraction(value, precision);
    out = std::to_string(value) + fraction + unit;
  } else {
    const std::string fraction = Fraction(value, 9);
    out = std::to_string(value % 60) + fraction + "s";
    value /= 60;
    if (value > 0) {
      out = std::to_string(value % 60) + "m" + out;
      value /= 60;
      if (value > 0) out = std::to_string(value) + "h" + out;
    }
  }
  return negative ? "-" + out : out;
}

}  // namespace kauth
