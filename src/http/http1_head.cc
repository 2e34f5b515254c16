#include "http/http1_head.h"

#include <algorithm>

#include "core/strings.h"

namespace kauth::http {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The end of a line whose text may hold what a header value may (Beast's rule for field values
// and reason phrases), from `p`: its CR, which a LF follows. nullptr when the line is not all
// there, or ends otherwise (a stray control byte, a bare LF, a CR alone).
const char* ValueLineEnd(const char* p, const char* end) {
  const char* const stop =
      p + HeaderFieldValueLength(std::string_view(p, static_cast<std::size_t>(end - p)));
  if (end - stop < 2 || stop[0] != '\r' || stop[1] != '\n') return nullptr;
  return stop;
}

// "HTTP/1.1" or "HTTP/1.0": the only versions Beast takes (it reads HTTP/<digit>.<digit> and
// refuses all but 1.0 and 1.1).
bool ParseVersion(std::string_view text, unsigned& version) {
  if (text.size() != 8 || text.substr(0, 7) != "HTTP/1.") return false;
  if (text[7] == '1') {
    version = 11;
  } else if (text[7] == '0') {
    version = 10;
  } else {
    return false;
  }
  return true;
}

// A byte of Beast's request-target: not a control, space or DEL.
bool IsTargetByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte > 0x20 && byte != 0x7f;
}

// 1 to 18 decimal digits, which always fit in 64 bits; leading zeros allowed, as Beast allows them.
// Longer lengths are Beast's to check.
bool ParseContentLength(std::string_view text, std::optional<std::uint64_t>& out) {
  if (text.empty() || text.size() > 18) return false;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = value;
  return true;
}

// The fields from `p` through the head's final CRLF. `begin` is where the head starts.
bool ParseFields(const char* p, const char* begin, const char* end, Http1Head& out) {
  bool close = false;
  bool keep_alive = false;
  out.field_count = 0;
  out.content_length.reset();
  for (;;) {
    if (p >= end) return false;
    if (*p == '\r') {
      if (p + 1 >= end || p[1] != '\n') return false;
      out.size = static_cast<std::size_t>(p + 2 - begin);
      out.persistent = out.version == 11 ? !close : keep_alive;
      return true;
    }
    // field-name ":" OWS field-value OWS CRLF
    const char* colon = p;
    while (colon < end && IsTokenByte(*colon)) ++colon;
    if (colon == p || colon >= end || *colon != ':') return false;
    const std::string_view name(p, static_cast<std::size_t>(colon - p));
    const char* first = colon + 1;
    while (first < end && IsBlank(*first)) ++first;
    const char* const eol = ValueLineEnd(first, end);
    if (eol == nullptr) return false;
    // A line that starts with a blank continues the one before (obs-fold), which Beast joins
    // into one value: that takes a copy, so it is Beast's to do.
    const char* const next = eol + 2;
    if (next >= end || IsBlank(*next)) return false;
    const char* last = eol;
    while (last > first && IsBlank(last[-1])) --last;
    const std::string_view value(first, static_cast<std::size_t>(last - first));
    if (out.field_count == Http1Head::kMaxFields) return false;

    // The fields Beast's parser acts on (by its case-insensitive name lookup).
    switch (name.size()) {
      case 7:
        if (EqualsIgnoreCase(name, "Upgrade")) return false;
        break;
      case 10:
        if (EqualsIgnoreCase(name, "Connection")) {
          if (EqualsIgnoreCase(value, "close")) {
            close = true;
          } else if (EqualsIgnoreCase(value, "keep-alive")) {
            keep_alive = true;
          } else {
            return false;
          }
        }
        break;
      case 14:
        if (EqualsIgnoreCase(name, "Content-Length") &&
            (out.content_length || !ParseContentLength(value, out.content_length))) {
          return false;
        }
        break;
      case 16:
        if (EqualsIgnoreCase(name, "Proxy-Connection")) return false;
        break;
      case 17:
        if (EqualsIgnoreCase(name, "Transfer-Encoding")) return false;
        break;
      default:
        break;
    }
    out.fields[out.field_count++] = Http1Field{.name = name, .value = value};
    p = next;
  }
}

}  // namespace

bool ParseRequestHead(std::string_view bytes, std::size_t limit, Http1Head& out) {
  const char* const begin = bytes.data();
  // A head past the limit is never all there.
  const char* const end = begin + std::min(bytes.size(), limit);
  // method SP request-target SP HTTP-version CRLF
  const char* p = begin;
  while (p < end && IsTokenByte(*p)) ++p;
  if (p == begin || p >= end || *p != ' ') return false;
  out.method = std::string_view(begin, static_cast<std::size_t>(p - begin));
  const char* const target = ++p;
  while (p < end && IsTargetByte(*p)) ++p;
  if (p == target || p >= end || *p != ' ') return false;
  out.target = std::string_view(target, static_cast<std::size_t>(p - target));
  ++p;
  if (end - p < 10 || !ParseVersion(std::string_view(p, 8), out.version) || p[8] != '\r' ||
      p[9] != '\n') {
    return false;
  }
  out.status = 0;
  return ParseFields(p + 10, begin, end, out);
}

bool ParseResponseHead(std::string_view bytes, std::size_t limit, Http1Head& out) {
  const char* const begin = bytes.data();
  const char* const end = begin + std::min(bytes.size(), limit);
  // HTTP-version SP 3DIGIT SP reason-phrase CRLF: the reason may be empty, its space may not.
  if (end - begin < 13 || !ParseVersion(std::string_view(begin, 8), out.version) ||
      begin[8] != ' ' || begin[12] != ' ') {
    return false;
  }
  unsigned status = 0;
  for (const char* digit = begin + 9; digit < begin + 12; ++digit) {
    if (*digit < '0' || *digit > '9') return false;
    status = status * 10 + static_cast<unsigned>(*digit - '0');
  }
  const char* const eol = ValueLineEnd(begin + 13, end);
  if (eol == nullptr) return false;
  out.status = status;
  out.method = {};
  out.target = {};
  return ParseFields(eol + 2, begin, end, out);
}

}  // namespace kauth::http
