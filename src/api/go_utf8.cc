#include "api/go_utf8.h"

namespace kauth::api {
namespace {

bool IsContinuation(unsigned char c) { return c >= 0x80 && c <= 0xbf; }

}  // namespace

Utf8Rune DecodeUtf8(std::string_view text) {
  const auto b0 = static_cast<unsigned char>(text[0]);
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t size = 0;
  unsigned char low = 0x80;  // the range the second byte must fall in
  unsigned char high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    size = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    if (b0 == 0xe0) low = 0xa0;   // no overlong forms
    if (b0 == 0xed) high = 0x9f;  // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    if (b0 == 0xf0) low = 0x90;   // no overlong forms
    if (b0 == 0xf4) high = 0x8f;  // nothing above U+10FFFF
  } else {
    return {};
  }
  if (text.size() < size) return {};
  const auto b1 = static_cast<unsigned char>(text[1]);
  if (b1 < low || b1 > high) return {};
  std::uint32_t rune = b0 & (size == 2 ? 0x1fu : size == 3 ? 0x0fu : 0x07u);
  rune = (rune << 6) | (b1 & 0x3fu);
  for (std::size_t i = 2; i < size; ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (!IsContinuation(b)) return {};
    rune = (rune << 6) | (b & 0x3fu);
  }
  return {rune, size, true};
}

void AppendUtf8(std::string& out, std::uint32_t rune) {
  if (rune < 0x80) {
    out += static_cast<char>(rune);
  } else if (rune < 0x800) {
    out += static_cast<char>(0xc0 | (rune >> 6));
    out += static_cast<char>(0x80 | (rune & 0x3f));
  } else if (rune < 0x10000) {
    out += static_cast<char>(0xe0 | (rune >> 12));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (rune & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (rune >> 18));
    out += static_cast<char>(0x80 | ((rune >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (rune & 0x3f));
  }
}

}  // namespace kauth::api
