// Http2Session: one HTTP/2 connection (RFC 9113) served with nghttp2, for a client that chose
// "h2" in ALPN. It runs over an abstract byte transport (TLS in kauthd), never over Beast, and
// hands every stream to the same handler chain as HTTP/1.1, each in its own coroutine, with the
// limits and defences of kube-apiserver's Go http2 server (see Http2Options):
//
//   - SETTINGS_MAX_CONCURRENT_STREAMS from --http2-max-streams-per-connection; handlers a
//     connection runs at once are bounded by the same number, streams beyond it wait in a queue,
//     and a queue longer than four times it gets GOAWAY(ENHANCE_YOUR_CALM), as Go does;
//   - client stream resets drain a ResetRateLimiter: a rapid-reset flood gets
//     GOAWAY(ENHANCE_YOUR_CALM) and the connection closes;
//   - request bodies stream to the handler: flow-control windows reopen only as the handler reads,
//     so a slow handler slows its client and a stream buffers at most its window;
//   - a header list over max_header_bytes (plus Go's 320 bytes of per-field slack) gets Go's 431;
//   - a response with close_connection (R7.2/R7.3 for anonymous and failed HTTP/2 requests) or
//     "Connection: close" is answered, then the connection shuts down gracefully: GOAWAY(NO_ERROR)
//     naming the last stream started, the streams in flight finish, then it closes;
//   - BeginShutdown does the same for the server's graceful shutdown; an idle connection (no
//     stream for idle_timeout) too; a write that takes longer than io_timeout drops it.
//
// A 101 answer cannot be sent over HTTP/2 (Kubernetes clients use HTTP/1.1 for exec, attach and
// port-forward): it is logged as a handler bug and becomes a 500.
//
// Threads: everything, handlers included, runs on the executor given to Create (the connection's
// executor, one thread at a time); no method may be called from elsewhere.
#ifndef KAUTH_SERVER_HTTP2_SESSION_H_
#define KAUTH_SERVER_HTTP2_SESSION_H_

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "http/handler.h"
#include "kauth/authenticator.h"
#include "kauth/error.h"
#include "server/server_options.h"

// Same declaration as OpenSSL's <openssl/types.h>.
typedef struct x509_st X509;

namespace kauth::server {

// The connection under a session. One ReadSome and one Write may be outstanding at a time.
class Http2Transport {
 public:
  virtual ~Http2Transport() = default;
  // Reads some bytes into `buffer` (not empty): how many, 0 when the peer ended the stream.
  // Error when the transport broke, was closed, or the read was cancelled.
  virtual Awaitable<Result<std::size_t>> ReadSome(std::span<char> buffer) = 0;
  // Writes all of `data`. Error when the transport broke or was closed.
  virtual Awaitable<Result<void>> Write(std::string_view data) = 0;
  // Makes a pending ReadSome fail without closing anything: the session has written its last
  // frame and its owner closes the connection gracefully (TLS close_notify) after Run returns.
  virtual void CancelRead() = 0;
  // Closes at once: pending and later operations fail. Idempotent.
  virtual void Close() = 0;
};

// What a session borrows from its connection; all of it outlives the session.
struct Http2SessionContext {
  const ServerOptions& options;
  const http::Handler& handler;
  // Set once the server shuts down: every response then ends its connection.
  const std::atomic<bool>& stopping;
  // "ip:port" of the client, for requests and logs.
  std::string remote_address;
  // The client's certificate chain, leaf first (possibly empty).
  std::span<X509* const> peer_certificates;
};

class Http2Session {
 public:
  // A session on `executor` (the connection's) over `transport`, which must outlive it.
  static std::unique_ptr<Http2Session> Create(boost::asio::any_io_executor executor,
                                              Http2Transport& transport,
                                              Http2SessionContext context);
  virtual ~Http2Session() = default;

  // Sends the server's SETTINGS and serves until the connection is done: both sides said
  // goodbye, the client left, or a limit or timeout ended it. Returns once every handler it
  // started has finished, so the session may then be destroyed. A transport that is still open
  // afterwards (a graceful end) should be closed with TLS close_notify. Call once.
  virtual Awaitable<void> Run() = 0;

  // Graceful shutdown: GOAWAY(NO_ERROR) naming the last stream started; streams in flight
  // finish, then the connection closes. Idempotent; may come before Run.
  virtual void BeginShutdown() = 0;
};

}  // namespace kauth::server

#endif  // KAUTH_SERVER_HTTP2_SESSION_H_
