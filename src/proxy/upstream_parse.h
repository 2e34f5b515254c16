// The parsing UpstreamClient does besides HTTP framing (proxy/response_parser.h): the --upstream
// URL, the --upstream-token-file contents, and which of an upstream response's header fields are
// passed on to the client. Apart from the client (and without Beast) so that the fuzz targets
// fuzz/upstream_options_fuzz.cc and fuzz/upstream_response_fuzz.cc reach this exact code.
//
// Pure functions; thread-safe.
#ifndef KAUTH_PROXY_UPSTREAM_PARSE_H_
#define KAUTH_PROXY_UPSTREAM_PARSE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "kauth/error.h"
#include "proxy/header_list.h"

namespace kauth::proxy {

struct UpstreamUrl {
  bool tls = false;
  std::string host;  // without brackets
  bool host_is_ip = false;
  std::uint16_t port = 0;
  std::string authority;    // host:port, an IPv6 address in brackets: for messages
  std::string host_header;  // the URL's host[:port] as written, as Go's Transport sends Host
  std::string base_path;    // "" or starting with '/'

  friend bool operator==(const UpstreamUrl&, const UpstreamUrl&) = default;
};

// --upstream: http://host[:port][/base/path] or https://... (scheme case-insensitive). No user
// info, query or fragment; an IPv6 address in brackets. host_header and base_path are written
// into every request head as they are, so the URL holds no control byte or space. Errors
// (`<url>` quoted as Go's %q does):
//   --upstream: <url>: <reason>
Result<UpstreamUrl> ParseUpstreamUrl(std::string_view url);

// The token in the contents of --upstream-token-file `path`: its first line, trimmed of white
// space. Errors (never quoting the contents: they are a credential):
//   --upstream-token-file: <path>: no token on its first line
//   --upstream-token-file: <path>: the token holds a control character and cannot be sent in a
//   header
Result<std::string> ParseUpstreamToken(std::string_view contents, const std::string& path);

// The fields of an upstream response head the client may see: `fields` minus hop-by-hop headers
// (RFC 9110 §7.6.1: Connection and every header it names, Keep-Alive, Proxy-Connection, TE,
// Trailer, Transfer-Encoding, Upgrade) and Content-Length (the server frames the body anew), in
// order. A 101 keeps Upgrade, which its Connection header names.
HeaderList ResponseHeaders(HeaderList fields, bool switching_protocols);

}  // namespace kauth::proxy

#endif  // KAUTH_PROXY_UPSTREAM_PARSE_H_
