// With response_parser.cc, the only translation units of kauth_upstream that include Beast (its
// HTTP parser and flat_buffer; ~20 s and 0.8 GB to compile). The streams are plain Asio sockets
// and asio::ssl streams: Beast's tcp_stream runs its timeout handler on the executor the socket
// was created on, which races with a later user of a pooled connection on another strand, so
// deadlines here (ExchangeDeadline) run on the executor of the coroutine that waits, kept with
// the connection while it stays on that thread.
#include "proxy/upstream_client.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "core/strings.h"
#include "proxy/response_parser.h"
#include "proxy/upstream_parse.h"

namespace kauth::proxy {

void throw_exception_from_error(const UpstreamError& error,
                                const boost::source_location& /*location*/) {
  throw std::logic_error(error.message);
}

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using IoResult = std::tuple<error_code, std::size_t>;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// One read's worth. Also the most body bytes a connection holds at once: a response body is
// handed on piece by piece, so a 1 GiB download costs this much memory, not a gigabyte.
constexpr std::size_t kReadBytes = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Texts in the style of Go's net and net/http errors, which operators know from kube-apiserver.

// Go's syscall errors are strerror's text in lower case ("connection refused").
std::string GoErrorText(const error_code& ec) {
  if (ec == asio::error::eof) return "EOF";
  if (ec == ssl::error::stream_truncated) return "unexpected EOF";
  std::string text = ec.message();
  if (ec.category() == boost::system::system_category() && !text.empty()) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return text;
}

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  const std::string port = std::to_string(endpoint.port());
  if (endpoint.address().is_v6()) return "[" + endpoint.address().to_string() + "]:" + port;
  return endpoint.address().to_string() + ":" + port;
}

// OpenSSL's error queue as one line, drained.
std::string OpenSslErrorText() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> text;
    ERR_error_string_n(code, text.data(), text.size());
    if (!out.empty()) out += "; ";
    out += text.data();
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

std::string ErrnoText(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// ---------------------------------------------------------------------------------------------
// --upstream

// Go's httputil singleJoiningSlash, as NewSingleHostReverseProxy joins the upstream's path and
// the request's: exactly one '/' between them. The query stays the client's.
std::string JoinTarget(std::string_view base_path, std::string_view target) {
  if (base_path.empty()) return std::string(target);
  const std::size_t query = target.find('?');
  const std::string_view path = target.substr(0, query);
  const std::string_view rest =
      query == std::string_view::npos ? std::string_view() : target.substr(query);
  const bool base_slash = base_path.back() == '/';
  const bool path_slash = !path.empty() && path.front() == '/';
  std::string joined(base_path);
  if (base_slash && path_slash) {
    joined.append(path.substr(1));
  } else if (!base_slash && !path_slash) {
    joined += '/';
    joined.append(path);
  } else {
    joined.append(path);
  }
  joined.append(rest);
  return joined;
}

// ---------------------------------------------------------------------------------------------
// Start-up files

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"open " + path + ": " + ErrnoText(errno)};
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return Error{"read " + path + ": " + ErrnoText(errno)};
  return Result<std::string>(boost::system::in_place_value, contents.str());
}

Result<std::string> LoadToken(const std::string& path) {
  Result<std::string> contents = ReadWholeFile(path);
  if (!contents) return Error{"--upstream-token-file: " + contents.error().message};
  return ParseUpstreamToken(*contents, path);
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};

// The roots: every certificate in the PEM file, added to the context's store.
Result<void> LoadRoots(SSL_CTX* context, const std::string& path) {
  auto fail = [&](std::string_view reason) {
    return Error{"--upstream-ca-file: " + path + ": " + std::string(reason)};
  };
  Result<std::string> pem = ReadWholeFile(path);
  if (!pem) return Error{"--upstream-ca-file: " + pem.error().message};
  const std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  int count = 0;
  for (;;) {
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    if (X509_STORE_add_cert(store, cert.get()) != 1) return fail(OpenSslErrorText());
    ++count;
  }
  // PEM_read_bio_X509 ends the loop with "no start line" at the end of the input; anything
  // else is a broken block.
  const unsigned long last = ERR_peek_last_error();
  if (last != 0 &&
      !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE)) {
    return fail("invalid PEM: " + OpenSslErrorText());
  }
  ERR_clear_error();
  if (count == 0) return fail("no certificate found");
  return {};
}

