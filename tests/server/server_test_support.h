// Test support for kauthd's HTTPS server: a test PKI on disk, an echo handler, a server running
// on its own thread, a blocking OpenSSL client for byte-exact exchanges, and a runner for real
// clients (curl, openssl s_client).
#ifndef KAUTH_TESTS_SERVER_SERVER_TEST_SUPPORT_H_
#define KAUTH_TESTS_SERVER_SERVER_TEST_SUPPORT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/handler.h"
#include "kauth/authenticator.h"
#include "kauth/x509.h"
#include "server/https_server.h"
#include "testing/cert_factory.h"

// Same declaration as OpenSSL's <openssl/types.h>.
typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_session_st SSL_SESSION;

namespace kauth::server::testing {

using namespace std::chrono_literals;

// Certificates written to a temporary directory:
//   server CA -> serving certificate for 127.0.0.1, ::1 and localhost;
//   client CA -> "jane" (O=dev, O=ops); client CA -> intermediate -> "ivan";
//   an unrelated CA -> "mallory" (untrusted).
struct TestPki {
  TestPki();

  kauth::testing::TempDir dir;
  kauth::testing::IssuedCert server_ca;
  kauth::testing::IssuedCert server;
  kauth::testing::IssuedCert client_ca;
  kauth::testing::IssuedCert jane;
  kauth::testing::IssuedCert intermediate;
  kauth::testing::IssuedCert ivan;
  kauth::testing::IssuedCert rogue_ca;
  kauth::testing::IssuedCert mallory;

  std::string server_ca_file;
  std::string server_cert_file;
  std::string server_key_file;
  std::string client_ca_file;
  std::string jane_cert_file;
  std::string jane_key_file;
  std::string ivan_chain_file;  // ivan, then the intermediate
  std::string ivan_key_file;
  std::string mallory_cert_file;
  std::string mallory_key_file;

  std::shared_ptr<const CaBundle> client_ca_bundle;
};

// A CaBundleProvider whose bundle tests swap (R5.7).
class SwappableCaProvider final : public CaBundleProvider {
 public:
  explicit SwappableCaProvider(std::shared_ptr<const CaBundle> bundle);
  std::shared_ptr<const CaBundle> Current() const override;
  void Set(std::shared_ptr<const CaBundle> bundle);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const CaBundle> bundle_;
};

// Answers every request with 200 and a text body describing what the server handed over:
//
//   method=GET
//   target=/echo?x=1
//   path=/echo
//   tls=true
//   certs=<peer certificates>
//   cn=<leaf CN>
//   audit=<RequestState::audit_id>
//   remote=<address>
//   body=<body>
//   header <name>: <value>      (one line per header, in order)
//
// and the response header "X-Echo-Protocol: HTTP/1.1" or "HTTP/2" (ServerRequest::protocol),
// plus "Audit-Id: <audit id>" when the query has audit-header=1.
//
// With an authenticator, it first authenticates: "user=<name>" is added, or the answer is 401
// with body "rejected: <error>" (as the authentication filter would refuse).
// Special paths: /slow?ms=N waits N ms first (counting in slow_started/slow_finished); /throw
// throws; /close asks for the connection to close; /status?code=N answers N with body "x";
// /noread answers without reading the body; /stream?pieces=N&size=S&delay=MS&length=0|1&fail=K
// streams N pieces of S bytes ('a', 'b', ...) MS apart, with a declared length when length=1,
// failing after K pieces when fail is set; /upgrade answers 101 (Upgrade: echo-test) and echoes
// the tunnel's bytes. Other paths read the body (413 Status over the request's limit).
// Paths under /inline answer inline (HandlesInline) with "inline method=<method>\ntarget=
// <target>\n" (and "audit=<audit id>\n" when the client sent an Audit-ID), without reading the
// body; /inline-throw throws from HandleInline.
class EchoHandler final : public http::Handler {
 public:
  explicit EchoHandler(std::shared_ptr<const RequestAuthenticator> authenticator = nullptr);
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;
  bool HandlesInline(const http::ServerRequest& request) const override;
  http::ServerResponse HandleInline(http::ServerRequest& request,
                                    http::RequestState& state) const override;

  mutable std::atomic<int> slow_started{0};
  mutable std::atomic<int> slow_finished{0};

 private:
  std::shared_ptr<const RequestAuthenticator> authenticator_;
};

// Options for a test server on 127.0.0.1, an ephemeral port, the PKI's serving certificate, two
// threads, signals not handled.
ServerOptions TestServerOptions(const TestPki& pki);

// An HttpsServer running on its own thread.
class RunningServer {
 public:
  // Fails the test (and returns null) when Create fails.
  static std::unique_ptr<RunningServer> Start(ServerOptions options,
                                              std::shared_ptr<const http::Handler> handler);
  ~RunningServer();

