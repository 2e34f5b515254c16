// The mapping between HTTP/2 header fields and kauthd's requests and responses, as Go's http2
// server makes it: what a request's fields become, and which fields a response may carry on the
// wire (RFC 9113 section 8.2: lower-case names, no connection-specific fields).
//
// Pure functions; thread-safe.
#ifndef KAUTH_SERVER_HTTP2_FIELDS_H_
#define KAUTH_SERVER_HTTP2_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kauth::server {

using HeaderFields = std::vector<std::pair<std::string, std::string>>;

// Fields RFC 9113 forbids in HTTP/2 (they manage an HTTP/1 connection): Connection, Keep-Alive,
// Proxy-Connection, Transfer-Encoding, Upgrade. Case-insensitive.
bool IsConnectionSpecificField(std::string_view name);

// HTTP/2 lets a client split Cookie into one field per cookie (RFC 9113 section 8.2.3); handlers
// expect the HTTP/1 form. Joins every "cookie" field into one, with "; ", where the first was.
void JoinCookieFields(HeaderFields& fields);

// A response head for the wire.
struct Http2ResponseHead {
  using Field = std::pair<std::string_view, std::string_view>;
  // ":status" first; then the handler's headers with names lower-cased, in order, minus invalid
  // names, connection-specific fields and content-length; then "date" (unless the handler set
  // one) and "content-length" (when `content_length` has a value). Values have CR and LF
  // replaced by spaces, as Go's server does. Views into `storage`, the handler's headers and the
  // date given: valid while all three are.
  std::vector<Field> fields;
  // The handler sent "Connection: close": Go's http2 server takes that as a request to shut the
  // connection down gracefully after this stream (and so does kauthd).
  bool close_requested = false;
  // What had to change (lower-cased names, rewritten values, the numbers). On the heap, so that
  // moving the head keeps the views valid.
  std::unique_ptr<char[]> storage;
  std::size_t storage_size = 0;  // bytes in `storage`
};

// `status` must be a final status (200-999); `content_length` is the body's length when it is
// known and a body is allowed (not for 204 or 304); `date` the Date value to add when the
// handler set none.
Http2ResponseHead MakeHttp2ResponseHead(unsigned status, const HeaderFields& headers,
                                        std::optional<std::uint64_t> content_length,
                                        std::string_view date);
// The same, made in `head` in place of what it held, reusing its memory: for a caller that makes
// one head after another and is done with each before the next.
void MakeHttp2ResponseHead(unsigned status, const HeaderFields& headers,
                           std::optional<std::uint64_t> content_length, std::string_view date,
                           Http2ResponseHead& head);

}  // namespace kauth::server

#endif  // KAUTH_SERVER_HTTP2_FIELDS_H_
