#include "proxy/test_upstream.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <chrono>
#include <mutex>
#include <utility>

#include "core/strings.h"

namespace kauth::proxy::testing {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

struct TestUpstream::State {
  // Declared before the io_context: connection coroutines that still hold TLS streams are
  // destroyed with the io_context.
  std::optional<ssl::context> tls;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::uint16_t port = 0;
  std::atomic<int> accepts{0};
  std::atomic<bool> released{false};
  std::atomic<bool> drop_reused{false};
  mutable std::mutex mu;
  std::vector<ReceivedRequest> requests;
};

namespace {

using State = TestUpstream::State;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

tcp::socket& Lowest(tcp::socket& stream) { return stream; }
tcp::socket& Lowest(ssl::stream<tcp::socket>& stream) { return stream.next_layer(); }

template <typename Stream>
asio::awaitable<bool> Fill(Stream& stream, std::string& pending) {
  std::array<char, 64 * 1024> buffer;
  auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer), kTuple);
  if (ec) co_return false;
  pending.append(buffer.data(), n);
  co_return true;
}

template <typename Stream>
asio::awaitable<bool> Write(Stream& stream, std::string_view data) {
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(data.data(), data.size()), kTuple);
  co_return !ec;
}

template <typename Stream>
asio::awaitable<bool> ReadLine(Stream& stream, std::string& pending, std::string& line) {
  std::size_t end;
  while ((end = pending.find("\r\n")) == std::string::npos) {
    if (!co_await Fill(stream, pending)) co_return false;
  }
  line = pending.substr(0, end);
  pending.erase(0, end + 2);
  co_return true;
}

// Consumes `count` body bytes, hashing them as they come.
template <typename Stream>
asio::awaitable<bool> ConsumeBody(Stream& stream, std::string& pending, std::uint64_t count,
                                  ReceivedRequest& out) {
  while (count > 0) {
    if (pending.empty() && !co_await Fill(stream, pending)) co_return false;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(count, pending.size()));
    out.body_hash = Fnv1a(std::string_view(pending).substr(0, n), out.body_hash);
    out.body_length += n;
    pending.erase(0, n);
    count -= n;
  }
  co_return true;
}

template <typename Stream>
asio::awaitable<bool> ReadRequest(Stream& stream, std::string& pending, ReceivedRequest& out) {
  std::size_t end;
  while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
    if (!co_await Fill(stream, pending)) co_return false;
  }
  const std::string head = pending.substr(0, end);
  pending.erase(0, end + 4);
  const std::vector<std::string_view> lines = [&] {
    std::vector<std::string_view> result;
    std::string_view rest = head;
    for (std::size_t pos; (pos = rest.find("\r\n")) != std::string_view::npos;) {
      result.push_back(rest.substr(0, pos));
      rest.remove_prefix(pos + 2);
    }
    result.push_back(rest);
    return result;
  }();
  const std::vector<std::string_view> request_line = Split(lines[0], ' ');
  if (request_line.size() != 3) co_return false;
  out.method = std::string(request_line[0]);
  out.target = std::string(request_line[1]);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::size_t colon = lines[i].find(':');
    out.headers.emplace_back(std::string(lines[i].substr(0, colon)),
                             std::string(TrimSpace(lines[i].substr(colon + 1))));
  }
  if (EqualsIgnoreCase(out.Header("Transfer-Encoding"), "chunked")) {
    for (;;) {
      std::string line;
      if (!co_await ReadLine(stream, pending, line)) co_return false;
      std::uint64_t size = 0;
      std::from_chars(line.data(), line.data() + line.size(), size, 16);
      if (size == 0) {
        while (co_await ReadLine(stream, pending, line) && !line.empty()) {
        }
        co_return true;
      }
      if (!co_await ConsumeBody(stream, pending, size, out)) co_return false;
      if (!co_await ReadLine(stream, pending, line)) co_return false;
    }
  }
  const std::string length = out.Header("Content-Length");
  std::uint64_t count = 0;
  std::from_chars(length.data(), length.data() + length.size(), count);
  co_return co_await ConsumeBody(stream, pending, count, out);
}

