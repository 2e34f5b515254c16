#include "server/server_test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <utility>

#include "core/strings.h"
#include "http/body.h"
#include "http/byte_stream.h"
#include "http/status.h"

extern char** environ;

namespace kauth::server::testing {
namespace {

using kauth::testing::CaSpec;
using kauth::testing::ClientSpec;
using kauth::testing::Issue;
using kauth::testing::IssuedCert;
using kauth::testing::SelfSign;
using kauth::testing::ServerSpec;
using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

// Waits for `events` on `fd` until `deadline`; false on timeout.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{.fd = fd, .events = events, .revents = 0};
    const int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string LeafCommonName(X509* cert) {
  char buffer[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buffer, sizeof(buffer));
  return buffer;
}

std::string Lower(std::string_view text) { return AsciiLower(text); }

}  // namespace

TestPki::TestPki()
    : server_ca(SelfSign(CaSpec("kauth-test-server-ca"))),
      server(Issue(ServerSpec("kauthd", {"localhost"}, {"127.0.0.1", "::1"}), server_ca)),
      client_ca(SelfSign(CaSpec("kauth-test-client-ca"))),
      jane(Issue(ClientSpec("jane", {"dev", "ops"}), client_ca)),
      intermediate(Issue(CaSpec("kauth-test-intermediate"), client_ca)),
      ivan(Issue(ClientSpec("ivan"), intermediate)),
      rogue_ca(SelfSign(CaSpec("rogue-ca"))),
      mallory(Issue(ClientSpec("mallory"), rogue_ca)) {
  server_ca_file = dir.WriteFile("server-ca.crt", server_ca.CertPem()).string();
  server_cert_file = dir.WriteFile("server.crt", server.CertPem()).string();
  server_key_file = dir.WriteFile("server.key", server.KeyPem()).string();
  client_ca_file = dir.WriteFile("client-ca.crt", client_ca.CertPem()).string();
  jane_cert_file = dir.WriteFile("jane.crt", jane.CertPem()).string();
  jane_key_file = dir.WriteFile("jane.key", jane.KeyPem()).string();
  ivan_chain_file = dir.WriteFile("ivan.crt", ivan.CertPem() + intermediate.CertPem()).string();
  ivan_key_file = dir.WriteFile("ivan.key", ivan.KeyPem()).string();
  mallory_cert_file = dir.WriteFile("mallory.crt", mallory.CertPem()).string();
  mallory_key_file = dir.WriteFile("mallory.key", mallory.KeyPem()).string();
  client_ca_bundle = CaBundle::FromPem(client_ca.CertPem(), "client-ca-bundle::test").value();
}

SwappableCaProvider::SwappableCaProvider(std::shared_ptr<const CaBundle> bundle)
    : bundle_(std::move(bundle)) {}

std::shared_ptr<const CaBundle> SwappableCaProvider::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bundle_;
}

void SwappableCaProvider::Set(std::shared_ptr<const CaBundle> bundle) {
  std::lock_guard<std::mutex> lock(mu_);
  bundle_ = std::move(bundle);
}

EchoHandler::EchoHandler(std::shared_ptr<const RequestAuthenticator> authenticator)
    : authenticator_(std::move(authenticator)) {}

namespace {

// /stream's body: `pieces` pieces of `size` bytes ('a', 'b', ...), `delay` apart; a declared
// length when asked; fails after `fail_after` pieces when set.
class PiecesBody final : public http::BodySource {
 public:
  PiecesBody(int pieces, std::size_t size, std::chrono::milliseconds delay, bool declare_length,
             int fail_after)
      : pieces_(pieces),
        size_(size),
        delay_(delay),
        declare_length_(declare_length),
        fail_after_(fail_after) {}

  Awaitable<Result<std::string_view>> Read() override {
    if (sent_ == fail_after_) co_return Error{"test stream failed"};
    if (sent_ == pieces_) co_return std::string_view();
    if (sent_ > 0 && delay_.count() > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay_);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    piece_.assign(size_, static_cast<char>('a' + sent_ % 26));
    ++sent_;
    co_return std::string_view(piece_);
  }
  std::optional<std::uint64_t> length() const override {
    if (!declare_length_) return std::nullopt;
    return static_cast<std::uint64_t>(pieces_) * size_;
  }

