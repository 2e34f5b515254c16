// Small string helpers with Go's exact semantics where the spec depends on them (R0.3).
#ifndef KAUTH_CORE_STRINGS_H_
#define KAUTH_CORE_STRINGS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kauth {

// ASCII case-insensitive equality, as header names compare.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);
std::string AsciiLower(std::string_view text);

// Go strings.TrimSpace: trims Unicode white space (ASCII \t \n \v \f \r and space, U+0085,
// U+00A0 and the other Unicode White_Space code points) from both ends of UTF-8 text.
std::string_view TrimSpace(std::string_view text);

// Go strings.SplitN(text, sep, n) for n > 0: at most n pieces, empty pieces kept.
std::vector<std::string_view> SplitN(std::string_view text, char sep, std::size_t n);

// Go strings.Split(text, sep): empty pieces kept; "" gives [""].
std::vector<std::string_view> Split(std::string_view text, char sep);

// Valid UTF-8 as Go's utf8.Valid decides (no surrogates, no overlongs, <= U+10FFFF).
bool IsValidUtf8(std::string_view text);

// The 1 to 8 bytes at `p` as one word, without a call to memcpy: from 4 bytes on, two
// overlapping 4-byte loads; below, the first, middle and last bytes, with spaces in the rest.
// Every byte of the text lands in the word and only its bytes and spaces do, so equal texts give
// equal words. For word-at-a-time checks and hashes of short text.
std::uint64_t LoadUpTo8(const char* p, std::size_t n);

// Go's httpguts.ValidHeaderFieldValue: no control bytes other than horizontal tab (bytes 0x80 and
// up, obs-text, are allowed). Every forwarded header value goes through it, so it checks eight
// bytes at a time.
bool ValidHeaderFieldValue(std::string_view value);

// How many bytes at the start of `text` may appear in a header value (as above): the index of
// the first that may not, text.size() when all may. An HTTP/1 parser finds a line's CR with it.
std::size_t HeaderFieldValueLength(std::string_view text);

namespace strings_internal {
extern const std::array<bool, 256> kTokenBytes;
}  // namespace strings_internal

// RFC 9110 tchar: a byte of a token (a header name, a method). Inline: parsers call it per byte.
inline bool IsTokenByte(char c) {
  return strings_internal::kTokenBytes[static_cast<unsigned char>(c)];
}
// Go's httpguts.ValidHeaderFieldName: a non-empty token.
bool ValidHeaderFieldName(std::string_view name);

}  // namespace kauth

#endif  // KAUTH_CORE_STRINGS_H_
