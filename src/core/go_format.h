// Go formatting rules that kauth reproduces in texts clients and operators see: UTF-8
// decoding as Go's range loop does it, %q quoting (Forbidden messages), %v of a string list
// (log lines) and time.Duration's String (latencies in logs).
//
// Pure functions; thread-safe.
#ifndef KAUTH_CORE_GO_FORMAT_H_
#define KAUTH_CORE_GO_FORMAT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kauth {

struct DecodedRune {
  // The code point, or -1 for an invalid or truncated sequence (Go's utf8.RuneError, width 1).
  std::int32_t rune;
  std::size_t size;
};

// Go's utf8.DecodeRuneInString at `pos` (requires pos < text.size()).
DecodedRune DecodeRune(std::string_view text, std::size_t pos);

// Appends `rune` as UTF-8 (U+FFFD for -1).
void AppendRune(std::string& out, std::int32_t rune);

// Go's fmt %q of a string (strconv.Quote): printable runes as-is, \a \b \f \n \r \t \v \\ \",
// \xNN for other bytes below 0x20, DEL and invalid UTF-8, \uNNNN / \UNNNNNNNN for other
// non-printable runes. Printability of non-ASCII runes follows unicode.IsPrint for the
// categories that matter here (C1 controls, the Unicode space and format characters, private
// use); other non-ASCII runes print as-is.
std::string GoQuote(std::string_view text);

// Go's %v of a []string: "[a b c]".
std::string GoStringList(const std::vector<std::string>& items);

// Go's time.Duration.String: "0s", "850ns", "1.5µs", "12.345ms", "1.5s", "2m0s", "1h2m3s".
std::string GoDuration(std::chrono::nanoseconds duration);

}  // namespace kauth

#endif  // KAUTH_CORE_GO_FORMAT_H_
