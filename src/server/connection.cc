// The only translation unit that includes Beast (it costs ~20 s and 0.8 GB to compile).
#include "server/connection.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "http/body.h"
#include "http/byte_stream.h"
#include "http/http1_head.h"
#include "log/log.h"
#include "server/go_http1.h"
#include "server/handler_call.h"
#include "server/http2_session.h"
#include "server/tls_socket.h"

namespace kauth::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kSource = "connection.cc";

// Go reads up to 4096 bytes past MaxHeaderBytes before it calls a head too large.
constexpr std::size_t kGoHeaderReadSlack = 4096;
// Room in the read buffer beyond a maximal head, for body bytes read ahead of the parser.
constexpr std::size_t kMaxPendingBodyBytes = 64 * 1024;
// Sent before reading a body announced with "Expect: 100-continue", as Go does when a handler
// reads such a body.
constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";
// After an error answer the client may still be sending; Go waits this long before closing
// (rstAvoidanceDelay), so that the client reads the answer instead of a TCP reset.
constexpr auto kLingerAfterError = std::chrono::milliseconds(500);
// How long a closing connection waits for the peer's close_notify after sending its own.
constexpr auto kCloseNotifyTimeout = std::chrono::seconds(1);
// First read of each request; the buffer grows as a head needs.
constexpr std::size_t kReadChunk = 4096;
// A buffer grown by one large request is given back afterwards.
constexpr std::size_t kRetainedBufferBytes = 64 * 1024;

// How a request ended for its connection.
enum class Next {
  kKeepAlive,        // read the next request
  kClose,            // send close_notify, then close
  kCloseAfterError,  // an error answer was written: close_notify, linger, close
  kDrop,             // the peer left, timed out, or the stream broke: just close
};

bool IsParseError(const beast::error_code& ec) {
  if (ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) return false;
  return ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
         ec != bhttp::error::need_more && ec != bhttp::error::need_buffer &&
         ec != bhttp::error::header_limit && ec != bhttp::error::body_limit;
}

// Go replaces CR and LF in response header values with spaces (headerNewlineToSpace).
std::string SanitizeHeaderValue(std::string_view value) {
  std::string out(value);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return out;
}

// Content-Length, Transfer-Encoding and Connection: the server writes these itself.
bool IsFramingHeader(std::string_view name) {
  switch (name.size()) {
    case 10:
      return EqualsIgnoreCase(name, "Connection");
    case 14:
      return EqualsIgnoreCase(name, "Content-Length");
    case 17:
      return EqualsIgnoreCase(name, "Transfer-Encoding");
    default:
      return false;
  }
}

void AppendDecimal(std::string& out, std::uint64_t value) {
  char digits[20];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

std::string FormatRemoteAddress(const tcp::endpoint& endpoint) {
  asio::ip::address address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  const std::string port = std::to_string(endpoint.port());
  if (address.is_v6()) return "[" + address.to_string() + "]:" + port;
  return address.to_string() + ":" + port;
}

// A request as parsed off the wire. Beast's own message type keeps field offsets in 16 bits and
// throws on a value over 64 KiB; Go accepts values up to its 1 MiB header limit, so the fields go
// straight into the ServerRequest, which copies them into storage of its own.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  explicit RequestParser(http::ServerRequest& request_out) : request(request_out) {}

  // A head the fast parser read (http/http1_head.h): Beast's parser saw none of it, and the
  // request has no body.
  void TakeSimpleHead(const http::Http1Head& head) {
    simple_ = true;
    simple_keep_alive_ = head.persistent;
    OnRequestLine(head.method, head.target, head.version);
    for (const http::Http1Field& field : head.Fields()) {
      const std::string_view kept = request.AddHeader(field.name, field.value);
      // Transfer-Encoding never gets here: the fast parser leaves it to Beast.
      if (field.name.size() == 4 && EqualsIgnoreCase(field.name, "Host")) {
        ++hosts;
        host = kept;
      } else if (field.name.size() == 6 && expect.empty() &&
                 EqualsIgnoreCase(field.name, "Expect")) {
        expect = kept;
      }
    }
  }
  bool message_done() const { return simple_ || is_done(); }
  bool persistent() const { return simple_ ? simple_keep_alive_ : keep_alive(); }

  http::ServerRequest& request;
  std::string method;
  // OriginFormTarget of the target as sent: checked after the whole head parsed, as Go does,
  // but computed while the target's bytes are at hand.
  std::optional<std::string> target;
  unsigned version = 11;
  // The fields Go checks before any handler runs, found by Beast's own name lookup: every Host
  // line, the last Transfer-Encoding and the first non-empty Expect (views into `request`).
  std::size_t hosts = 0;
  std::string_view host;
  std::size_t transfer_encodings = 0;
  std::string_view transfer_encoding;
  std::string_view expect;
  // The body bytes parsed by the latest read: one read's worth at most, so a streamed body
  // costs one buffer however long it is.
  std::string pending;
  // Bytes of chunk extensions and trailers a request may carry: the body limit counts only chunk
  // data, so without this a client could stream them forever.
  std::size_t overhead_limit = 0;

 private:
  void CountOverhead(std::size_t bytes, beast::error_code& ec) {
    overhead_ += bytes;
    if (overhead_ > overhead_limit) ec = bhttp::error::header_limit;
  }

  bool header_done_ = false;
  std::size_t overhead_ = 0;
  bool simple_ = false;
  bool simple_keep_alive_ = false;

  void OnRequestLine(std::string_view method_text, std::string_view target_text,
                     unsigned version_number) {
    method.assign(method_text.data(), method_text.size());
    target = OriginFormTarget(method, target_text);
    version = version_number;
  }

  void on_request_impl(bhttp::verb /*verb*/, beast::string_view method_text,
                       beast::string_view target_text, int version_number,
                       beast::error_code& /*ec*/) override {
    OnRequestLine(std::string_view(method_text.data(), method_text.size()),
                  std::string_view(target_text.data(), target_text.size()),
                  static_cast<unsigned>(version_number));
  }
  void on_response_impl(int /*code*/, beast::string_view /*reason*/, int /*version*/,
                        beast::error_code& /*ec*/) override {}
  void on_field_impl(bhttp::field field, beast::string_view name, beast::string_view value,
                     beast::error_code& ec) override {
    // Beast reports a chunked body's trailer fields through this same callback. They must never
    // become request headers: they arrive after the header checks and could carry credentials or
    // identity headers (Go keeps them apart in Request.Trailer). kauthd has no use for them.
    if (header_done_) {
      CountOverhead(name.size() + value.size(), ec);
      return;
    }
    const std::string_view kept = request.AddHeader(std::string_view(name.data(), name.size()),
                                                    std::string_view(value.data(), value.size()));
    switch (field) {
      case bhttp::field::host:
        ++hosts;
        host = kept;
        break;
      case bhttp::field::transfer_encoding:
        ++transfer_encodings;
        transfer_encoding = kept;
        break;
      case bhttp::field::expect:
        if (expect.empty()) expect = kept;
        break;
      default:
        break;
    }
  }
  void on_header_impl(beast::error_code& /*ec*/) override { header_done_ = true; }
  void on_body_init_impl(const boost::optional<std::uint64_t>& /*length*/,
                         beast::error_code& /*ec*/) override {}
  std::size_t on_body_impl(beast::string_view data, beast::error_code& /*ec*/) override {
    pending.append(data.data(), data.size());
    return data.size();
  }
  void on_chunk_header_impl(std::uint64_t /*size*/, beast::string_view extensions,
                            beast::error_code& ec) override {
    CountOverhead(extensions.size(), ec);
  }
  std::size_t on_chunk_body_impl(std::uint64_t /*remain*/, beast::string_view data,
                                 beast::error_code& /*ec*/) override {
    pending.append(data.data(), data.size());
    return data.size();
  }
  void on_finish_impl(beast::error_code& /*ec*/) override {}
};