 private:
  int pieces_;
  std::size_t size_;
  std::chrono::milliseconds delay_;
  bool declare_length_;
  int fail_after_;
  int sent_ = 0;
  std::string piece_;
};

http::ServerResponse StreamResponse(const http::ServerRequest& request) {
  auto number = [&request](std::string_view name, int fallback) {
    const std::optional<std::string> value = request.QueryParam(name);
    return value ? std::stoi(*value) : fallback;
  };
  http::ServerResponse response;
  response.AddHeader("Content-Type", "text/plain");
  response.stream = std::make_shared<PiecesBody>(
      number("pieces", 3), static_cast<std::size_t>(number("size", 5)),
      std::chrono::milliseconds(number("delay", 0)), number("length", 0) != 0, number("fail", -1));
  return response;
}

// 101, then every byte the client sends comes back until it stops.
http::ServerResponse UpgradeResponse() {
  http::ServerResponse response{.status = 101};
  response.AddHeader("Upgrade", "echo-test");
  response.upgrade = [](http::ByteStream& client) -> Awaitable<void> {
    std::array<char, 4096> buffer;
    for (;;) {
      Result<std::size_t> n = co_await client.ReadSome(buffer);
      if (!n || *n == 0) break;
      if (!co_await client.Write(std::string_view(buffer.data(), *n))) break;
    }
    client.Close();
  };
  return response;
}

}  // namespace

bool EchoHandler::HandlesInline(const http::ServerRequest& request) const {
  return authenticator_ == nullptr && request.path().starts_with("/inline");
}

http::ServerResponse EchoHandler::HandleInline(http::ServerRequest& request,
                                               http::RequestState& state) const {
  if (request.path() == "/inline-throw") throw std::runtime_error("inline boom");
  http::ServerResponse response;
  response.AddHeader("Content-Type", "text/plain; charset=utf-8");
  response.AddHeader("X-Echo-Protocol",
                     request.protocol() == http::Protocol::kHttp2 ? "HTTP/2" : "HTTP/1.1");
  response.body = "inline method=" + request.method() + "\ntarget=" + request.target() + "\n";
  if (request.Header("Audit-ID")) response.body += "audit=" + state.audit_id + "\n";
  return response;
}

Awaitable<http::ServerResponse> EchoHandler::Handle(http::ServerRequest& request,
                                                    http::RequestState& state) const {
  if (HandlesInline(request)) co_return HandleInline(request, state);
  http::ServerResponse response;
  response.AddHeader("Content-Type", "text/plain; charset=utf-8");
  response.AddHeader("X-Echo-Protocol",
                     request.protocol() == http::Protocol::kHttp2 ? "HTTP/2" : "HTTP/1.1");
  if (request.QueryParam("audit-header") == "1") response.AddHeader("Audit-Id", state.audit_id);
  const std::string path(request.path());
  if (path == "/throw") throw std::runtime_error("boom");
  if (path == "/status") {
    response.status = static_cast<unsigned>(std::stoi(request.QueryParam("code").value_or("200")));
    response.body = "x";
    co_return response;
  }
  if (path == "/slow") {
    ++slow_started;
    const int ms = std::stoi(request.QueryParam("ms").value_or("100"));
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                    std::chrono::milliseconds(ms));
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    ++slow_finished;
  }
  if (path == "/close") response.close_connection = true;
  if (path == "/stream") co_return StreamResponse(request);
  if (path == "/upgrade") co_return UpgradeResponse();

  std::string request_body;
  if (path != "/noread") {
    http::BodyReadResult read = co_await request.ReadBody();
    if (read.outcome == http::BodyReadResult::Outcome::kTooLarge) {
      http::ServerResponse too_large =
          http::StatusResponse(request, http::EntityTooLargeStatus(request.body_limit()));
      too_large.close_connection = true;
      co_return too_large;
    }
    if (read.outcome == http::BodyReadResult::Outcome::kBroken) {
      response.status = 400;
      response.body = read.error;
      co_return response;
    }
    request_body = std::move(read.body);
  }

  std::string body;
  body += "method=" + request.method() + "\n";
  body += "target=" + request.target() + "\n";
  body += "path=" + path + "\n";
  body += std::string("tls=") + (request.is_tls() ? "true" : "false") + "\n";
  const auto certs = request.peer_certificates();
  body += "certs=" + std::to_string(certs.size()) + "\n";
  body += "cn=" + (certs.empty() ? std::string() : LeafCommonName(certs[0])) + "\n";
  body += "audit=" + state.audit_id + "\n";
  body += "remote=" + request.remote_address() + "\n";
  body += "body=" + request_body + "\n";
  request.ForEachHeader([&body](std::string_view name, std::string_view value) {
    body += "header ";
    body += name;
    body += ": ";
    body += value;
    body += "\n";
  });
  if (authenticator_ != nullptr) {
    AuthResult result = co_await authenticator_->Authenticate(request, state.auth);
    if (result.rejected()) {
      response.status = 401;
      response.body = "rejected: " + result.error().message();
      co_return response;
    }
    body += "user=" + (result.authenticated() ? result.response().user.name : "") + "\n";
  }
  response.body = std::move(body);
  co_return response;
}

