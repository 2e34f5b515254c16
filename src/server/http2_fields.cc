#include "server/http2_fields.h"

#include <algorithm>
#include <cctype>

#include "core/strings.h"
#include "server/go_http1.h"

namespace kauth::server {
namespace {

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string WireValue(std::string_view value) {
  std::string out(value);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return out;
}

}  // namespace

bool IsConnectionSpecificField(std::string_view name) {
  for (std::string_view doomed :
       {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}) {
    if (EqualsIgnoreCase(name, doomed)) return true;
  }
  return false;
}

void JoinCookieFields(HeaderFields& fields) {
  HeaderFields::iterator first = fields.end();
  for (auto it = fields.begin(); it != fields.end();) {
    if (!EqualsIgnoreCase(it->first, "cookie")) {
      ++it;
      continue;
    }
    if (first == fields.end()) {
      first = it;
      ++it;
      continue;
    }
    const std::ptrdiff_t at = first - fields.begin();
    fields[static_cast<std::size_t>(at)].second += "; " + it->second;
    it = fields.erase(it);
    first = fields.begin() + at;
  }
}

Http2ResponseHead MakeHttp2ResponseHead(unsigned status, const HeaderFields& headers,
                                        std::optional<std::uint64_t> content_length,
                                        std::chrono::system_clock::time_point now) {
  Http2ResponseHead head;
  head.fields.reserve(headers.size() + 3);
  head.fields.emplace_back(":status", std::to_string(status));
  bool has_date = false;
  for (const auto& [name, value] : headers) {
    if (EqualsIgnoreCase(name, "Connection")) {
      if (HeaderHasToken(value, "close")) head.close_requested = true;
      continue;
    }
    if (!ValidHeaderFieldName(name) || IsConnectionSpecificField(name) ||
        EqualsIgnoreCase(name, "Content-Length")) {
      continue;
    }
    // "TE" may only carry "trailers" in HTTP/2; a response has no use for it at all.
    if (EqualsIgnoreCase(name, "TE")) continue;
    if (EqualsIgnoreCase(name, "Date")) has_date = true;
    head.fields.emplace_back(LowerAscii(name), WireValue(value));
  }
  if (!has_date) head.fields.emplace_back("date", HttpDate(now));
  if (content_length) head.fields.emplace_back("content-length", std::to_string(*content_length));
  return head;
}

}  // namespace kauth::server
