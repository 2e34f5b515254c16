#include "server/http2_fields.h"

#include <algorithm>
#include <charconv>

#include "core/strings.h"
#include "server/go_http1.h"

namespace kauth::server {
namespace {

bool HasUpperAscii(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool HasLineBreak(std::string_view text) {
  // Two memchr scans: find_first_of("\r\n") would call memchr once for every byte of `text`.
  return text.find('\n') != std::string_view::npos || text.find('\r') != std::string_view::npos;
}

}  // namespace

bool IsConnectionSpecificField(std::string_view name) {
  // By length first: every field of every HTTP/2 response passes here.
  switch (name.size()) {
    case 7:
      return EqualsIgnoreCase(name, "upgrade");
    case 10:
      return EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "keep-alive");
    case 16:
      return EqualsIgnoreCase(name, "proxy-connection");
    case 17:
      return EqualsIgnoreCase(name, "transfer-encoding");
    default:
      return false;
  }
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
                                        std::string_view date) {
  Http2ResponseHead head;
  MakeHttp2ResponseHead(status, headers, content_length, date, head);
  return head;
}

void MakeHttp2ResponseHead(unsigned status, const HeaderFields& headers,
                           std::optional<std::uint64_t> content_length, std::string_view date,
                           Http2ResponseHead& head) {
  head.fields.clear();
  head.fields.reserve(headers.size() + 3);
  head.close_requested = false;
  // One block for every byte that must change (lower-cased names, values with line breaks, the
  // numbers); everything else is viewed where the handler put it.
  std::size_t rewritten = 3 + 20;
  for (const auto& [name, value] : headers) rewritten += name.size() + value.size();
  if (rewritten > head.storage_size) {
    head.storage = std::make_unique_for_overwrite<char[]>(rewritten);
    head.storage_size = rewritten;
  }
  char* free = head.storage.get();
  char* const limit = free + rewritten;
  const auto number = [&](std::uint64_t value) {
    char* const begin = free;
    free = std::to_chars(free, limit, value).ptr;
    return std::string_view(begin, static_cast<std::size_t>(free - begin));
  };

  head.fields.emplace_back(":status", number(status));
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
    std::string_view wire_name = name;
    if (HasUpperAscii(name)) {
      std::transform(name.begin(), name.end(), free, [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      });
      wire_name = std::string_view(free, name.size());
      free += name.size();
    }
    std::string_view wire_value = value;
    if (HasLineBreak(value)) {
      std::replace_copy_if(
          value.begin(), value.end(), free, [](char c) { return c == '\r' || c == '\n'; }, ' ');
      wire_value = std::string_view(free, value.size());
      free += value.size();
    }
    head.fields.emplace_back(wire_name, wire_value);
  }
  if (!has_date) head.fields.emplace_back("date", date);
  if (content_length) head.fields.emplace_back("content-length", number(*content_length));
}

}  // namespace kauth::server