  std::uint16_t port() const { return port_; }
  HttpsServer& server() { return *server_; }
  // Shutdown() and wait for Run() to return; returns how long that took.
  std::chrono::milliseconds Stop();
  // Waits for Run() to return on its own (after a signal); false on timeout.
  bool WaitForExit(std::chrono::milliseconds timeout);

 private:
  std::unique_ptr<HttpsServer> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> exited_{false};
};

struct ClientOptions {
  // TLS1_2_VERSION / TLS1_3_VERSION; 0 for OpenSSL's maximum.
  int max_version = 0;
  const kauth::testing::IssuedCert* certificate = nullptr;
  std::vector<const kauth::testing::IssuedCert*> chain;  // sent after the certificate
  // ALPN protocols offered; empty offers none.
  std::vector<std::string> alpn;
  // A session to resume (from TlsClient::session()); borrowed.
  SSL_SESSION* session = nullptr;
  // The SNI server name sent; empty sends none.
  std::string server_name;
};

// A blocking TLS client over a non-blocking socket: every call has a deadline, and Exchange
// writes and reads at once, so a server that answers before reading everything is seen.
// The server's certificate is not verified (these tests are about the server's bytes).
class TlsClient {
 public:
  // Null when the TCP connect or the handshake fails.
  static std::unique_ptr<TlsClient> Connect(std::uint16_t port, const ClientOptions& options = {},
                                            std::chrono::milliseconds timeout = 10s);
  ~TlsClient();

  bool Write(std::string_view data, std::chrono::milliseconds timeout = 10s);
  // One HTTP response: the head, then Content-Length bytes (or, without one, everything until the
  // connection closes; 1xx, 204 and 304 have no body, nor has the answer to a HEAD request).
  // "" when the connection closed first.
  std::string ReadResponse(std::chrono::milliseconds timeout = 10s, bool head_request = false);
  // Everything until the server closes; `closed` tells whether it did before the timeout.
  std::string ReadUntilClose(std::chrono::milliseconds timeout, bool* closed = nullptr);
  // Everything up to and including the first `marker` (which stays unread past it); "" when the
  // connection closed or the timeout passed first.
  std::string ReadUntil(std::string_view marker, std::chrono::milliseconds timeout = 10s);
  // Writes `data` while reading, then reads until the server closes.
  std::string Exchange(std::string_view data, std::chrono::milliseconds timeout = 10s);
  // What is buffered, or else whatever arrives next (one TLS read); "" when the connection
  // closed (see eof()) or the timeout passed first.
  std::string ReadSome(std::chrono::milliseconds timeout);
  // The server closed the connection (close_notify, FIN or reset).
  bool eof() const { return eof_; }

  SSL* ssl() const { return ssl_; }
  // The server's leaf certificate's subject CN ("" without one).
  std::string PeerCommonName() const;
  // The session to resume on the next connection (owned by this client); null before the server
  // sent one (TLS 1.3 sends its tickets after the handshake: read a response first).
  SSL_SESSION* session() const;
  bool resumed() const;
  std::string alpn_selected() const;
  int fd() const { return fd_; }

 private:
  TlsClient() = default;
  // Reads what is available into pending_; false on close or error.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string pending_;
  bool eof_ = false;
};

// Plain TCP.
int ConnectTcp(std::uint16_t port);
// Writes `data` on a plain TCP connection and reads until the server closes.
std::string PlainExchange(std::uint16_t port, std::string_view data,
                          std::chrono::milliseconds timeout = 10s);
// Reads from `fd` until EOF or error; `closed` tells whether that happened before the timeout.
std::string ReadFdUntilClose(int fd, std::chrono::milliseconds timeout, bool* closed = nullptr);

// A header value from a response head ("" when absent), matched case-insensitively.
std::string ResponseHeader(std::string_view response, std::string_view name);
// The body after the head.
std::string ResponseBody(std::string_view response);
// The status line.
std::string StatusLine(std::string_view response);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs argv[0] from PATH with stdin = `input`, capturing stdout and stderr.
CommandResult RunCommand(const std::vector<std::string>& argv, std::string_view input = {},
                         std::chrono::milliseconds timeout = 60s);
// Whether `tool` is on PATH.
bool HaveTool(std::string_view tool);

// Raises the open-file limit to `wanted` (or the hard limit); returns the new soft limit.
std::size_t RaiseOpenFileLimit(std::size_t wanted);

}  // namespace kauth::server::testing

#endif  // KAUTH_TESTS_SERVER_SERVER_TEST_SUPPORT_H_