Result<std::shared_ptr<ssl::context>> MakeTlsContext(const UpstreamOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  // Go's client minimum.
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  // kauthd speaks HTTP/1.1 to the upstream; saying so keeps an ALPN-aware upstream from
  // choosing h2.
  static constexpr unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(native, kAlpn, sizeof(kAlpn));
  if (options.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(native) != 1) {
      return Error{"--upstream-ca-file: unset, and the system roots cannot be loaded: " +
                   OpenSslErrorText()};
    }
  } else if (Result<void> loaded = LoadRoots(native, options.ca_file); !loaded) {
    return loaded.error();
  }
  if (!options.client_cert_file.empty()) {
    const std::string prefix = "--proxy-client-cert-file/--proxy-client-key-file: ";
    if (SSL_CTX_use_certificate_chain_file(native, options.client_cert_file.c_str()) != 1) {
      return Error{prefix + options.client_cert_file + ": " + OpenSslErrorText()};
    }
    if (SSL_CTX_use_PrivateKey_file(native, options.client_key_file.c_str(), SSL_FILETYPE_PEM) !=
        1) {
      return Error{prefix + options.client_key_file + ": " + OpenSslErrorText()};
    }
    if (SSL_CTX_check_private_key(native) != 1) {
      ERR_clear_error();
      return Error{prefix + "the private key does not match the certificate"};
    }
  }
  return context;
}

// ---------------------------------------------------------------------------------------------
// Deadlines

// Runs `operation` unless `timeout` passes first; nullopt then. The operation is cancelled,
// which leaves its connection unusable: callers drop it. (A DNS lookup cannot be cancelled: a
// lookup that hangs is waited for.)
template <typename T>
Awaitable<std::optional<T>> WithTimeout(Awaitable<T> operation, std::chrono::nanoseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  if (timeout <= std::chrono::nanoseconds::zero()) co_return std::nullopt;
  asio::steady_timer timer(co_await asio::this_coro::executor,
                           std::chrono::duration_cast<asio::steady_timer::duration>(timeout));
  std::variant<T, std::tuple<error_code>> outcome =
      co_await (std::move(operation) || timer.async_wait(kUseTuple));
  if (outcome.index() == 0) co_return std::get<0>(std::move(outcome));
  co_return std::nullopt;
}

std::chrono::nanoseconds Remaining(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(deadline -
                                                              std::chrono::steady_clock::now());
}

// ---------------------------------------------------------------------------------------------
// Connections

class ExchangeDeadline;

