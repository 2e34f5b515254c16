// HTTP/1.x heads of the common shape, parsed in one pass over bytes already received: the fast
// path in front of Beast's parser, which stays the reference for everything else.
//
// A head these functions take is one Beast's parser takes with the same start line, fields,
// Content-Length, persistence and size (fuzz/http1_head_fuzz.cc checks this on every input).
// Anything else they decline, and the caller parses the same bytes with Beast, which gives the
// answer, errors included. Declined:
//   - an incomplete head, or one longer than `limit` bytes;
//   - any byte Beast would refuse, and a bare LF;
//   - a folded (obs-fold) field line;
//   - a Transfer-Encoding, Upgrade or Proxy-Connection field;
//   - a Connection value other than one "close" or "keep-alive" token;
//   - a Content-Length other than one plain decimal of at most 18 digits, or given twice;
//   - more than Http1Head::kMaxFields fields.
// A declined head was scanned for nothing, and so is a whole head the caller cannot use this
// way (a request with a body, a large or streamed response): the common heads pay for those.
//
// Pure functions; thread-safe. The views point into the parsed bytes.
#ifndef KAUTH_HTTP_HTTP1_HEAD_H_
#define KAUTH_HTTP_HTTP1_HEAD_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace kauth::http {

struct Http1Field {
  std::string_view name;
  std::string_view value;  // without surrounding spaces and tabs
};

struct Http1Head {
  // Enough for what browsers, Go clients and nginx send; a head with more goes to Beast.
  static constexpr std::size_t kMaxFields = 32;

  std::string_view method;  // requests
  std::string_view target;  // requests
  unsigned status = 0;      // responses: any three digits
  unsigned version = 11;    // 10 or 11
  std::optional<std::uint64_t> content_length;
  // The connection may carry another message after this one, as the version and Connection say
  // (RFC 9112 §9.3; Beast's keep_alive()). A response whose body ends only with the connection
  // (no Content-Length, no chunked coding) cannot be followed whatever this says.
  bool persistent = false;
  // Bytes of the head, its final CRLF included.
  std::size_t size = 0;

  std::size_t field_count = 0;
  std::array<Http1Field, kMaxFields> fields;

  std::span<const Http1Field> Fields() const { return {fields.data(), field_count}; }
};

// A request head at the start of `bytes`: method SP target SP HTTP/1.x CRLF, fields, CRLF.
// False when declined (see above); `out` is then unspecified.
bool ParseRequestHead(std::string_view bytes, std::size_t limit, Http1Head& out);

// A response head at the start of `bytes`: HTTP/1.x SP three digits SP reason CRLF, fields, CRLF.
bool ParseResponseHead(std::string_view bytes, std::size_t limit, Http1Head& out);

}  // namespace kauth::http

#endif  // KAUTH_HTTP_HTTP1_HEAD_H_
