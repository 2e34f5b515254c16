// Go's strconv number and boolean parsing, with Go's error texts, for kauthd's flags: pflag
// parses Int flags with strconv.ParseInt(s, 0, 64), Bool flags with strconv.ParseBool, and
// kube-apiserver's -v with strconv.ParseUint(s, 10, 31). Operators see these texts in the
// `invalid argument` errors, e.g. `strconv.ParseInt: parsing "x": invalid syntax`.
//
// Pure functions; thread-safe.
#ifndef KAUTH_CONFIG_GO_STRCONV_H_
#define KAUTH_CONFIG_GO_STRCONV_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kauth/error.h"

namespace kauth::config {

// strconv.ParseBool: 1 t T TRUE true True, 0 f F FALSE false False. Anything else:
// `strconv.ParseBool: parsing "<text>": invalid syntax`.
Result<bool> ParseGoBool(std::string_view text);

// strconv.ParseInt(text, base, bit_size) for base 0 or 2..36 and bit_size 1..64: an optional
// sign; with base 0, a 0b/0o/0x prefix or a leading 0 (octal) picks the base and '_' may
// separate digits. Errors: `strconv.ParseInt: parsing "<text>": invalid syntax` or
// `... value out of range`.
Result<std::int64_t> ParseGoInt(std::string_view text, int base, int bit_size);

// strconv.ParseUint: as ParseGoInt without a sign; the error names ParseUint.
Result<std::uint64_t> ParseGoUint(std::string_view text, int base, int bit_size);

// Go's %q of a single byte (fmt treats it as the rune with that value): 's' -> `'s'`,
// '\n' -> `'\n'`, '\'' -> `'\''`, 0x80 -> `'\u0080'`. pflag prints shorthand letters this way.
std::string GoQuoteByte(unsigned char c);

// Go's %q of a []string: `["a" "b"]`.
std::string GoQuoteStrings(const std::vector<std::string>& values);

}  // namespace kauth::config

#endif  // KAUTH_CONFIG_GO_STRCONV_H_
