// UTF-8 decoding with Go's unicode/utf8 rules, which decide how Go's JSON encoder and decoder
// treat invalid input: every byte that does not start a valid sequence counts as one
// RuneError (U+FFFD) of size 1; surrogates and overlong forms are invalid.
#ifndef KAUTH_API_GO_UTF8_H_
#define KAUTH_API_GO_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kauth::api {

inline constexpr std::uint32_t kReplacementRune = 0xfffd;

struct Utf8Rune {
  std::uint32_t rune = kReplacementRune;
  std::size_t size = 1;
  bool valid = false;
};

// The rune at the start of non-empty `text`.
Utf8Rune DecodeUtf8(std::string_view text);

// Appends the UTF-8 encoding of `rune` (<= U+10FFFF, not a surrogate).
void AppendUtf8(std::string& out, std::uint32_t rune);

}  // namespace kauth::api

#endif  // KAUTH_API_GO_UTF8_H_
