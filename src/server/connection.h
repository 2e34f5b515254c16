// Connection: one accepted TCP connection served the way Go's net/http serves a connection for
// kube-apiserver: plain-HTTP detection, TLS handshake, then, when ALPN chose "h2", an
// Http2Session (http2_session.h); otherwise HTTP/1.1 requests read one at a time (keep-alive,
// pipelining-safe), each handed to the handler chain with a fresh RequestState, and each answer
// written before the next request is read.
//
// Every connection runs as coroutines (the serving one, and a watchdog that enforces its
// deadlines) on one single-threaded io_context, so its state needs no lock or strand. TLS is
// OpenSSL driven directly on the socket (tls_socket.h). The server keeps a weak reference to stop
// it at shutdown.
#ifndef KAUTH_SERVER_CONNECTION_H_
#define KAUTH_SERVER_CONNECTION_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <memory>

#include "http/handler.h"
#include "server/client_ca_names.h"
#include "server/server_options.h"

namespace kauth::server {

// What every connection shares. Owned by the server, which outlives all its connections.
struct ConnectionEnvironment {
  const ServerOptions& options;
  const http::Handler& handler;
  boost::asio::ssl::context& tls;
  const ClientCaNames& client_ca_names;
  // Set once the server shuts down: every response then closes its connection.
  const std::atomic<bool>& stopping;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Starts serving. Call once.
  virtual void Start() = 0;

  // Thread-safe. A connection between requests (or still in its TLS handshake) closes now; one
  // in the middle of a request closes after writing its response, with "Connection: close". An
  // HTTP/2 connection sends GOAWAY and closes once its streams in flight are answered.
  virtual void BeginShutdown() = 0;
};

// A connection over `socket`, whose executor must run on one thread at a time.
// `on_closed` runs exactly once, when the connection is gone: after it closed, or when the
// io_context is destroyed while it is suspended.
std::shared_ptr<Connection> MakeConnection(boost::asio::ip::tcp::socket socket,
                                           const ConnectionEnvironment& environment,
                                           std::function<void()> on_closed);

}  // namespace kauth::server

#endif  // KAUTH_SERVER_CONNECTION_H_
