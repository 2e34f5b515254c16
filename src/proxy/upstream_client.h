// UpstreamClient: kauthd's HTTP/1.1 client to the one upstream it fronts (--upstream), with
// keep-alive connection pooling, TLS (SNI, hostname verification, --upstream-ca-file or the
// system roots), kauthd's own upstream credential (--proxy-client-cert-file/-key as the TLS
// client certificate, --upstream-token-file as a bearer token), and protocol upgrades.
//
// Bodies stream both ways: the request body is read from the client's BodySource while it is
// written upstream (Content-Length when the client declared one, chunked otherwise), and the
// response body is handed back as a BodySource over the upstream connection, which returns to
// the pool once that body was read to its end (a body abandoned midway closes its connection).
//
// Timeouts (--upstream-timeout): connecting (TCP and TLS), each write of the request, and the
// wait for the response head are bounded; reading the response body is not, so a watch that is
// quiet for minutes is never cut.
//
// Thread-safe: RoundTrip may be called concurrently from any server thread; each call uses the
// executor it runs on (sockets and timers are created on it), and a pooled connection may serve
// coroutines on different strands, one at a time. Idle pooled connections hold sockets of the
// io_context they were opened on: destroy the client (and every response body and tunnel it
// handed out) before that io_context.
#ifndef KAUTH_PROXY_UPSTREAM_CLIENT_H_
#define KAUTH_PROXY_UPSTREAM_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "http/body.h"
#include "http/byte_stream.h"
#include "kauth/authenticator.h"
#include "kauth/error.h"
#include "proxy/header_list.h"

namespace kauth::proxy {

struct UpstreamOptions {
  // --upstream: http://host[:port][/base/path] or https://...; a base path is prefixed to every
  // forwarded request's path. No user info, query or fragment.
  std::string url;
  // --upstream-ca-file: PEM roots for an https upstream; empty means the system's roots.
  std::string ca_file;
  // --proxy-client-cert-file / --proxy-client-key-file: kauthd's TLS client certificate
  // (both or neither).
  std::string client_cert_file;
  std::string client_key_file;
  // --upstream-token-file: a file whose first line is a bearer token kauthd sends as its own
  // Authorization (for impersonate mode against a kube-apiserver). Empty: none.
  std::string token_file;
  // --upstream-timeout.
  std::chrono::nanoseconds timeout = std::chrono::seconds(60);
  // Idle keep-alive connections kept per process.
  std::size_t max_idle_connections = 256;
};

struct UpstreamRequest {
  std::string method;
  // Origin-form target as the client sent it; the client prefixes the upstream's base path.
  std::string target;
  // Everything but Host, Content-Length, Transfer-Encoding and kauthd's Authorization, which the
  // client writes itself. For an upgrade, includes "Connection: Upgrade" and "Upgrade: <proto>".
  HeaderList headers;
  // Null: no body. Otherwise streamed as described in the file comment.
  http::BodySource* body = nullptr;
};

struct UpstreamResponse {
  unsigned status = 0;
  // As received, minus hop-by-hop headers (RFC 9110 §7.6.1: Connection and the headers it
  // names, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade) and
  // Content-Length (carried by body->length()). For a 101, Upgrade is kept.
  HeaderList headers;
  // The body (empty for HEAD, 1xx, 204, 304). Null for a 101.
  std::shared_ptr<http::BodySource> body;
  // A 101's switched connection (bytes the upstream sent after its head come first); null
  // otherwise.
  std::shared_ptr<http::ByteStream> tunnel;
};

enum class UpstreamFailure {
  kUnreachable,  // connect, TLS handshake or certificate verification failed
  kBroken,       // the connection failed or the upstream sent a malformed answer midway
  kTimeout,      // --upstream-timeout passed while connecting, writing, or waiting for the head
};

struct UpstreamError {
  UpstreamFailure failure = UpstreamFailure::kBroken;
  // For logs and the 502/504 message, e.g. "dial tcp 127.0.0.1:9: connection refused"; never
  // contains a credential.
  std::string message;
  // kTimeout: the limit that passed (--upstream-timeout), for the 504's message.
  std::chrono::nanoseconds timeout{0};
};

// Found through ADL when a RoundTrip result holding an error is read as a value: a programming
// error, thrown as std::logic_error with the message.
[[noreturn]] void throw_exception_from_error(const UpstreamError& error,
                                             const boost::source_location& location);

using UpstreamResult = boost::system::result<UpstreamResponse, UpstreamError>;

class UpstreamClient {
 public:
  // Errors, for the operator (one line, naming the flag):
  //   --upstream: "<url>": <reason>   (scheme other than http/https, no host, bad port, query...)
  //   --upstream-ca-file: <path>: <reason>
  //   --proxy-client-cert-file/--proxy-client-key-file: <reason>
  //   --upstream-token-file: <path>: <reason>   (unreadable, or no token on its first line)
  static Result<std::unique_ptr<UpstreamClient>> Create(UpstreamOptions options);

  virtual ~UpstreamClient() = default;

  // Sends `request` and returns the response head with its body to stream. A request with no
  // body, sent on a pooled connection that turns out to be closed by the upstream, is retried
  // once on a fresh connection.
  virtual Awaitable<UpstreamResult> RoundTrip(UpstreamRequest request) = 0;

  // Opens a fresh connection (TCP and, for https, the TLS handshake), then closes it: the /readyz
  // check. nullopt-like success, or why the upstream cannot be reached.
  virtual Awaitable<Result<void>> Probe() = 0;

  // "host:port" of the upstream, for messages.
  virtual const std::string& authority() const = 0;
};

}  // namespace kauth::proxy

#endif  // KAUTH_PROXY_UPSTREAM_CLIENT_H_