std::string EchoBody(const ReceivedRequest& request) {
  return request.method + " " + request.target + " " + std::to_string(request.body_length);
}

std::string EchoHead(std::size_t length) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(length) + "\r\n\r\n";
}

// Answers one request; false when the connection is to be closed.
template <typename Stream>
asio::awaitable<bool> Answer(State& state, Stream& stream, const ReceivedRequest& request,
                             std::string& pending) {
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string echo = EchoBody(request);
  const bool head = request.method == "HEAD";
  if (path.starts_with("/status/")) {
    const std::string code(path.substr(8));
    if (code == "204" || code == "304") {
      const std::string reply = "HTTP/1.1 " + code + " X\r\n\r\n";
      co_return co_await Write(stream, reply);
    }
    const std::string reply = "HTTP/1.1 " + code + " X\r\nContent-Length: 1\r\n\r\nx";
    co_return co_await Write(stream, reply);
  }
  if (path == "/stream") {
    if (!co_await Write(stream,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n")) {
      co_return false;
    }
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!state.released) {
      timer.expires_after(std::chrono::milliseconds(5));
      co_await timer.async_wait(kTuple);
    }
    if (!co_await Write(stream, "7\r\nsecond\n\r\n")) co_return false;
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(kTuple);
    co_return co_await Write(stream, "6\r\nthird\n\r\n0\r\n\r\n");
  }
  if (path == "/large") {
    const std::string_view bytes = target.substr(target.find("bytes=") + 6);
    std::uint64_t total = 0;
    std::from_chars(bytes.data(), bytes.data() + bytes.size(), total);
    const std::string reply_head =
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(total) + "\r\n\r\n";
    if (!co_await Write(stream, reply_head)) co_return false;
    for (std::uint64_t sent = 0; sent < total;) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(256 * 1024, total - sent));
      const std::string block = PatternBytes(sent, n);
      if (!co_await Write(stream, block)) co_return false;
      sent += n;
    }
    co_return true;
  }
  if (path == "/continue") {
    const std::string reply = "HTTP/1.1 100 Continue\r\n\r\n" + EchoHead(echo.size()) + echo;
    co_return co_await Write(stream, reply);
  }
  if (path == "/hop") {
    co_return co_await Write(stream,
                             "HTTP/1.1 200 OK\r\nConnection: X-Custom, keep-alive\r\n"
                             "X-Custom: 1\r\nKeep-Alive: timeout=5\r\n"
                             "Proxy-Connection: keep-alive\r\nTrailer: X-T\r\nUpgrade: h2c\r\n"
                             "TE: trailers\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\nok");
  }
  if (path == "/close-after") {
    const std::string reply = EchoHead(echo.size()) + echo;
    co_await Write(stream, reply);
    co_return false;
  }
  if (path == "/close-delimited") {
    co_await Write(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close");
    co_return false;
  }
  if (path == "/upgrade") {
    const std::string reply =
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " +
        request.Header("Upgrade") + "\r\n\r\ngreeting";
    if (!co_await Write(stream, reply)) co_return false;
    for (;;) {
      if (!pending.empty()) {
        if (!co_await Write(stream, pending)) co_return false;
        pending.clear();
      }
      if (!co_await Fill(stream, pending)) co_return false;
    }
  }
  if (path == "/hang") {
    while (co_await Fill(stream, pending)) {
    }
    co_return false;
  }
  // Built before the co_await: g++ 12 destroys a conditional's temporaries there twice.
  const std::string reply = EchoHead(echo.size()) + (head ? std::string() : echo);
  co_return co_await Write(stream, reply);
}