// One TCP or TLS connection to the upstream, with the bytes read past what the parser used.
// Used by one coroutine at a time (its owner), on whichever executor that coroutine runs.
class Connection {
 public:
  Connection(tcp::socket socket, ssl::context* tls) {
    error_code ec;
    const tcp::endpoint local = socket.local_endpoint(ec);
    const tcp::endpoint remote = socket.remote_endpoint(ec);
    name_ = FormatEndpoint(local) + "->" + FormatEndpoint(remote);
    if (tls != nullptr) {
      tls_.emplace(std::move(socket), *tls);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  ssl::stream<tcp::socket>* tls() { return tls_ ? &*tls_ : nullptr; }
  // "local->remote", as Go names a connection in "read tcp ..." errors.
  const std::string& name() const { return name_; }

  // Not a coroutine: it hands back Asio's own awaitable, a coroutine frame less per read.
  Awaitable<IoResult> ReadSome(asio::mutable_buffer into) {
    if (tls_) return tls_->async_read_some(into, kUseTuple);
    return plain_->async_read_some(into, kUseTuple);
  }

  Awaitable<IoResult> Write(std::span<const asio::const_buffer> buffers) {
    if (tls_) co_return co_await asio::async_write(*tls_, buffers, kUseTuple);
    // A request head nearly always fits the socket's send buffer: sent here, it costs no trip
    // through the event loop (asio posts even a write that completed at once).
    std::size_t total = 0;
    std::array<iovec, 8> iov;
    std::size_t count = 0;
    for (const asio::const_buffer& piece : buffers) {
      total += piece.size();
      if (count < iov.size()) iov[count++] = iovec{const_cast<void*>(piece.data()), piece.size()};
    }
    std::size_t sent = 0;
    if (count == buffers.size()) {
      msghdr message{};
      message.msg_iov = iov.data();
      message.msg_iovlen = count;
      const ssize_t n = ::sendmsg(plain_->native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        co_return IoResult{error_code(errno, boost::system::system_category()), 0};
      }
      if (n > 0) sent = static_cast<std::size_t>(n);
      if (sent == total) co_return IoResult{error_code(), sent};
    }
    std::vector<asio::const_buffer> rest;
    std::size_t skip = sent;
    for (const asio::const_buffer& piece : buffers) {
      if (skip >= piece.size()) {
        skip -= piece.size();
        continue;
      }
      rest.push_back(piece + skip);
      skip = 0;
    }
    const auto [ec, n] = co_await asio::async_write(*plain_, rest, kUseTuple);
    co_return IoResult{ec, sent + n};
  }

  // The deadline keeper for exchanges run on `executor`: kept across exchanges on one thread, so
  // that a keep-alive request neither allocates nor constructs a timer; a connection that moved
  // to another thread gets a new one (the old one's pending wait ends it, untouched from here).
  ExchangeDeadline& DeadlineOn(const asio::any_io_executor& executor);

  // Fails whatever is pending on the connection and every later operation.
  void Close() {
    error_code ignored;
    socket().close(ignored);
  }

  // An idle keep-alive connection is reusable while it has nothing to say: EOF means the
  // upstream closed it, and bytes an idle HTTP/1.1 connection should not carry (or TLS alerts)
  // mean it is no longer in a known state.
  bool LooksReusable() {
    if (buffer.size() != 0) return false;
    char byte;
    const ssize_t n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  // Bytes read from the upstream and not yet parsed. Room for a maximal head plus one read.
  beast::flat_buffer buffer{kMaxResponseHeadBytes + kReadBytes};

 private:
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  std::string name_;
  std::shared_ptr<ExchangeDeadline> deadline_;
};

// Idle keep-alive connections: a mutex-protected stack (the most recently used first, as its
// TCP window and TLS session are warmest), bounded by max_idle_connections.
class ConnectionPool {
 public:
  explicit ConnectionPool(std::size_t max_idle) : max_idle_(max_idle) {}

  // An idle connection that still looks usable; null when there is none.
  std::unique_ptr<Connection> Take() {
    for (;;) {
      std::unique_ptr<Connection> connection;
      {
        const std::lock_guard lock(mu_);
        if (idle_.empty()) return nullptr;
        connection = std::move(idle_.back());
        idle_.pop_back();
      }
      if (connection->LooksReusable()) return connection;
      // Closed here, outside the lock.
    }
  }

  // Keeps `connection` for reuse, or closes it when the pool is full.
  void Put(std::unique_ptr<Connection> connection) {
    std::unique_lock lock(mu_);
    if (idle_.size() >= max_idle_) {
      lock.unlock();
      connection.reset();
      return;
    }
    idle_.push_back(std::move(connection));
  }

 private:
  const std::size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// The deadlines of the exchanges on a connection: one timer, armed lazily as the server's
// connection watchdog does. WithTimeout costs a parallel group of two coroutines per operation;
// this costs one timer wait per exchange, since the deadlines of its operations only move later.
// When a deadline passes during an operation the connection is closed, which fails the
// operation; the caller sees expired() and drops the connection. Kept with the connection while
// it stays on one thread: no allocation and no timer set-up per exchange.
//
// Shared with the timer's pending wait, which may complete after the exchange ended; only an
// exchange in progress (Begin to End) lets a wake-up reach the connection. The timer runs on
// the exchanges' executor, so its wake-ups never run concurrently with the coroutine that owns
// the connection.
class ExchangeDeadline : public std::enable_shared_from_this<ExchangeDeadline> {
 public:
  using Clock = asio::steady_timer::clock_type;

  explicit ExchangeDeadline(const asio::any_io_executor& executor) : timer_(executor) {}

  const asio::any_io_executor& executor() { return timer_.get_executor(); }

  // An exchange on `connection` starts; its operations are unbounded until Set.
  void Begin(Connection& connection) {
    connection_ = &connection;
    deadline_ = Clock::time_point::max();
  }

  // Bounds the operations that follow by `timeout` from now.
  void Set(std::chrono::nanoseconds timeout) {
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
    if (deadline_ < armed_) Arm(deadline_);
  }

  // Leaves the operations that follow unbounded (reading the client's request body).
  void Clear() { deadline_ = Clock::time_point::max(); }

  // A deadline passed and closed the connection.
  bool expired() const { return expired_; }

  // Ends the exchange: the connection may go on to other owners. The wait is cancelled, as an
  // idle connection must not keep its io_context running.
  void End() {
    connection_ = nullptr;
    deadline_ = Clock::time_point::max();
    if (armed_ != Clock::time_point::max()) {
      armed_ = Clock::time_point::max();
      timer_.cancel();
    }
  }

 private:
  void Arm(Clock::time_point at) {
    armed_ = at;
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this()](const error_code& ec) {
      // Aborted: re-armed earlier, or the exchange ended.
      if (!ec) self->Fire();
    });
  }

  void Fire() {
    armed_ = Clock::time_point::max();
    if (connection_ == nullptr) return;
    if (deadline_ == Clock::time_point::max()) return;
    if (Clock::now() < deadline_) {
      // A later deadline was set while the timer ran.
      Arm(deadline_);
      return;
    }
    expired_ = true;
    connection_->Close();
  }

  asio::steady_timer timer_;
  Connection* connection_ = nullptr;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point armed_ = Clock::time_point::max();
  bool expired_ = false;
};

ExchangeDeadline& Connection::DeadlineOn(const asio::any_io_executor& executor) {
  if (deadline_ == nullptr || deadline_->executor() != executor) {
    deadline_ = std::make_shared<ExchangeDeadline>(executor);
  }
  return *deadline_;
}

// ---------------------------------------------------------------------------------------------
// Responses

bool IsEndOfStream(const error_code& ec) {
  // An upstream that closes without TLS close_notify is common; the HTTP framing (length,
  // chunks) still tells a cut body from a complete one.
  return ec == asio::error::eof || ec == ssl::error::stream_truncated;
}

// The response body, read from the connection as the consumer asks. Once the parser saw the
// body's end the connection goes back to the pool (when the response allowed keep-alive and
// nothing followed it); a body abandoned midway closes its connection with the source.
class ResponseBody final : public http::BodySource {
 public:
  ResponseBody(std::shared_ptr<ConnectionPool> pool, std::unique_ptr<Connection> connection,
               std::unique_ptr<ResponseParser> parser)
      : pool_(std::move(pool)), connection_(std::move(connection)), parser_(std::move(parser)) {
    const boost::optional<std::uint64_t> declared = parser_->content_length();
    if (declared) {
      length_ = *declared;
    } else if (parser_->is_done() && !parser_->skip()) {
      // No body by its status (1xx, 204, 304).
      length_ = 0;
    }
    if (parser_->is_done()) Finish();
  }

  Awaitable<Result<std::string_view>> Read() override {
    if (error_) co_return Error{*error_};
    parser_->piece.clear();
    if (!connection_) co_return std::string_view();
    beast::flat_buffer& buffer = connection_->buffer;
    while (!parser_->is_done()) {
      if (buffer.size() > 0) {
        error_code ec;
        const std::size_t used = parser_->put(buffer.data(), ec);
        buffer.consume(used);
        if (ec && ec != bhttp::error::need_more) {
          co_return Fail("malformed response body: " + ec.message());
        }
        if (!parser_->piece.empty()) break;
        if (!ec && used > 0) continue;
      }
      if (parser_->is_done()) break;
      const std::size_t room = std::min(kReadBytes, buffer.max_size() - buffer.size());
      if (room == 0) co_return Fail("malformed response body: chunk framing line too long");
      // No deadline: a watch may be quiet for minutes.
      const auto [ec, n] = co_await connection_->ReadSome(buffer.prepare(room));
      buffer.commit(n);
      if (IsEndOfStream(ec)) {
        error_code eof_ec;
        parser_->put_eof(eof_ec);
        if (eof_ec) co_return Fail("unexpected EOF");
        continue;
      }
      if (ec) co_return Fail("read tcp " + connection_->name() + ": " + GoErrorText(ec));
    }
    if (parser_->is_done()) Finish();
    co_return std::string_view(parser_->piece);
  }

  std::optional<std::uint64_t> length() const override { return length_; }

 private:
  Result<std::string_view> Fail(std::string message) {
    error_ = std::move(message);
    connection_.reset();
    return Error{*error_};
  }

  void Finish() {
    if (parser_->keep_alive() && connection_->buffer.size() == 0) {
      pool_->Put(std::move(connection_));
    }
    connection_.reset();
  }

  std::shared_ptr<ConnectionPool> pool_;
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<ResponseParser> parser_;
  std::optional<std::uint64_t> length_;
  std::optional<std::string> error_;
};

// A small body that came whole with its head (Content-Length, all of it already read), parsed
// off the connection's buffer: the answer then needs no read per piece, and its connection can
// go back to the pool at once. nullopt when the body is not all there, is large, or has no
// Content-Length; also for a response that has no body whatever its headers say (a HEAD's,
// 1xx, 204, 304), whose Content-Length describes another response.
Result<std::optional<std::string>> TakeBufferedBody(Connection& connection, ResponseParser& parser,
                                                    bool head_request) {
  const boost::optional<std::uint64_t> declared = parser.content_length();
  if (!BodyIsWhole(parser.status, head_request,
                   declared ? std::optional<std::uint64_t>(*declared) : std::nullopt,
                   connection.buffer.size())) {
    return std::optional<std::string>();
  }
  parser.piece.clear();
  if (*declared > 0) {
    error_code ec;
    const std::size_t used = parser.put(
        asio::const_buffer(connection.buffer.data().data(), static_cast<std::size_t>(*declared)),
        ec);
    connection.buffer.consume(used);
    if (ec) return Error{"malformed response body: " + ec.message()};
  }
  if (!parser.is_done()) return Error{"malformed response body: incomplete"};
  return std::optional<std::string>(std::move(parser.piece));
}

// The upstream side of a 101: the bytes the upstream sent after its head first, then the
// connection itself. Never pooled.
class UpstreamTunnel final : public http::ByteStream {
 public:
  explicit UpstreamTunnel(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)) {}

  Awaitable<Result<std::size_t>> ReadSome(std::span<char> buffer) override {
    if (closed_) co_return Error{"use of closed connection"};
    beast::flat_buffer& pending = connection_->buffer;
    if (pending.size() > 0) {
      const std::size_t n =
          asio::buffer_copy(asio::buffer(buffer.data(), buffer.size()), pending.data());
      pending.consume(n);
      co_return n;
    }
    const auto [ec, n] = co_await connection_->ReadSome(asio::buffer(buffer.data(), buffer.size()));
    if (IsEndOfStream(ec)) co_return std::size_t{0};
    if (ec) co_return Error{"read tcp " + connection_->name() + ": " + GoErrorText(ec)};
    co_return n;
  }

  Awaitable<Result<void>> Write(std::string_view data) override {
    if (closed_) co_return Error{"use of closed connection"};
    const std::array buffers{asio::const_buffer(data.data(), data.size())};
    const auto [ec, n] = co_await connection_->Write(buffers);
    if (ec) co_return Error{"write tcp " + connection_->name() + ": " + GoErrorText(ec)};
    co_return Result<void>();
  }

  void Close() override {
    closed_ = true;
    connection_->Close();
  }

 private:
  std::unique_ptr<Connection> connection_;
  bool closed_ = false;
};

// The size check inline first: most header names differ in length from the one they are
// compared with, and every forwarded header meets a dozen such comparisons.
bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && EqualsIgnoreCase(a, b);
}

