#include "core/strings.h"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

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

// The eight bytes of `word` with 'A'-'Z' lowered, every other byte (0x80 and up included) kept.
// Each byte's low seven bits plus a constant sets its high bit exactly when it is above 'Z', or
// at least 'A', and cannot carry into the next byte.
std::uint64_t LowerAsciiWord(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  const std::uint64_t low_bits = word & (kOnes * 0x7f);
  const std::uint64_t above_z = low_bits + kOnes * (0x7f - 'Z');
  const std::uint64_t from_a = low_bits + kOnes * (0x80 - 'A');
  const std::uint64_t upper = from_a & ~above_z & ~word & kHighBits;
  return word | (upper >> 2);  // 0x80 >> 2 is the case bit, 0x20
}

inline bool SameWordIgnoringCase(std::uint64_t a, std::uint64_t b) {
  return a == b || LowerAsciiWord(a) == LowerAsciiWord(b);
}

std::uint64_t Load8(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

}  // namespace

std::uint64_t LoadUpTo8(const char* p, std::size_t n) {
  if (n >= 4) {
    std::uint32_t first;
    std::uint32_t last;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    return std::uint64_t{last} << 32 | first;
  }
  const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
  return 0x2020202020000000 | byte(n - 1) << 16 | byte(n / 2) << 8 | byte(0);
}

// Eight bytes at a time: header names are compared with this many times per request.
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n == 0) return true;
  if (n < 8) return SameWordIgnoringCase(LoadUpTo8(a.data(), n), LoadUpTo8(b.data(), n));
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    if (!SameWordIgnoringCase(Load8(a.data() + i), Load8(b.data() + i))) return false;
  }
  // The last (overlapping) word covers what is left.
  return n % 8 == 0 || SameWordIgnoringCase(Load8(a.data() + n - 8), Load8(b.data() + n - 8));
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

namespace {

// The high bit of each byte of `word` that may not appear in a header value. Exact per byte:
// each test adds at most 0x7f to a byte's low seven bits, so no carry reaches the next byte.
inline std::uint64_t InvalidHeaderFieldBytes(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  constexpr std::uint64_t kLowBits = kOnes * 0x7f;
  // High bit set in each byte that is not zero.
  const auto nonzero = [](std::uint64_t x) {
    return (((x & kLowBits) + kLowBits) | x) & kHighBits;
  };
  const std::uint64_t printable = ((word & kLowBits) + kOnes * (0x80 - 0x20)) & kHighBits;
  const std::uint64_t obs_text = word & kHighBits;  // 0x80 and up
  const std::uint64_t tab = ~nonzero(word ^ (kOnes * '\t')) & kHighBits;
  const std::uint64_t del = ~nonzero(word ^ (kOnes * 0x7f)) & kHighBits;
  return ~((printable | obs_text | tab) & ~del) & kHighBits;
}

bool ValidHeaderFieldWord(std::uint64_t word) { return InvalidHeaderFieldBytes(word) == 0; }

}  // namespace

bool ValidHeaderFieldValue(std::string_view value) {
  const std::size_t n = value.size();
  if (n == 0) return true;
  if (n < 8) return ValidHeaderFieldWord(LoadUpTo8(value.data(), n));
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    if (!ValidHeaderFieldWord(Load8(value.data() + i))) return false;
  }
  // The last (overlapping) word covers what is left.
  return n % 8 == 0 || ValidHeaderFieldWord(Load8(value.data() + n - 8));
}

namespace strings_internal {

// A table: header names are checked a byte at a time on every request and response.
constexpr std::array<bool, 256> kTokenBytes = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) {
    table[static_cast<unsigned char>(c)] = true;
  }
  return table;
}();

}  // namespace strings_internal

bool ValidHeaderFieldName(std::string_view name) {
  const std::size_t n = name.size();
  if (n == 0) return false;
  // Names are short and almost always valid: no branch per byte, four lookups at a time.
  const auto* bytes = reinterpret_cast<const unsigned char*>(name.data());
  const auto& table = strings_internal::kTokenBytes;
  unsigned tokens = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    tokens += static_cast<unsigned>(table[bytes[i]]) + table[bytes[i + 1]] + table[bytes[i + 2]] +
              table[bytes[i + 3]];
  }
  for (; i < n; ++i) tokens += table[bytes[i]];
  return tokens == n;
}

std::size_t HeaderFieldValueLength(std::string_view text) {
  const std::size_t n = text.size();
  std::size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    // The lowest flagged bit belongs to the first invalid byte of the word.
    for (; i + 8 <= n; i += 8) {
      if (const std::uint64_t invalid = InvalidHeaderFieldBytes(Load8(text.data() + i))) {
        return i + static_cast<std::size_t>(std::countr_zero(invalid)) / 8;
      }
    }
  }
  for (; i < n; ++i) {
    if (InvalidHeaderFieldBytes(static_cast<unsigned char>(text[i])) & 0x80) return i;
  }
  return n;
}

}  // namespace kauth