ServerOptions TestServerOptions(const TestPki& pki) {
  ServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.certificate =
      ServingCertificate{.cert_file = pki.server_cert_file, .key_file = pki.server_key_file};
  options.threads = 2;
  options.handle_signals = false;
  return options;
}

std::unique_ptr<RunningServer> RunningServer::Start(ServerOptions options,
                                                    std::shared_ptr<const http::Handler> handler) {
  Result<std::unique_ptr<HttpsServer>> created =
      HttpsServer::Create(std::move(options), std::move(handler));
  if (!created) {
    ADD_FAILURE() << "HttpsServer::Create: " << created.error().message;
    return nullptr;
  }
  std::unique_ptr<RunningServer> running(new RunningServer());
  running->server_ = std::move(*created);
  running->port_ = running->server_->port();
  running->thread_ = std::thread([raw = running.get()] {
    raw->server_->Run();
    raw->exited_ = true;
  });
  return running;
}

RunningServer::~RunningServer() {
  if (thread_.joinable()) Stop();
}

std::chrono::milliseconds RunningServer::Stop() {
  const auto start = Clock::now();
  server_->Shutdown();
  if (thread_.joinable()) thread_.join();
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

bool RunningServer::WaitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!exited_ && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  if (!exited_) return false;
  thread_.join();
  return true;
}

int ConnectTcp(std::uint16_t port) {
  // Writing to a connection the server closed must fail, not kill the test process.
  ::signal(SIGPIPE, SIG_IGN);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

std::string ReadFdUntilClose(int fd, std::chrono::milliseconds timeout, bool* closed) {
  const auto deadline = Clock::now() + timeout;
  std::string out;
  if (closed != nullptr) *closed = false;
  char buffer[16384];
  while (WaitFor(fd, POLLIN, deadline)) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (closed != nullptr) *closed = true;
    break;
  }
  return out;
}

std::string PlainExchange(std::uint16_t port, std::string_view data,
                          std::chrono::milliseconds timeout) {
  const int fd = ConnectTcp(port);
  if (fd < 0) return "<connect failed>";
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::send(fd, data.data() + written, data.size() - written, MSG_NOSIGNAL);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  std::string out = ReadFdUntilClose(fd, timeout);
  ::close(fd);
  return out;
}

std::unique_ptr<TlsClient> TlsClient::Connect(std::uint16_t port, const ClientOptions& options,
                                              std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::unique_ptr<TlsClient> client(new TlsClient());
  client->fd_ = ConnectTcp(port);
  if (client->fd_ < 0) return nullptr;
  ::fcntl(client->fd_, F_SETFL, ::fcntl(client->fd_, F_GETFL) | O_NONBLOCK);
  client->ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX* ctx = client->ctx_;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(ctx, options.max_version);
  if (options.certificate != nullptr) {
    SSL_CTX_use_certificate(ctx, options.certificate->get());
    SSL_CTX_use_PrivateKey(ctx, options.certificate->key.get());
    for (const IssuedCert* extra : options.chain) SSL_CTX_add1_chain_cert(ctx, extra->get());
  }
  if (!options.alpn.empty()) {
    std::string wire;
    for (const std::string& protocol : options.alpn) {
      wire.push_back(static_cast<char>(protocol.size()));
      wire += protocol;
    }
    SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned int>(wire.size()));
  }
  client->ssl_ = SSL_new(ctx);
  SSL_set_fd(client->ssl_, client->fd_);
  if (options.session != nullptr) SSL_set_session(client->ssl_, options.session);
  if (!options.server_name.empty()) {
    // SSL_set_tlsext_host_name's expansion, without its C cast.
    SSL_ctrl(client->ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(options.server_name.c_str()));
  }
  for (;;) {
    const int rc = SSL_connect(client->ssl_);
    if (rc == 1) break;
    const int error = SSL_get_error(client->ssl_, rc);
    short events = 0;
    if (error == SSL_ERROR_WANT_READ) events = POLLIN;
    if (error == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    if (events == 0 || !WaitFor(client->fd_, events, deadline)) {
      ERR_clear_error();
      return nullptr;
    }
  }
  return client;
}