class Http1Connection final : public Connection,
                              public std::enable_shared_from_this<Http1Connection> {
 public:
  Http1Connection(tcp::socket socket, const ConnectionEnvironment& environment,
                  std::function<void()> on_closed)
      : env_(environment),
        tls_(std::move(socket)),
        timer_(tls_.socket().get_executor()),
        // Bounded: a request head is limited by header_limit, but a chunk-extension or trailer
        // line is buffered whole until its end arrives.
        buffer_(environment.options.max_header_bytes + kGoHeaderReadSlack + kMaxPendingBodyBytes),
        on_closed_(std::move(on_closed)) {
    beast::error_code ec;
    const tcp::endpoint remote = tls_.socket().remote_endpoint(ec);
    remote_address_ = ec ? std::string("unknown") : FormatRemoteAddress(remote);
  }

  ~Http1Connection() override {
    for (X509* cert : peer_chain_) X509_free(cert);
    on_closed_();
  }

  void Start() override {
    const auto on_error = [](std::exception_ptr error) {
      if (!error) return;
      // Serve handles every error as a value; this is a bug, not a client.
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        log::Error(kSource, "Connection failed", {{"err", e.what()}});
      } catch (...) {
        log::Error(kSource, "Connection failed", {{"err", "unknown exception"}});
      }
    };
    asio::co_spawn(tls_.socket().get_executor(), Watchdog(shared_from_this()), on_error);
    asio::co_spawn(tls_.socket().get_executor(), Serve(shared_from_this()), on_error);
  }

  void BeginShutdown() override {
    asio::post(tls_.socket().get_executor(), [self = shared_from_this()] {
      self->shutdown_requested_ = true;
      if (self->http2_) self->http2_->BeginShutdown();
      if (self->phase_ == Phase::kHandshake || self->phase_ == Phase::kIdle) {
        self->tls_.Cancel();
      }
    });
  }

 private:
  enum class Phase { kHandshake, kIdle, kRequest, kHttp2, kClosing };

  // --- Deadlines ---------------------------------------------------------------------------
  // One deadline for the operation in progress, enforced by a watchdog coroutine on one timer.
  // Setting a deadline is a store; the timer is re-armed only when a deadline comes earlier than
  // the armed one. A later deadline is found when the timer fires and re-checks, so keep-alive
  // requests, whose deadlines only ever move later, cost no timer operation each.

  void SetDeadline(Clock::duration timeout) { SetDeadlineFrom(Clock::now(), timeout); }
  // `timeout` from `from`, a clock reading taken just before (one reading, several uses).
  void SetDeadlineFrom(Clock::time_point from, Clock::duration timeout) {
    deadline_ = from + timeout;
    timed_out_ = false;
    if (deadline_ < armed_) {
      armed_ = deadline_;
      timer_.cancel();
    }
  }
  void ClearDeadline() { deadline_ = Clock::time_point::max(); }

  asio::awaitable<void> Watchdog(std::shared_ptr<Http1Connection> self) {
    (void)self;
    while (!closed_) {
      timer_.expires_at(armed_);
      auto [ec] = co_await timer_.async_wait(kUseTuple);
      (void)ec;  // cancelled: re-armed earlier, or closed
      if (closed_) break;
      if (deadline_ <= Clock::now()) {
        deadline_ = Clock::time_point::max();
        timed_out_ = true;
        tls_.Cancel();
      }
      armed_ = deadline_;
    }
  }

  // An operation the watchdog cancelled reports a timeout, as beast::tcp_stream's did.
  beast::error_code Timed(beast::error_code ec) const {
    if (ec == asio::error::operation_aborted && timed_out_) return beast::error::timeout;
    return ec;
  }

  // The common request head, whole in the buffer and without a body, read by the fast parser
  // and dropped from the buffer. False leaves the buffer as it was, for Beast to parse.
  bool ParseSimpleHead(RequestParser& parser, std::size_t header_limit) {
    const asio::const_buffer pending = buffer_.data();
    const std::string_view bytes(static_cast<const char*>(pending.data()), pending.size());
    http::Http1Head head;
    if (!http::ParseRequestHead(bytes, header_limit, head) ||
        head.content_length.value_or(0) != 0) {
      return false;
    }
    parser.TakeSimpleHead(head);
    buffer_.consume(head.size);
    return true;
  }

  // Feeds what is buffered to the parser and drops what it used.
  beast::error_code ParseBuffered(RequestParser& parser) {
    beast::error_code ec;
    const std::size_t used = parser.put(buffer_.data(), ec);
    buffer_.consume(used);
    return ec;
  }

  // Beast's http::async_read_some on buffer_ and our TLS socket: parses what is buffered (when
  // `parse_first`), reads when the parser needs more. The same buffer sizes and errors
  // (end_of_stream, buffer_overflow, put_eof) so that Go's answers for bad or oversized input
  // stay as they were.
  asio::awaitable<beast::error_code> ReadSomeParsed(RequestParser& parser, bool parse_first) {
    for (;;) {
      if (parse_first) {
        const beast::error_code ec = ParseBuffered(parser);
        if (ec != bhttp::error::need_more) co_return ec;
      }
      parse_first = true;
      const std::size_t size = beast::read_size(buffer_, 65536);
      if (size == 0) co_return bhttp::error::buffer_overflow;
      const auto space = buffer_.prepare(size);
      // Straight to the socket: a coroutine around it would cost a frame per read.
      auto [read_ec, n] = co_await tls_.ReadSome(static_cast<char*>(space.data()), space.size());
      buffer_.commit(n);
      if (read_ec == asio::error::eof) {
        if (!parser.got_some()) co_return bhttp::error::end_of_stream;
        // The caller sees the end of stream on its next read.
        beast::error_code ec;
        parser.put_eof(ec);
        co_return ec;
      }
      if (read_ec) co_return Timed(read_ec);
    }
  }

  // Beast's http::async_read_header, for a head that did not arrive whole with the first read.
  asio::awaitable<beast::error_code> ReadHeader(RequestParser& parser, bool parse_first) {
    while (!parser.is_header_done()) {
      const beast::error_code ec = co_await ReadSomeParsed(parser, parse_first);
      if (ec) co_return ec;
      parse_first = buffer_.size() != 0;
    }
    co_return beast::error_code();
  }

  // `self` keeps the connection alive for as long as the coroutine runs.
  asio::awaitable<void> Serve(std::shared_ptr<Http1Connection> self) {
    (void)self;
    SetDeadline(env_.options.request_header_timeout);
    if (!co_await Handshake()) co_return;
    if (AlpnSelectedHttp2()) {
      co_await ServeHttp2();
      co_await Close(Next::kClose);
      co_return;
    }
    // Go's first request shares no deadline with the handshake: it gets a full header timeout.
    SetDeadline(env_.options.request_header_timeout);
    const Next next = co_await ServeRequests();
    co_await Close(next);
  }

  // Plain-HTTP detection, then the TLS handshake. False when the connection is done.
  asio::awaitable<bool> Handshake() {
    phase_ = Phase::kHandshake;
    // A TLS record header is five bytes. Go reads them first and, when they look like an HTTP
    // request instead, answers in plain text on the raw connection.
    // They are peeked, not read, so that OpenSSL reads the whole ClientHello off the socket itself.
    std::array<char, 5> head;
    std::string consumed;
    for (;;) {
      if (consumed.empty()) {
        auto [ec, n] = co_await tls_.Peek(head.data(), head.size());
        ec = Timed(ec);
        if (!ec && n == 0) ec = asio::error::eof;
        if (ec) {
          if (log::V(4)) LogHandshakeError(ec.message());
          co_await CloseSocket();
          co_return false;
        }
        if (n == head.size()) break;
      }
      // A client that sends its first bytes piecemeal: take them off the socket (a peek would
      // see the same bytes again at once) and hand them to OpenSSL before the rest.
      std::array<char, 5> more;
      auto [ec, got] = co_await tls_.ReadRaw(more.data(), head.size() - consumed.size());
      ec = Timed(ec);
      if (ec) {
        if (log::V(4)) LogHandshakeError(ec.message());
        co_await CloseSocket();
        co_return false;
      }
      consumed.append(more.data(), got);
      if (consumed.size() == head.size()) {
        std::copy(consumed.begin(), consumed.end(), head.begin());
        break;
      }
    }
    if (shutdown_requested_) {
      co_await CloseSocket();
      co_return false;
    }
    if (LooksLikeHttpInsteadOfTls(std::string_view(head.data(), head.size()))) {
      if (log::V(2)) LogHandshakeError("client sent an HTTP request to an HTTPS server");
      const beast::error_code ec = co_await tls_.WriteRaw(kHttpOnHttpsPortResponse);
      (void)ec;
      co_await Linger();
      co_await CloseSocket();
      co_return false;
    }
    if (!tls_.BeginTls(env_.tls.native_handle(), consumed)) {
      LogHandshakeError("cannot create a TLS session");
      co_await CloseSocket();
      co_return false;
    }
    env_.client_ca_names.ApplyTo(tls_.native_handle());
    const beast::error_code ec = Timed(co_await tls_.Handshake());
    if (ec) {
      if (log::V(2)) LogHandshakeError(ec.message());
      co_await CloseSocket();
      co_return false;
    }
    handshake_done_ = true;
    CollectPeerCertificates();
    co_return true;
  }

  void LogHandshakeError(const std::string& reason) {
    log::Info(kSource, "TLS handshake error", {{"remote", remote_address_}, {"err", reason}});
  }

  // The chain the client sent, leaf first. On the server side OpenSSL's chain omits the leaf.
  void CollectPeerCertificates() {
    SSL* ssl = tls_.native_handle();
    X509* leaf = SSL_get1_peer_certificate(ssl);
    if (leaf == nullptr) return;
    peer_chain_.push_back(leaf);
    STACK_OF(X509)* rest = SSL_get_peer_cert_chain(ssl);
    for (int i = 0; rest != nullptr && i < sk_X509_num(rest); ++i) {
      X509* cert = sk_X509_value(rest, i);
      // Some OpenSSL paths (resumed sessions) keep the leaf in the chain; never list it twice.
      if (X509_cmp(cert, leaf) == 0) continue;
      X509_up_ref(cert);
      peer_chain_.push_back(cert);
    }
  }

  // Serves requests until one ends the connection, and says how it ended. One coroutine for
  // them all: a frame per request would cost as much as parsing its head.
  asio::awaitable<Next> ServeRequests() {
    http::ServerRequest::HeaderStorage header_storage;
    for (bool first = true;; first = false) {
      phase_ = Phase::kIdle;
      if (shutdown_requested_) co_return Next::kClose;
      if (buffer_.size() == 0) {
        // No pipelined request is here: wait for the next one's first byte, within the idle
        // timeout between requests, the header timeout (already running) for the first one.
        if (!first) SetDeadline(env_.options.idle_timeout);
        const auto space = buffer_.prepare(kReadChunk);
        auto [ec, n] = co_await tls_.ReadSome(static_cast<char*>(space.data()), space.size());
        if (ec) co_return shutdown_requested_ ? Next::kClose : Next::kDrop;
        buffer_.commit(n);
      }
      // One reading for the header timeout (the first request's runs from the connection's
      // start) and the request's timing in its metrics.
      const Clock::time_point arrived = Clock::now();
      if (!first) SetDeadlineFrom(arrived, env_.options.request_header_timeout);
      phase_ = Phase::kRequest;

      // The parser fills the request's headers as it goes.
      http::ServerRequest request(std::move(header_storage));
      RequestParser parser(request);
      const auto header_limit = static_cast<std::uint32_t>(
          std::min<std::size_t>(env_.options.max_header_bytes + kGoHeaderReadSlack, UINT32_MAX));
      parser.header_limit(header_limit);
      // Bodies stream to the handler, which applies its own limit (ServerRequest::ReadBody).
      parser.body_limit(boost::none);
      parser.overhead_limit = env_.options.max_header_bytes;
      // The head usually came whole with the first read: the fast parser reads the common ones,
      // Beast the rest, and only a head that needs more reads costs ReadHeader's coroutine.
      if (!ParseSimpleHead(parser, header_limit)) {
        beast::error_code ec = bhttp::error::need_more;
        if (buffer_.size() != 0) ec = ParseBuffered(parser);
        if (ec == bhttp::error::need_more) {
          ec = co_await ReadHeader(parser, false);
        } else if (!ec && !parser.is_header_done()) {
          ec = co_await ReadHeader(parser, buffer_.size() != 0);
        }
        if (ec) co_return co_await AnswerReadError(ec);
      }
      const unsigned version = parser.version;
      const std::string& method = parser.method;

      // Go's order: request line and header syntax (Beast, above; it also refuses versions other
      // than 1.x, see AnswerReadError), then the target and a duplicate Host (plain 400), the
      // transfer coding (501), and the Host.
      const std::size_t hosts = parser.hosts;
      const std::string_view host = parser.host;
      const std::size_t transfer_encodings = parser.transfer_encodings;
      const std::string_view transfer_encoding = parser.transfer_encoding;
      const std::string_view expect = parser.expect;
      if (!parser.target || hosts > 1) co_return co_await WriteError(GoErrorResponse(400));
      if (version >= 11 && transfer_encodings > 0 &&
          (transfer_encodings > 1 || !EqualsIgnoreCase(transfer_encoding, "chunked"))) {
        co_return co_await WriteError(GoUnsupportedTransferEncodingResponse());
      }
      // Go frames an HTTP/1.0 request by Content-Length alone while Beast would de-chunk it: refuse
      // the combination rather than disagree with a proxy in front about where the body ends.
      if (version < 11 && transfer_encodings > 0) {
        co_return co_await WriteError(
            GoErrorResponse(400, "Transfer-Encoding in an HTTP/1.0 request"));
      }
      if (version >= 11 && hosts == 0 && method != "CONNECT") {
        co_return co_await WriteError(GoErrorResponse(400, "missing required Host header"));
      }
      if (hosts == 1 && !ValidHostHeader(host)) {
        co_return co_await WriteError(GoErrorResponse(400, "malformed Host header"));
      }

      const bool expects_continue = HeaderHasToken(expect, "100-continue");
      if (!expects_continue && !expect.empty()) {
        http::ServerResponse failed{.status = 417, .close_connection = true};
        co_await WriteResponse(std::move(failed), version, false, false);
        co_return Next::kClose;
      }
      ClearDeadline();

      // The body stays on the wire until a handler reads it: authentication runs on the head
      // alone, and an unauthenticated client never gets "100 Continue" or has its body read
      // beyond the bounded drain below.
      std::optional<BodyReader> body;
      if (!parser.message_done()) body.emplace(*this, parser, expects_continue && version >= 11);

      const bool client_keeps_alive = parser.persistent();
      request.set_method(method);
      request.SetTarget(std::move(*parser.target));
      if (body) request.set_body_source(&*body);
      request.set_body_limit(env_.options.max_body_bytes);
      request.set_protocol(http::Protocol::kHttp1);
      request.set_remote_address(remote_address_);
      request.set_tls(true);
      if (!peer_chain_.empty()) request.SetPeerCertificates(peer_chain_);

      http::RequestState state;
      state.audit_id = AuditIdFor(request);
      state.start = arrived;

      http::ServerResponse response;
      if (env_.handler.HandlesInline(request)) {
        response = CallHandlerInline(env_.handler, request, state);
      } else {
        response = co_await CallHandler(env_.handler, request, state);
      }
      bool keep_alive = client_keeps_alive && !response.close_connection && !shutdown_requested_ &&
                        !env_.stopping.load();
      if (body && !body->done()) {
        // Reading what is left may take long: the write deadline then counts from its end.
        state.finished = Clock::time_point{};
        // Go's rule for a body the handler left: a client still waiting for "100 Continue" has
        // not sent it, so close; otherwise read up to 256 KiB of it to keep the connection, and
        // close when there is more.
        if (keep_alive && !body->failed() && !body->continue_pending()) {
          keep_alive = co_await DrainBody(*body);
        } else {
          keep_alive = false;
        }
      }
      // Closing with unread bytes in the receive buffer would reset the connection before the
      // client read the answer: linger as after an error.
      const bool unread_body = body && !body->done() && !body->failed();
      const Next close_kind = unread_body ? Next::kCloseAfterError : Next::kClose;
      // Bad body bytes get the server's answer for them, as before the handler ran (the handler
      // only saw a read error); a client that left or stalled gets nothing.
      if (body && body->failed()) co_return co_await AnswerReadError(body->read_error_);

      if (response.status == 101) co_return co_await SwitchProtocols(std::move(response), version);
      if (response.stream && !response.stream->length() && version < 11) keep_alive = false;
      const bool head_only = method == "HEAD";
      bool written = false;
      if (response.stream) {
        written = co_await WriteResponse(std::move(response), version, head_only, keep_alive);
      } else {
        // The common answer, one buffer, is written here: WriteResponse and WriteAll would cost
        // two coroutine frames per request.
        BodyFraming framing;
        ResponseHead(response, version, head_only, keep_alive, framing, response_bytes_);
        SetDeadlineFrom(state.finished != Clock::time_point{} ? state.finished : Clock::now(),
                        env_.options.io_timeout);
        const beast::error_code ec = co_await tls_.WriteAll(response_bytes_);
        ClearDeadline();
        written = !ec;
        // Kept for the next answer unless a large body made it grow.
        if (response_bytes_.capacity() > kRetainedBufferBytes) response_bytes_ = std::string();
      }
      if (!written) co_return Next::kDrop;
      if (!keep_alive) co_return close_kind;
      if (buffer_.capacity() > kRetainedBufferBytes && buffer_.size() <= kRetainedBufferBytes) {
        buffer_.shrink_to_fit();
      }
      header_storage = request.ReleaseHeaderStorage();
    }
  }

  // The request body as a handler reads it (see ServeRequests).
  class BodyReader final : public http::BodySource {
   public:
    BodyReader(Http1Connection& connection, RequestParser& parser, bool expects_continue)
        : connection_(&connection), parser_(parser), continue_pending_(expects_continue) {}

    asio::awaitable<Result<std::string_view>> Read() override {
      co_return co_await connection_->ReadBodyPiece(*this);
    }
    std::optional<std::uint64_t> length() const override {
      const boost::optional<std::uint64_t> length = parser_.content_length();
      if (!length) return std::nullopt;
      return *length;
    }

    bool done() const { return parser_.is_done(); }
    bool failed() const { return !error_.empty(); }
    bool continue_pending() const { return continue_pending_; }

   private:
    friend class Http1Connection;
    Http1Connection* connection_;
    RequestParser& parser_;
    bool continue_pending_;
    std::string error_;
    beast::error_code read_error_;
  };

  asio::awaitable<Result<std::string_view>> ReadBodyPiece(BodyReader& body) {
    RequestParser& parser = body.parser_;
    parser.pending.clear();
    if (body.failed()) co_return Error{body.error_};
    while (parser.pending.empty() && !parser.is_done()) {
      if (body.continue_pending_) {
        // Go sends it when the handler first reads the body.
        body.continue_pending_ = false;
        SetDeadline(env_.options.io_timeout);
        const beast::error_code ec = Timed(co_await tls_.WriteAll(kContinueResponse));
        if (ec) {
          body.error_ = "writing 100 Continue: " + ec.message();
          body.read_error_ = ec;
          co_return Error{body.error_};
        }
      }
      // A deadline per read, so a body that keeps arriving is never cut.
      SetDeadline(env_.options.io_timeout);
      const beast::error_code ec = co_await ReadSomeParsed(parser, buffer_.size() != 0);
      ClearDeadline();
      if (ec) {
        body.error_ = "reading the request body: " + ec.message();
        body.read_error_ = ec;
        parser.pending.clear();
        co_return Error{body.error_};
      }
    }
    co_return std::string_view(parser.pending);
  }

  // Reads and discards what is left of a body the handler did not read, up to Go's
  // maxPostHandlerReadBytes. True when the body ended within it.
  asio::awaitable<bool> DrainBody(BodyReader& body) {
    constexpr std::size_t kMaxDrainBytes = 256 * 1024;
    std::size_t drained = 0;
    while (drained <= kMaxDrainBytes) {
      Result<std::string_view> piece = co_await body.Read();
      if (!piece) co_return false;
      if (piece->empty()) co_return true;
      drained += piece->size();
    }
    co_return false;
  }

  // The client side of a switched connection: bytes already buffered after the request head
  // first, then the TLS stream itself. No deadlines: a tunnel may be idle for as long as its
  // peers like.
  class ClientTunnel final : public http::ByteStream {
   public:
    explicit ClientTunnel(Http1Connection& connection) : connection_(connection) {}

    asio::awaitable<Result<std::size_t>> ReadSome(std::span<char> into) override {
      beast::flat_buffer& buffered = connection_.buffer_;
      if (buffered.size() > 0) {
        const std::size_t n =
            asio::buffer_copy(asio::buffer(into.data(), into.size()), buffered.data());
        buffered.consume(n);
        co_return n;
      }
      auto [ec, n] = co_await connection_.tls_.ReadSome(into.data(), into.size());
      ec = connection_.Timed(ec);
      if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) co_return 0;
      if (ec) co_return Error{ec.message()};
      co_return n;
    }
    asio::awaitable<Result<void>> Write(std::string_view data) override {
      const beast::error_code ec = connection_.Timed(co_await connection_.tls_.WriteAll(data));
      if (ec) co_return Error{ec.message()};
      co_return Result<void>();
    }
    void Close() override { connection_.tls_.Close(); }

   private:
    Http1Connection& connection_;
  };

  bool AlpnSelectedHttp2() {
    const unsigned char* protocol = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(tls_.native_handle(), &protocol, &length);
    return std::string_view(reinterpret_cast<const char*>(protocol), length) == "h2";
  }

  // The TLS stream under an HTTP/2 session. The session keeps its own deadlines (idle, write).
  class Http2Tls final : public Http2Transport {
   public:
    explicit Http2Tls(Http1Connection& connection) : connection_(connection) {}

    // Straight to the TLS socket, not through a ClientTunnel: nothing is ever buffered ahead of
    // HTTP/2 (its bytes follow the handshake), and each coroutine layer costs a frame per call.
    asio::awaitable<Result<std::size_t>> ReadSome(std::span<char> into) override {
      auto [ec, n] = co_await connection_.tls_.ReadSome(into.data(), into.size());
      if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) co_return 0;
      if (ec) co_return Error{ec.message()};
      co_return n;
    }
    asio::awaitable<Result<void>> Write(std::string_view data) override {
      const beast::error_code ec = co_await connection_.tls_.WriteAll(data);
      if (ec) co_return Error{ec.message()};
      co_return Result<void>();
    }
    void CancelRead() override { connection_.tls_.Cancel(); }
    void Close() override { connection_.tls_.Close(); }

   private:
    Http1Connection& connection_;
  };

  asio::awaitable<void> ServeHttp2() {
    phase_ = Phase::kHttp2;
    // The session has its own idle timeout and write deadline; the stream's timer would cut
    // reads that legitimately wait for the client's next stream.
    ClearDeadline();
    Http2Tls transport(*this);
    http2_ = Http2Session::Create(tls_.socket().get_executor(), transport,
                                  Http2SessionContext{.options = env_.options,
                                                      .handler = env_.handler,
                                                      .stopping = env_.stopping,
                                                      .remote_address = remote_address_,
                                                      .peer_certificates = peer_chain_});
    if (shutdown_requested_) http2_->BeginShutdown();
    co_await http2_->Run();
    http2_.reset();
  }

  // Writes a 101 and hands the connection to the handler's tunnel.
  asio::awaitable<Next> SwitchProtocols(http::ServerResponse response, unsigned version) {
    if (!response.upgrade || version < 11) {
      log::Error(kSource, "Handler answered 101 without a protocol to switch to");
      http::ServerResponse failed{.status = 500, .close_connection = true};
      co_await WriteResponse(std::move(failed), version, false, false);
      co_return Next::kClose;
    }
    std::string head = "HTTP/1.1 101 Switching Protocols\r\n";
    for (const auto& [name, value] : response.headers) {
      if (!ValidHeaderFieldName(name) || EqualsIgnoreCase(name, "Connection") ||
          EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding")) {
        continue;
      }
      head += name + ": " + SanitizeHeaderValue(value) + "\r\n";
    }
    head += "Connection: Upgrade\r\n\r\n";
    if (!co_await WriteAll(head)) co_return Next::kDrop;
    ClientTunnel client(*this);
    co_await response.upgrade(client);
    co_return Next::kDrop;
  }

  // An error while reading a request: Go's answer for bad bytes, none when the peer left or
  // timed out.
  asio::awaitable<Next> AnswerReadError(const beast::error_code& ec) {
    if (ec == bhttp::error::header_limit) co_return co_await WriteError(GoErrorResponse(431));
    if (ec == bhttp::error::buffer_overflow) co_return co_await WriteError(GoErrorResponse(400));
    if (ec == bhttp::error::bad_version) {
      // Beast knows HTTP/1.0 and 1.1 only; Go parses any "HTTP/d.d" and answers 505 for a major
      // version other than 1.
      const std::string_view pending(static_cast<const char*>(buffer_.data().data()),
                                     buffer_.size());
      const std::size_t line_end = pending.find("\r\n");
      if (line_end != std::string_view::npos &&
          IsUnsupportedVersionRequestLine(pending.substr(0, line_end))) {
        co_return co_await WriteError(GoErrorResponse(505, "unsupported protocol version"));
      }
    }
    if (ec == bhttp::error::bad_transfer_encoding) {
      co_return co_await WriteError(GoUnsupportedTransferEncodingResponse());
    }
    if (IsParseError(ec)) {
      if (log::V(4)) {
        log::Info(kSource, "Malformed request",
                  {{"remote", remote_address_}, {"err", ec.message()}});
      }
      co_return co_await WriteError(GoErrorResponse(400));
    }
    co_return Next::kDrop;
  }

  // Writes one of Go's canned error answers.
  asio::awaitable<Next> WriteError(std::string text) {
    SetDeadline(env_.options.io_timeout);
    const beast::error_code ec = co_await tls_.WriteAll(text);
    co_return ec ? Next::kDrop : Next::kCloseAfterError;
  }

  // How a streamed body follows the head ResponseHead wrote.
  struct BodyFraming {
    bool streamed = false;  // the response's stream is copied after the head
    std::optional<std::uint64_t> length;
    bool chunked = false;
  };

  // The bytes Go's server writes for `response` before any streamed body: its status line and
  // reason, the handler's headers, Date and Content-Length added, Connection as `keep_alive`
  // decides, then the body when it is in memory. `framing` says how a stream follows.
  // Writes the head into `head` (emptied first; its capacity is reused), followed by the body
  // when it is inline.
  void ResponseHead(const http::ServerResponse& response, unsigned version, bool head_only,
                    bool keep_alive, BodyFraming& framing, std::string& head) const {
    // Literals as string_views: their lengths are known at compile time, not found by strlen.
    using namespace std::string_view_literals;
    unsigned status = response.status;
    // A handler answers with a final status; 1xx would leave the client waiting for one.
    if (status < 200 || status > 999) {
      log::Error(kSource, "Handler answered an invalid status code",
                 {{"code", std::to_string(status)}});
      status = 500;
    }
    // Written by hand: Beast's message type cannot hold a header value over 64 KiB. One
    // allocation: the size is known before anything is copied.
    const http::BodySource* const stream = response.stream.get();
    const bool inline_body = stream == nullptr && status != 204 && status != 304 && !head_only;
    std::size_t reserve = 160 + (inline_body ? response.body.size() : 0);
    for (const auto& [name, value] : response.headers) reserve += name.size() + value.size() + 4;
    head.clear();
    head.reserve(reserve);
    head += version >= 11 ? "HTTP/1.1 "sv : "HTTP/1.0 "sv;
    // Three digits, as checked above.
    const char code[] = {static_cast<char>('0' + status / 100),
                         static_cast<char>('0' + status / 10 % 10),
                         static_cast<char>('0' + status % 10), ' '};
    head.append(code, sizeof code);
    const std::string_view text = StatusText(status);
    if (!text.empty()) {
      head += text;
    } else {
      head += ReasonPhrase(status);
    }
    head += "\r\n"sv;
    bool has_date = false;
    for (const auto& [name, value] : response.headers) {
      // The server owns framing and connection management.
      if (!ValidHeaderFieldName(name) || IsFramingHeader(name)) continue;
      if (name.size() == 4 && EqualsIgnoreCase(name, "Date")) has_date = true;
      head += name;
      head += ": "sv;
      const std::size_t value_at = head.size();
      head += value;
      // Go replaces CR and LF in values with spaces (headerNewlineToSpace). Values almost never
      // hold either, and memchr finds that out faster than a byte-by-byte rewrite.
      if (std::memchr(value.data(), '\r', value.size()) != nullptr ||
          std::memchr(value.data(), '\n', value.size()) != nullptr) {
        std::replace_if(
            head.begin() + static_cast<std::ptrdiff_t>(value_at), head.end(),
            [](char c) { return c == '\r' || c == '\n'; }, ' ');
      }
      head += "\r\n"sv;
    }
    if (!has_date) {
      head += "Date: "sv;
      head += CachedHttpDate();
      head += "\r\n"sv;
    }
    // No body and no Content-Length for 204 and 304 (Go's bodyAllowedForStatus).
    const bool body_allowed = status != 204 && status != 304;
    const std::optional<std::uint64_t> length =
        stream != nullptr ? stream->length() : std::optional<std::uint64_t>(response.body.size());
    const bool chunked = body_allowed && !length && version >= 11 && !head_only;
    if (body_allowed && length) {
      head += "Content-Length: "sv;
      AppendDecimal(head, *length);
      head += "\r\n"sv;
    }
    if (chunked) head += "Transfer-Encoding: chunked\r\n"sv;
    // HTTP/1.1 connections persist unless told; HTTP/1.0 ones close unless told.
    if (version >= 11 && !keep_alive) head += "Connection: close\r\n"sv;
    if (version < 11 && keep_alive) head += "Connection: keep-alive\r\n"sv;
    head += "\r\n"sv;

    // One buffer: Beast's flat_stream writes nothing for a buffer sequence whose first buffer
    // is empty, and a single TLS write also makes fewer records.
    if (inline_body) head += response.body;
    framing = BodyFraming{.streamed = stream != nullptr && body_allowed && !head_only,
                          .length = length,
                          .chunked = chunked};
  }

  // Writes `response` as Go's server would (see ResponseHead). False when the write failed.
  asio::awaitable<bool> WriteResponse(http::ServerResponse response, unsigned version,
                                      bool head_only, bool keep_alive) {
    BodyFraming framing;
    std::string head;
    ResponseHead(response, version, head_only, keep_alive, framing, head);
    if (!framing.streamed) co_return co_await WriteAll(head);
    http::BodySource& stream = *response.stream;
    if (framing.length) {
      // As Go's buffered response writer does, the head waits for the body's first piece and
      // goes out with it: one TLS record and one write instead of two. A chunked body (a watch)
      // sends its head at once, since its first piece may be minutes away.
      co_return co_await WriteStream(stream, framing.length, framing.chunked, head);
    }
    if (!co_await WriteAll(head)) co_return false;
    head.clear();
    co_return co_await WriteStream(stream, framing.length, framing.chunked, head);
  }

  asio::awaitable<bool> WriteAll(std::string_view data) {
    SetDeadline(env_.options.io_timeout);
    const beast::error_code ec = co_await tls_.WriteAll(data);
    ClearDeadline();
    co_return !ec;
  }

  // Copies a streamed body to the client, each piece as soon as it arrives; `head`, when not
  // empty (only with a Content-Length), goes out with the first piece, or alone when the body
  // ends or fails first. False when the connection must be dropped: the client left, or the
  // source failed or disagreed with its own length (ending the response normally would pass a
  // cut body off as complete).
  asio::awaitable<bool> WriteStream(http::BodySource& stream, std::optional<std::uint64_t> length,
                                    bool chunked, std::string& head) {
    std::uint64_t sent = 0;
    std::string frame;
    for (;;) {
      Result<std::string_view> piece = co_await stream.Read();
      if (!piece) {
        if (log::V(2)) {
          log::Info(kSource, "Response body stream failed",
                    {{"remote", remote_address_}, {"err", piece.error().message}});
        }
        // The client still gets the head it would have got before the failure.
        if (!head.empty()) co_await WriteAll(head);
        co_return false;
      }
      if (piece->empty()) break;
      sent += piece->size();
      if (length && sent > *length) {
        if (!head.empty()) co_await WriteAll(head);
        co_return false;
      }
      if (!head.empty()) {
        head += *piece;
        const bool written = co_await WriteAll(head);
        head.clear();
        if (!written) co_return false;
        continue;
      }
      if (chunked) {
        // One record per chunk: size line, data and CRLF together.
        frame.clear();
        frame += ChunkSizeHex(piece->size());
        frame += "\r\n";
        frame += *piece;
        frame += "\r\n";
        if (!co_await WriteAll(frame)) co_return false;
      } else if (!co_await WriteAll(*piece)) {
        co_return false;
      }
    }
    if (!head.empty() && !co_await WriteAll(head)) co_return false;
    if (length && sent != *length) co_return false;
    if (chunked && !co_await WriteAll("0\r\n\r\n")) co_return false;
    co_return true;
  }

  static std::string ChunkSizeHex(std::size_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    do {
      out.insert(out.begin(), kDigits[value & 0xF]);
      value >>= 4;
    } while (value != 0);
    return out;
  }

  // Waits up to Go's rstAvoidanceDelay for the client to stop sending, discarding what comes,
  // so that closing does not reset the connection before the client read our answer.
  asio::awaitable<void> Linger() {
    beast::error_code ignored;
    tls_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    SetDeadline(kLingerAfterError);
    std::array<char, 16384> discard;
    for (;;) {
      auto [ec, n] = co_await tls_.ReadRaw(discard.data(), discard.size());
      (void)n;
      if (ec) break;
    }
  }

  asio::awaitable<void> Close(Next how) {
    phase_ = Phase::kClosing;
    if (how != Next::kDrop && handshake_done_ && tls_.is_open()) {
      // close_notify, as Go's tls.Conn.Close sends it. OpenSSL then waits for the peer's, which
      // a client that is still sending never sends: the wait is short.
      SetDeadline(kCloseNotifyTimeout);
      const beast::error_code ec = co_await tls_.Shutdown();
      (void)ec;
    }
    if (how == Next::kCloseAfterError && tls_.is_open()) co_await Linger();
    co_await CloseSocket();
  }

  asio::awaitable<void> CloseSocket() {
    phase_ = Phase::kClosing;
    tls_.Close();
    closed_ = true;
    timer_.cancel();
    co_return;
  }

  const ConnectionEnvironment& env_;
  TlsSocket tls_;
  asio::steady_timer timer_;                               // the watchdog's
  Clock::time_point deadline_ = Clock::time_point::max();  // of the operation in progress
  Clock::time_point armed_ = Clock::time_point::max();     // when timer_ fires
  bool timed_out_ = false;  // the watchdog cancelled the operation in progress
  bool closed_ = false;
  beast::flat_buffer buffer_;
  // The bytes of the common answer (head and inline body), reused from one answer to the next.
  std::string response_bytes_;
  std::string remote_address_;
  std::vector<X509*> peer_chain_;  // owned references, leaf first
  Phase phase_ = Phase::kHandshake;
  bool handshake_done_ = false;
  bool shutdown_requested_ = false;
  std::unique_ptr<Http2Session> http2_;  // while serving HTTP/2
  std::function<void()> on_closed_;
};

}  // namespace

std::shared_ptr<Connection> MakeConnection(tcp::socket socket,
                                           const ConnectionEnvironment& environment,
                                           std::function<void()> on_closed) {
  return std::make_shared<Http1Connection>(std::move(socket), environment, std::move(on_closed));
}

}  // namespace kauth::server
