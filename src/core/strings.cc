#include "core/strings.h"

#include <cstdint>

namespace kauth {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsUnicodeSpace(char32_t r) {
  switch (r) {
    case U'\t':
    case U'\n':
    case U'\v':
    case U'\f':
    case U'\r':
    case U' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

// Decodes one rune as Go's utf8.DecodeRune does; invalid input gives width 1 and `valid` false.
struct Rune {
  char32_t value;
  std::size_t width;
  bool valid;
};

Rune DecodeRune(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t c0 = b(0);
  if (c0 < 0x80) return {c0, 1, true};
  auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  if (c0 >= 0xC2 && c0 <= 0xDF && cont(1)) {
    return {static_cast<char32_t>(((c0 & 0x1F) << 6) | (b(1) & 0x3F)), 2, true};
  }
  if (c0 >= 0xE0 && c0 <= 0xEF && cont(1) && cont(2)) {
    const char32_t r =
        static_cast<char32_t>(((c0 & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F));
    if (r >= 0x800 && (r < 0xD800 || r > 0xDFFF)) return {r, 3, true};
  }
  if (c0 >= 0xF0 && c0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    const char32_t r = static_cast<char32_t>(((c0 & 0x07) << 18) | ((b(1) & 0x3F) << 12) |
                                             ((b(2) & 0x3F) << 6) | (b(3) & 0x3F));
    if (r >= 0x10000 && r <= 0x10FFFF) return {r, 4, true};
  }
  return {0xFFFD, 1, false};
}

// The start of the last rune in `s` (non-empty), as utf8.DecodeLastRune finds it.
Rune DecodeLastRune(std::string_view s, std::size_t* start) {
  const std::size_t end = s.size();
  std::size_t lim = end >= 4 ? end - 4 : 0;
  std::size_t i = end - 1;
  while (i > lim && (static_cast<std::uint8_t>(s[i]) & 0xC0) == 0x80) --i;
  Rune r = DecodeRune(s.substr(i));
  if (i + r.width != end) {
    *start = end - 1;
    return {0xFFFD, 1, false};
  }
  *start = i;
  return r;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty()) {
    const Rune r = DecodeRune(text);
    if (!r.valid || !IsUnicodeSpace(r.value)) break;
    text.remove_prefix(r.width);
  }
  while (!text.empty()) {
    std::size_t start = 0;
    const Rune r = DecodeLastRune(text, &start);
    if (!r.valid || !IsUnicodeSpace(r.value)) break;
    text = text.substr(0, start);
  }
  return text;
}

std::vector<std::string_view> SplitN(std::string_view text, char sep, std::size_t n) {
  std::vector<std::string_view> pieces;
  while (pieces.size() + 1 < n) {
    const std::size_t at = text.find(sep);
    if (at == std::string_view::npos) break;
    pieces.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  pieces.push_back(text);
  return pieces;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  return SplitN(text, sep, std::string_view::npos);
}

bool IsValidUtf8(std::string_view text) {
  while (!text.empty()) {
    const Rune r = DecodeRune(text);
    if (!r.valid) return false;
    text.remove_prefix(r.width);
  }
  return true;
}

}  // namespace kauth
