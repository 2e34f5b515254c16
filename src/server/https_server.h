// HttpsServer: kauthd's HTTPS listener. It serves HTTP/2 (ALPN "h2") and HTTP/1.1 over TLS
// 1.2/1.3 with the answers, limits and timeouts of kube-apiserver's Go server (see
// ServerOptions), and hands every request to one http::Handler: the handler chain
// (authentication filter, authorizer, built-in APIs).
//
// Threads: one event loop (io_context) per thread, each run by its own thread; the acceptor
// hands new connections to the loops in turn, and a connection's coroutines stay on its loop, so
// they need no strand and the loops share no queue (measured: a strand per connection cost ~8%
// of a request's instructions). The price is that a busy connection cannot move to an idle
// thread; with many connections per thread, round-robin balances them.
// Lifecycle: Create() binds and listens (clients may connect at once and wait in the listen
// queue); Run() serves until SIGTERM/SIGINT (when options.handle_signals) or Shutdown(); then the
// server stops accepting, closes idle keep-alive connections, lets requests in flight finish and
// write their responses (with "Connection: close") for up to shutdown_grace_period, and Run()
// returns. A second signal during the grace period makes Run() return at once. Run() is called
// once; destroying the server drops whatever is still open.
#ifndef KAUTH_SERVER_HTTPS_SERVER_H_
#define KAUTH_SERVER_HTTPS_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "http/handler.h"
#include "kauth/error.h"
#include "server/server_options.h"

namespace kauth::server {

class HttpsServer {
 public:
  // Loads or generates the serving certificate, builds the TLS context and listens on
  // bind_address:port. Errors (one line, for the operator):
  //   max connections must be at least 1
  //   server timeouts must be positive
  //   shutdown grace period must not be negative
  //   invalid bind address "<address>"
  //   failed to listen on <address>:<port>: <reason>
  //   a certificate error from ResolveServingCertificate / NewServerTlsContext
  static Result<std::unique_ptr<HttpsServer>> Create(ServerOptions options,
                                                     std::shared_ptr<const http::Handler> handler);

  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // The port listened on (the chosen one when options.port was 0).
  std::uint16_t port() const;
  // "<bind address>:<port>", e.g. "127.0.0.1:6443" or "[::]:6443".
  std::string address() const;

  // Serves on the calling thread and threads-1 more until shut down (see above).
  void Run();

  // Starts the graceful shutdown. Thread-safe; may be called before or during Run().
  void Shutdown();

 private:
  class Impl;
  explicit HttpsServer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace kauth::server

#endif  // KAUTH_SERVER_HTTPS_SERVER_H_