template <typename Stream>
asio::awaitable<void> Serve(State& state, Stream& stream, const ReceivedRequest& connection_info) {
  std::string pending;
  for (int served = 0;; ++served) {
    ReceivedRequest request = connection_info;
    if (!co_await ReadRequest(stream, pending, request)) break;
    {
      const std::lock_guard lock(state.mu);
      state.requests.push_back(request);
    }
    if (served > 0 && state.drop_reused) break;
    if (!co_await Answer(state, stream, request, pending)) break;
  }
  boost::system::error_code ignored;
  Lowest(stream).close(ignored);
}

asio::awaitable<void> ServePlain(State& state, tcp::socket socket) {
  // A named object: g++ 12 mishandles class temporaries in a co_await expression.
  const ReceivedRequest info;
  co_await Serve(state, socket, info);
}

asio::awaitable<void> ServeTls(State& state, tcp::socket socket) {
  ssl::stream<tcp::socket> stream(std::move(socket), *state.tls);
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple);
  if (ec) co_return;
  ReceivedRequest info;
  if (const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
    info.sni = sni;
  }
  if (X509* peer = SSL_get0_peer_certificate(stream.native_handle())) {
    std::array<char, 256> cn{};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn.data(),
                              static_cast<int>(cn.size()));
    info.client_cn = cn.data();
  }
  co_await Serve(state, stream, info);
}

asio::awaitable<void> Accept(State& state) {
  for (;;) {
    auto [ec, socket] = co_await state.acceptor.async_accept(kTuple);
    if (ec) co_return;
    ++state.accepts;
    if (state.tls) {
      asio::co_spawn(state.io, ServeTls(state, std::move(socket)), asio::detached);
    } else {
      asio::co_spawn(state.io, ServePlain(state, std::move(socket)), asio::detached);
    }
  }
}

}  // namespace

std::uint64_t Fnv1a(std::string_view data, std::uint64_t hash) {
  for (const char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string PatternBytes(std::uint64_t offset, std::size_t count) {
  std::string out(count, '\0');
  for (std::size_t i = 0; i < count; ++i) out[i] = PatternByte(offset + i);
  return out;
}

std::string ReceivedRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

int ReceivedRequest::Count(std::string_view name) const {
  int count = 0;
  for (const auto& header : headers) count += EqualsIgnoreCase(header.first, name) ? 1 : 0;
  return count;
}

TestUpstream::TestUpstream(std::optional<UpstreamTls> tls) : state_(std::make_unique<State>()) {
  if (tls) {
    ssl::context& context = state_->tls.emplace(ssl::context::tls_server);
    context.use_certificate_chain(asio::buffer(tls->cert_pem));
    context.use_private_key(asio::buffer(tls->key_pem), ssl::context::pem);
    if (!tls->client_ca_pem.empty()) {
      context.add_certificate_authority(asio::buffer(tls->client_ca_pem));
      context.set_verify_mode(ssl::verify_peer);
    }
  }
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  state_->port = state_->acceptor.local_endpoint().port();
  asio::co_spawn(state_->io, Accept(*state_), asio::detached);
  thread_ = std::thread([state = state_.get()] { state->io.run(); });
}

TestUpstream::~TestUpstream() {
  state_->io.stop();
  thread_.join();
}

std::uint16_t TestUpstream::port() const { return state_->port; }
int TestUpstream::accepts() const { return state_->accepts.load(); }
void TestUpstream::Release() { state_->released = true; }
void TestUpstream::set_drop_reused(bool drop) { state_->drop_reused = drop; }

std::vector<ReceivedRequest> TestUpstream::requests() const {
  const std::lock_guard lock(state_->mu);
  return state_->requests;
}

ReceivedRequest TestUpstream::last() const {
  const std::lock_guard lock(state_->mu);
  EXPECT_FALSE(state_->requests.empty()) << "the upstream received no request";
  if (state_->requests.empty()) return {};
  return state_->requests.back();
}

std::uint16_t ClosedPort() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

}  // namespace kauth::proxy::testing
