// Go net/http's HTTP/1 server, as kube-apiserver clients see it: the exact bytes of the answers
// it writes before any handler runs, and the checks it makes on a request head. kauthd's server
// uses these so that a client talking to kauthd gets what it would get from kube-apiserver.
//
// Pure functions; thread-safe.
#ifndef KAUTH_SERVER_GO_HTTP1_H_
#define KAUTH_SERVER_GO_HTTP1_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kauth::server {

// Written on the raw TCP connection when a TLS port receives a plain HTTP request.
inline constexpr std::string_view kHttpOnHttpsPortResponse =
    "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";

// Go's tlsRecordHeaderLooksLikeHTTP: whether the first five bytes a client sent, which should be
// a TLS record header, are instead the start of a plain HTTP request.
bool LooksLikeHttpInsteadOfTls(std::string_view first_five_bytes);

// The answer Go writes, then closes the connection, when it cannot read a request:
//   HTTP/1.1 <code> <text>[: <detail>]\r\nContent-Type: text/plain; charset=utf-8\r\n
//   Connection: close\r\n\r\n<code> <text>[: <detail>]
// e.g. code 431 for a header over the limit, 400 without detail for malformed bytes, 400 with
// "missing required Host header", 505 with "unsupported protocol version".
std::string GoErrorResponse(unsigned code, std::string_view detail = {});

// Go's answer to a Transfer-Encoding other than a single "chunked": 501, body "Unsupported
// transfer encoding".
std::string GoUnsupportedTransferEncodingResponse();

// Go's http.StatusText; "" for a code it does not know.
std::string_view StatusText(unsigned code);
// The reason phrase Go writes in a status line: StatusText, or "status code <n>".
std::string ReasonPhrase(unsigned code);

// httpguts.ValidHostHeader: only bytes valid somewhere in a URI host and port.
bool ValidHostHeader(std::string_view host);
// httpguts.ValidHeaderFieldName and ValidHeaderFieldValue are in core/strings.h.

// Go's hasToken: whether the comma-separated header value contains `token`, ASCII
// case-insensitively (e.g. "100-continue" in Expect).
bool HeaderHasToken(std::string_view value, std::string_view token);

// Go's ParseHTTPVersion: "HTTP/<digit>.<digit>" as {major, minor}; nullopt otherwise.
std::optional<std::pair<int, int>> ParseHttpVersion(std::string_view text);

// Whether `request_line` (without CRLF) is well formed but names an HTTP version Go's HTTP/1
// server does not serve (major version other than 1): Go answers those with 505.
bool IsUnsupportedVersionRequestLine(std::string_view request_line);

// A request target as Go's url.ParseRequestURI accepts it, turned into the origin form (path and
// query) handlers see: "/path?query" as is, "*" as is, "http://host/path?q" as "/path?q", and for
// CONNECT an authority ("host:443") as is. nullopt when Go would answer 400.
std::optional<std::string> OriginFormTarget(std::string_view method, std::string_view target);

// The Date header's value, RFC 7231's IMF-fixdate as Go writes it:
// "Mon, 02 Jan 2006 15:04:05 GMT".
std::string HttpDate(std::chrono::system_clock::time_point time);
// HttpDate(now), formatted once a second per thread rather than per response. Valid on this
// thread until the next call.
std::string_view CachedHttpDate();

}  // namespace kauth::server

#endif  // KAUTH_SERVER_GO_HTTP1_H_