TlsClient::~TlsClient() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

SSL_SESSION* TlsClient::session() const { return SSL_get_session(ssl_); }

bool TlsClient::resumed() const { return SSL_session_reused(ssl_) == 1; }

std::string TlsClient::PeerCommonName() const {
  X509* peer = SSL_get1_peer_certificate(ssl_);
  if (peer == nullptr) return "";
  char buffer[256] = {};
  const int length = X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buffer,
                                               sizeof(buffer));
  X509_free(peer);
  return length > 0 ? std::string(buffer, static_cast<std::size_t>(length)) : "";
}

std::string TlsClient::alpn_selected() const {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_, &data, &length);
  return std::string(reinterpret_cast<const char*>(data), length);
}

bool TlsClient::Write(std::string_view data, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t written = 0;
  while (written < data.size()) {
    const int chunk = static_cast<int>(std::min<std::size_t>(data.size() - written, 16384));
    const int rc = SSL_write(ssl_, data.data() + written, chunk);
    if (rc > 0) {
      written += static_cast<std::size_t>(rc);
      continue;
    }
    const int error = SSL_get_error(ssl_, rc);
    short events = 0;
    if (error == SSL_ERROR_WANT_READ) events = POLLIN;
    if (error == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    if (events == 0 || !WaitFor(fd_, events, deadline)) {
      ERR_clear_error();
      return false;
    }
  }
  return true;
}

bool TlsClient::Fill(Clock::time_point deadline) {
  if (eof_) return false;
  char buffer[16384];
  for (;;) {
    const int rc = SSL_read(ssl_, buffer, sizeof(buffer));
    if (rc > 0) {
      pending_.append(buffer, static_cast<std::size_t>(rc));
      return true;
    }
    const int error = SSL_get_error(ssl_, rc);
    if (error == SSL_ERROR_WANT_READ) {
      if (!WaitFor(fd_, POLLIN, deadline)) return false;
      continue;
    }
    if (error == SSL_ERROR_WANT_WRITE) {
      if (!WaitFor(fd_, POLLOUT, deadline)) return false;
      continue;
    }
    // close_notify, a TCP close or a reset.
    ERR_clear_error();
    eof_ = true;
    return false;
  }
}

std::string TlsClient::ReadResponse(std::chrono::milliseconds timeout, bool head_request) {
  const auto deadline = Clock::now() + timeout;
  std::size_t head_end;
  while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline)) {
      std::string partial = std::move(pending_);
      pending_.clear();
      return partial;
    }
  }
  head_end += 4;
  const std::string head = pending_.substr(0, head_end);
  const std::string status = StatusLine(head);
  const std::string code = status.size() >= 12 ? status.substr(9, 3) : "";
  const std::string length = ResponseHeader(head, "Content-Length");
  std::size_t total = head_end;
  if (head_request || code.starts_with('1') || code == "204" || code == "304") {
    // No body.
  } else if (!length.empty()) {
    total += static_cast<std::size_t>(std::stoull(length));
  } else {
    while (Fill(deadline)) {
    }
    total = pending_.size();
  }
  while (pending_.size() < total && Fill(deadline)) {
  }
  std::string response = pending_.substr(0, std::min(total, pending_.size()));
  pending_.erase(0, response.size());
  return response;
}

std::string TlsClient::ReadUntilClose(std::chrono::milliseconds timeout, bool* closed) {
  const auto deadline = Clock::now() + timeout;
  while (Fill(deadline)) {
  }
  if (closed != nullptr) *closed = eof_;
  std::string out = std::move(pending_);
  pending_.clear();
  return out;
}

