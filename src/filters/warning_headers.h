// R7.7: turns the warnings collected while serving one request into `Warning` response header
// values, as k8s.io/apiserver's warning recorder does:
//   - each value is `299 - "<text>"` (code 299, agent "-"), with `"` and `\` backslash-escaped;
//   - empty texts are ignored and repeated texts are dropped (the first is kept);
//   - a text that is not valid UTF-8 or holds a control character (C0, DEL, C1) yields no
//     header, but still counts as seen;
//   - once the texts written would pass 4096 runes in total, truncation mode starts: every text,
//     earlier ones included, is cut to its first 256 runes; in that mode, once 4096 runes have
//     been written again, later warnings are dropped.
//
// Pure function; thread-safe.
#ifndef KAUTH_FILTERS_WARNING_HEADERS_H_
#define KAUTH_FILTERS_WARNING_HEADERS_H_

#include <string>
#include <vector>

namespace kauth::filters {

// The `Warning` header values for `warnings` (in the order they were added), in order.
std::vector<std::string> WarningHeaderValues(const std::vector<std::string>& warnings);

}  // namespace kauth::filters

#endif  // KAUTH_FILTERS_WARNING_HEADERS_H_