// ---------------------------------------------------------------------------------------------
// Requests

bool IsValidTarget(std::string_view target) {
  return !target.empty() && std::none_of(target.begin(), target.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
  });
}

// Header names the transport writes itself (framing, the upstream's Host) or never sends:
// Expect, because kauthd's server answers the client's 100-continue itself and the body is
// already on its way.
bool IsTransportHeader(std::string_view name) {
  return SameName(name, "Host") || SameName(name, "Content-Length") ||
         SameName(name, "Transfer-Encoding") || SameName(name, "Expect");
}

bool HasHeader(const HeaderList& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& header) { return SameName(header.first, name); });
}

// Go's Request.isReplayable, for a request without a body: an idempotent method, or an
// Idempotency-Key the upstream deduplicates by.
bool Replayable(const UpstreamRequest& request) {
  const std::string& method = request.method;
  if (method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE") return true;
  return HasHeader(request.headers, "Idempotency-Key") ||
         HasHeader(request.headers, "X-Idempotency-Key");
}

// Ends an exchange's deadline on every way out of the exchange.
struct EndExchange {
  ExchangeDeadline& deadline;
  ~EndExchange() { deadline.End(); }
};

// What one attempt on one connection gave.
struct Exchange {
  std::optional<UpstreamError> error;
  // With an error: not one byte of a response arrived (a stale pooled connection looks so).
  bool nothing_received = false;
  // With an error: writing the request head failed, so the upstream cannot have acted on it.
  bool head_unsent = false;
  // Without an error, one of these: the response read whole, or the parser at its body.
  std::optional<WholeResponse> whole;
  std::unique_ptr<ResponseParser> parser;
};

class UpstreamClientImpl final : public UpstreamClient {
 public:
  UpstreamClientImpl(UpstreamUrl url, std::shared_ptr<ssl::context> tls, std::string token,
                     std::chrono::nanoseconds timeout, std::size_t max_idle)
      : url_(std::move(url)),
        tls_(std::move(tls)),
        token_(std::move(token)),
        timeout_(timeout),
        pool_(std::make_shared<ConnectionPool>(max_idle)) {}

  Awaitable<UpstreamResult> RoundTrip(UpstreamRequest request) override {
    Result<std::string> head = RequestHead(request);
    if (!head) co_return UpstreamError{UpstreamFailure::kBroken, head.error().message};
    const bool upgrade = HasHeader(request.headers, "Upgrade");
    for (int attempt = 0;; ++attempt) {
      // The retry goes to a fresh connection: another pooled one may be just as stale.
      std::unique_ptr<Connection> connection = attempt == 0 ? pool_->Take() : nullptr;
      const bool reused = connection != nullptr;
      if (!connection) {
        DialResult dialed = co_await Dial();
        if (!dialed) co_return dialed.error();
        connection = std::move(*dialed);
      }
      Exchange exchange = co_await Send(*connection, *head, request);
      if (exchange.error) {
        // An upstream may close an idle connection just as it is reused. As Go's Transport
        // decides (shouldRetryRequest): only a request without a body can be sent again (the
        // body was consumed), and only if the upstream cannot have acted on it (its head was
        // never sent) or acting twice is harmless (isReplayable).
        if (reused && exchange.nothing_received && request.body == nullptr &&
            (exchange.head_unsent || Replayable(request))) {
          continue;
        }
        co_return *exchange.error;
      }
      if (exchange.whole) {
        WholeResponse& whole = *exchange.whole;
        if (whole.keep_alive && connection->buffer.size() == 0) pool_->Put(std::move(connection));
        UpstreamResponse response;
        response.status = whole.status;
        response.headers = ResponseHeaders(std::move(whole.fields), false);
        response.body = std::make_shared<http::StringBody>(std::move(whole.body));
        co_return response;
      }
      std::unique_ptr<ResponseParser> parser = std::move(exchange.parser);
      UpstreamResponse response;
      response.status = parser->status;
      const bool switching = parser->status == 101;
      response.headers = ResponseHeaders(std::move(parser->fields), switching);
      if (switching) {
        if (!upgrade) {
          co_return UpstreamError{UpstreamFailure::kBroken,
                                  "net/http: the upstream switched protocols (101) but no "
                                  "upgrade was requested"};
        }
        response.tunnel = std::make_shared<UpstreamTunnel>(std::move(connection));
        co_return response;
      }
      if (Result<std::optional<std::string>> whole =
              TakeBufferedBody(*connection, *parser, request.method == "HEAD");
          !whole) {
        co_return UpstreamError{UpstreamFailure::kBroken, whole.error().message};
      } else if (*whole) {
        if (parser->keep_alive() && connection->buffer.size() == 0) {
          pool_->Put(std::move(connection));
        }
        response.body = std::make_shared<http::StringBody>(std::move(**whole));
        co_return response;
      }
      response.body =
          std::make_shared<ResponseBody>(pool_, std::move(connection), std::move(parser));
      co_return response;
    }
  }

  Awaitable<Result<void>> Probe() override {
    DialResult dialed = co_await Dial();
    if (!dialed) co_return Error{dialed.error().message};
    (*dialed)->Close();
    co_return Result<void>();
  }

  const std::string& authority() const override { return url_.authority; }

 private:
  using DialResult = boost::system::result<std::unique_ptr<Connection>, UpstreamError>;

  // TCP (every resolved address in turn, as Go's dialer does without dual-stack racing), then
  // the TLS handshake.
  Awaitable<DialResult> Dial() const {
    const auto executor = co_await asio::this_coro::executor;
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    std::vector<tcp::endpoint> endpoints;
    if (url_.host_is_ip) {
      endpoints.emplace_back(asio::ip::make_address(url_.host), url_.port);
    } else {
      tcp::resolver resolver(executor);
      const std::string service = std::to_string(url_.port);
      const auto resolved =
          co_await WithTimeout(resolver.async_resolve(url_.host, service, kUseTuple), timeout_);
      const std::string prefix = "dial tcp: lookup " + url_.host + ": ";
      if (!resolved)
        co_return UpstreamError{UpstreamFailure::kTimeout, prefix + "i/o timeout", timeout_};
      const auto& [ec, results] = *resolved;
      if (ec) {
        co_return UpstreamError{
            UpstreamFailure::kUnreachable,
            prefix + (ec == asio::error::host_not_found ? "no such host" : GoErrorText(ec))};
      }
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }
    std::optional<UpstreamError> first_error;
    for (const tcp::endpoint& endpoint : endpoints) {
      const std::string prefix = "dial tcp " + FormatEndpoint(endpoint) + ": ";
      tcp::socket socket(executor);
      const auto connected =
          co_await WithTimeout(socket.async_connect(endpoint, kUseTuple), Remaining(deadline));
      if (!connected)
        co_return UpstreamError{UpstreamFailure::kTimeout, prefix + "i/o timeout", timeout_};
      if (const auto& [ec] = *connected; ec) {
        // Go reports the first address's error.
        if (!first_error) {
          first_error =
              UpstreamError{UpstreamFailure::kUnreachable, prefix + "connect: " + GoErrorText(ec)};
        }
        continue;
      }
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto connection = std::make_unique<Connection>(std::move(socket), tls_.get());
      if (tls_) {
        if (std::optional<UpstreamError> failed = co_await Handshake(*connection)) {
          co_return *failed;
        }
      }
      co_return std::move(connection);
    }
    if (!first_error) {
      co_return UpstreamError{UpstreamFailure::kUnreachable,
                              "dial tcp: lookup " + url_.host + ": no such host"};
    }
    co_return *first_error;
  }

  Awaitable<std::optional<UpstreamError>> Handshake(Connection& connection) const {
    SSL* ssl = connection.tls()->native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (url_.host_is_ip) {
      // RFC 6066: no SNI for an address; the certificate must name the address as an IP SAN.
      X509_VERIFY_PARAM_set1_ip_asc(param, url_.host.c_str());
    } else {
      // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(url_.host.c_str()));
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      X509_VERIFY_PARAM_set1_host(param, url_.host.data(), url_.host.size());
    }
    const auto done = co_await WithTimeout(
        connection.tls()->async_handshake(ssl::stream_base::client, kUseTuple), timeout_);
    if (!done)
      co_return UpstreamError{UpstreamFailure::kTimeout, "net/http: TLS handshake timeout",
                              timeout_};
    const auto& [ec] = *done;
    if (!ec) co_return std::nullopt;
    const long verify = SSL_get_verify_result(ssl);
    ERR_clear_error();
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
      co_return UpstreamError{
          UpstreamFailure::kUnreachable,
          "tls: failed to verify certificate: x509: certificate is not valid for " + url_.host};
    }
    if (verify != X509_V_OK) {
      co_return UpstreamError{UpstreamFailure::kUnreachable,
                              std::string("tls: failed to verify certificate: x509: ") +
                                  X509_verify_cert_error_string(verify)};
    }
    co_return UpstreamError{UpstreamFailure::kUnreachable,
                            "tls: handshake failed: " + GoErrorText(ec)};
  }

  // The request line and headers, ready to write. Error (kBroken) for a method, target or
  // header that would break the request's framing, as Go's Transport refuses them.
  Result<std::string> RequestHead(const UpstreamRequest& request) const {
    if (!ValidHeaderFieldName(request.method)) {
      return Error{"net/http: invalid method \"" + request.method + "\""};
    }
    if (!IsValidTarget(request.target)) return Error{"net/http: invalid request target"};
    // Checked first and sized in the same pass, so that the head is built in one allocation
    // from pieces of known length (no strlen per literal).
    const auto forwarded = [this](std::string_view name) {
      // kauthd's own credential replaces any other.
      return !IsTransportHeader(name) && (token_.empty() || !SameName(name, "Authorization"));
    };
    const std::string target = JoinTarget(url_.base_path, request.target);
    // 128: the request line's and Host's punctuation, Authorization's name and the framing
    // header, each at most.
    std::size_t size =
        request.method.size() + target.size() + url_.host_header.size() + token_.size() + 128;
    for (const auto& [name, value] : request.headers) {
      if (!forwarded(name)) continue;
      if (!ValidHeaderFieldName(name))
        return Error{"net/http: invalid header field name \"" + name + "\""};
      // The value is not repeated: it may be a credential.
      if (!ValidHeaderFieldValue(value)) {
        return Error{"net/http: invalid header field value for \"" + name + "\""};
      }
      size += name.size() + value.size() + 4;
    }
    std::string head;
    head.reserve(size);
    const auto add = [&head](std::initializer_list<std::string_view> pieces) {
      for (const std::string_view piece : pieces) head.append(piece.data(), piece.size());
    };
    add({request.method, " ", target, " HTTP/1.1\r\nHost: ", url_.host_header, "\r\n"});
    for (const auto& [name, value] : request.headers) {
      if (forwarded(name)) add({name, ": ", value, "\r\n"});
    }
    if (!token_.empty()) add({"Authorization: Bearer ", token_, "\r\n"});
    if (request.body != nullptr) {
      if (const std::optional<std::uint64_t> length = request.body->length()) {
        add({"Content-Length: ", std::to_string(*length), "\r\n"});
      } else {
        add({"Transfer-Encoding: chunked\r\n"});
      }
    } else if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
      // Go's Transport declares an empty body for the methods that usually carry one.
      add({"Content-Length: 0\r\n"});
    }
    add({"\r\n"});
    return Result<std::string>(boost::system::in_place_value, std::move(head));
  }

  Awaitable<std::optional<UpstreamError>> WriteAll(
      Connection& connection, ExchangeDeadline& deadline,
      std::span<const asio::const_buffer> buffers) const {
    deadline.Set(timeout_);
    const auto [ec, n] = co_await connection.Write(buffers);
    deadline.Clear();
    if (deadline.expired()) {
      co_return UpstreamError{UpstreamFailure::kTimeout,
                              "write tcp " + connection.name() + ": i/o timeout", timeout_};
    }
    if (ec) {
      co_return UpstreamError{UpstreamFailure::kBroken,
                              "write tcp " + connection.name() + ": " + GoErrorText(ec)};
    }
    co_return std::nullopt;
  }

  // Content-Length framing when the client declared a length (the body must then match it, as
  // Go's Transport checks), chunked otherwise.
  Awaitable<std::optional<UpstreamError>> WriteBody(Connection& connection,
                                                    ExchangeDeadline& deadline,
                                                    http::BodySource& body) const {
    const std::optional<std::uint64_t> declared = body.length();
    std::uint64_t sent = 0;
    for (;;) {
      Result<std::string_view> piece = co_await body.Read();
      if (!piece) {
        co_return UpstreamError{UpstreamFailure::kBroken,
                                "reading the request body: " + piece.error().message};
      }
      if (declared && (piece->size() > *declared - sent || (piece->empty() && sent != *declared))) {
        co_return UpstreamError{UpstreamFailure::kBroken,
                                "http: ContentLength=" + std::to_string(*declared) +
                                    " with Body length " + std::to_string(sent + piece->size())};
      }
      if (piece->empty()) {
        if (declared) co_return std::nullopt;
        static constexpr std::string_view kLastChunk = "0\r\n\r\n";
        const std::array buffers{asio::const_buffer(kLastChunk.data(), kLastChunk.size())};
        co_return co_await WriteAll(connection, deadline, buffers);
      }
      sent += piece->size();
      std::optional<UpstreamError> failed;
      if (declared) {
        const std::array buffers{asio::const_buffer(piece->data(), piece->size())};
        failed = co_await WriteAll(connection, deadline, buffers);
      } else {
        std::array<char, 20> size_line;
        auto [end, ec] = std::to_chars(size_line.data(), size_line.data() + size_line.size() - 2,
                                       piece->size(), 16);
        *end++ = '\r';
        *end++ = '\n';
        const std::array buffers{
            asio::const_buffer(size_line.data(), static_cast<std::size_t>(end - size_line.data())),
            asio::const_buffer(piece->data(), piece->size()), asio::const_buffer("\r\n", 2)};
        failed = co_await WriteAll(connection, deadline, buffers);
      }
      if (failed) co_return failed;
    }
  }

  // Writes the request, then reads the response head (skipping interim 1xx answers other than
  // 101) within one --upstream-timeout.
  Awaitable<Exchange> Send(Connection& connection, const std::string& head,
                           const UpstreamRequest& request) const {
    ExchangeDeadline& deadline = connection.DeadlineOn(co_await asio::this_coro::executor);
    deadline.Begin(connection);
    const EndExchange end_exchange{deadline};
    Exchange out;
    const std::array head_buffers{asio::const_buffer(head.data(), head.size())};
    if (auto failed = co_await WriteAll(connection, deadline, head_buffers)) {
      // A write to a connection the upstream closed fails (or, with TCP, succeeds and the read
      // then sees EOF): either way no response byte came.
      out.error = std::move(failed);
      out.nothing_received = true;
      out.head_unsent = true;
      co_return out;
    }
    if (request.body != nullptr) {
      if (auto failed = co_await WriteBody(connection, deadline, *request.body)) {
        out.error = std::move(failed);
        co_return out;
      }
    }
    const bool head_request = request.method == "HEAD";
    deadline.Set(timeout_);
    beast::flat_buffer& buffer = connection.buffer;
    bool received = buffer.size() > 0;
    ResponseHeadReader reader(head_request);
    for (;;) {
      if (buffer.size() > 0) {
        const asio::const_buffer pending = buffer.data();
        const Result<std::size_t> used =
            reader.Put(std::string_view(static_cast<const char*>(pending.data()), pending.size()));
        if (!used) {
          out.error = UpstreamError{UpstreamFailure::kBroken, used.error().message};
          co_return out;
        }
        buffer.consume(*used);
        if (reader.done()) break;
      }
      const std::size_t room = std::min(kReadBytes, buffer.max_size() - buffer.size());
      const auto [ec, n] = co_await connection.ReadSome(buffer.prepare(room));
      if (deadline.expired()) {
        out.error = UpstreamError{UpstreamFailure::kTimeout,
                                  "net/http: timeout awaiting response headers", timeout_};
        co_return out;
      }
      buffer.commit(n);
      if (n > 0) received = true;
      if (ec) {
        out.nothing_received = !received;
        if (IsEndOfStream(ec)) {
          out.error = UpstreamError{UpstreamFailure::kBroken, received ? "unexpected EOF" : "EOF"};
        } else {
          out.error = UpstreamError{UpstreamFailure::kBroken,
                                    "read tcp " + connection.name() + ": " + GoErrorText(ec)};
        }
        co_return out;
      }
    }
    if (reader.whole()) {
      out.whole = reader.TakeWhole();
    } else {
      out.parser = reader.TakeParser();
    }
    co_return out;
  }

  const UpstreamUrl url_;
  const std::shared_ptr<ssl::context> tls_;
  // Never logged nor put in a message.
  const std::string token_;
  const std::chrono::nanoseconds timeout_;
  const std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace

Result<std::unique_ptr<UpstreamClient>> UpstreamClient::Create(UpstreamOptions options) {
  Result<UpstreamUrl> url = ParseUpstreamUrl(options.url);
  if (!url) return url.error();
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return Error{"--proxy-client-cert-file/--proxy-client-key-file: both or neither must be set"};
  }
  std::shared_ptr<ssl::context> tls;
  if (url->tls) {
    Result<std::shared_ptr<ssl::context>> context = MakeTlsContext(options);
    if (!context) return context.error();
    tls = std::move(*context);
  }
  std::string token;
  if (!options.token_file.empty()) {
    Result<std::string> loaded = LoadToken(options.token_file);
    if (!loaded) return loaded.error();
    token = std::move(*loaded);
  }
  return std::unique_ptr<UpstreamClient>(
      std::make_unique<UpstreamClientImpl>(std::move(*url), std::move(tls), std::move(token),
                                           options.timeout, options.max_idle_connections));
}

}  // namespace kauth::proxy