std::string TlsClient::ReadUntil(std::string_view marker, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t found = pending_.find(marker);
  while (found == std::string::npos && Fill(deadline)) found = pending_.find(marker);
  if (found == std::string::npos) return {};
  std::string out = pending_.substr(0, found + marker.size());
  pending_.erase(0, found + marker.size());
  return out;
}

std::string TlsClient::ReadSome(std::chrono::milliseconds timeout) {
  if (pending_.empty()) Fill(Clock::now() + timeout);
  return std::exchange(pending_, std::string());
}

std::string TlsClient::Exchange(std::string_view data, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t written = 0;
  bool writing = true;
  char buffer[16384];
  while (!eof_ && Clock::now() < deadline) {
    bool progressed = false;
    if (writing && written < data.size()) {
      const int chunk = static_cast<int>(std::min<std::size_t>(data.size() - written, 16384));
      const int rc = SSL_write(ssl_, data.data() + written, chunk);
      if (rc > 0) {
        written += static_cast<std::size_t>(rc);
        progressed = true;
      } else {
        const int error = SSL_get_error(ssl_, rc);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
          // The server stopped reading and closed; what it wrote is still readable.
          ERR_clear_error();
          writing = false;
        }
      }
    }
    const int rc = SSL_read(ssl_, buffer, sizeof(buffer));
    if (rc > 0) {
      pending_.append(buffer, static_cast<std::size_t>(rc));
      progressed = true;
    } else {
      const int error = SSL_get_error(ssl_, rc);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        eof_ = true;
      }
    }
    if (!progressed && !eof_) {
      const bool want_write = writing && written < data.size();
      WaitFor(fd_, static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)),
              std::min(deadline, Clock::now() + 50ms));
    }
  }
  std::string out = std::move(pending_);
  pending_.clear();
  return out;
}

std::string ResponseHeader(std::string_view response, std::string_view name) {
  const std::size_t head_end = response.find("\r\n\r\n");
  const std::string_view head = response.substr(0, head_end);
  std::size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at < head.size()) {
    const std::size_t start = at + 2;
    const std::size_t end = std::min(head.find("\r\n", start), head.size());
    const std::string_view line = head.substr(start, end - start);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && Lower(line.substr(0, colon)) == Lower(name)) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    at = end;
  }
  return {};
}

std::string ResponseBody(std::string_view response) {
  const std::size_t head_end = response.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return {};
  return std::string(response.substr(head_end + 4));
}

std::string StatusLine(std::string_view response) {
  return std::string(response.substr(0, response.find("\r\n")));
}

bool HaveTool(std::string_view tool) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  for (std::string_view dir : Split(path, ':')) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / tool;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

CommandResult RunCommand(const std::vector<std::string>& argv, std::string_view input,
                         std::chrono::milliseconds timeout) {
  CommandResult result;
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawned != 0) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    result.err = "posix_spawnp failed";
    return result;
  }
  std::size_t written = 0;
  if (input.empty()) {
    ::close(in_pipe[1]);
    in_pipe[1] = -1;
  } else {
    ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  }
  const auto deadline = Clock::now() + timeout;
  bool out_open = true, err_open = true;
  char buffer[16384];
  while ((out_open || err_open) && Clock::now() < deadline) {
    pollfd fds[3];
    nfds_t count = 0;
    if (out_open) fds[count++] = {.fd = out_pipe[0], .events = POLLIN, .revents = 0};
    if (err_open) fds[count++] = {.fd = err_pipe[0], .events = POLLIN, .revents = 0};
    if (in_pipe[1] >= 0) fds[count++] = {.fd = in_pipe[1], .events = POLLOUT, .revents = 0};
    if (::poll(fds, count, RemainingMs(deadline)) <= 0) continue;
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_pipe[1]) {
        const ssize_t n = ::write(in_pipe[1], input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 || written == input.size()) {
          ::close(in_pipe[1]);
          in_pipe[1] = -1;
        }
        continue;
      }
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      std::string& sink = fds[i].fd == out_pipe[0] ? result.out : result.err;
      if (n > 0) {
        sink.append(buffer, static_cast<std::size_t>(n));
      } else {
        (fds[i].fd == out_pipe[0] ? out_open : err_open) = false;
      }
    }
  }
  if (in_pipe[1] >= 0) ::close(in_pipe[1]);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (out_open || err_open) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::size_t RaiseOpenFileLimit(std::size_t wanted) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min<rlim_t>(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace kauth::server::testing
