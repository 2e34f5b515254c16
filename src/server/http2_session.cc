#include "server/http2_session.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "log/log.h"
#include "server/go_http1.h"
#include "server/handler_call.h"
#include "server/http2_fields.h"
#include "server/reset_rate_limiter.h"

namespace kauth::server {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kSource = "http2_session.cc";

// Go's http2 server pads MaxHeaderBytes by 32 bytes (the per-field overhead RFC 9113 counts) for
// ten typical fields.
constexpr std::size_t kHeaderListSlack = 10 * 32;
constexpr std::size_t kPerFieldOverhead = 32;
// Go's handleHeaderListTooLong answer.
constexpr std::string_view kHeaderListTooLongBody =
    "<h1>HTTP Error 431</h1><p>Request Header Field(s) Too Large</p>";
// Go lets this many times MaxConcurrentStreams wait for a handler before it calls the client
// abusive (golang.org/x/net commit b225e7ca, the CVE-2023-44487 fix).
constexpr std::size_t kQueuedStreamsFactor = 4;
// One TLS record's worth of reads; writes gather frames up to this much.
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kWriteGather = 64 * 1024;
// A streamed response body is read from its source only while less than this waits for the
// client's flow-control window: a client that stops reading stops the source.
constexpr std::size_t kMaxBufferedResponseBytes = 64 * 1024;
// Response heads with up to this many fields (":status" and Date included) are handed to nghttp2
// without a heap allocation.
constexpr std::size_t kInlineResponseFields = 16;
// The reused response head keeps its buffer for the next response up to this size.
constexpr std::size_t kMaxKeptHeadBytes = 16 * 1024;
// nghttp2's bounds for SETTINGS_MAX_FRAME_SIZE.
constexpr std::uint32_t kMinFrameSize = 16 * 1024;
constexpr std::uint32_t kMaxFrameSize = (1u << 24) - 1;
constexpr std::int64_t kMaxWindow = std::numeric_limits<std::int32_t>::max();
// Go's goAwayTimeout: after its last frame (a GOAWAY) the server keeps reading, and discarding,
// for up to this long before it closes. Closing at once with the client's bytes still unread
// would reset the connection, and a reset destroys the GOAWAY in the client's receive buffer
// before the client reads it.
constexpr auto kGoAwayLinger = std::chrono::seconds(1);

// Wakes one coroutine waiting for a condition. Waiters re-check their condition in a loop, so a
// notification with nobody waiting, or an early wake-up, is harmless. The timer is made on the
// first Wait: most streams never wait on their signals, and making a timer costs a lock on the
// io_context's service registry.
class Signal {
 public:
  // `executor` must outlive the signal.
  explicit Signal(const asio::any_io_executor& executor) : executor_(executor) {}
  Awaitable<void> Wait() {
    if (!timer_) timer_.emplace(executor_);
    timer_->expires_at(asio::steady_timer::time_point::max());
    auto [ec] = co_await timer_->async_wait(kUseTuple);
    (void)ec;
  }
  void Notify() {
    if (timer_) timer_->cancel();
  }

 private:
  const asio::any_io_executor& executor_;
  std::optional<asio::steady_timer> timer_;
};

class Session;

// One client stream: the request as it arrives, its body as the handler reads it, and its
// response body as nghttp2 sends it. Shared by the session's table (until nghttp2 closes the
// stream) and the stream's handler coroutine (until it finishes).
class Stream final : public http::BodySource {
 public:
  Stream(Session& owner, std::int32_t stream_id, const asio::any_io_executor& executor)
      : session(owner), id(stream_id), body_signal(executor), out_signal(executor) {}

  Awaitable<Result<std::string_view>> Read() override;
  std::optional<std::uint64_t> length() const override { return content_length; }

  Session& session;
  const std::int32_t id;
  std::size_t slot = 0;  // in the session's table

  // The request head, as its fields arrive. Regular fields go straight into `request` (after
  // the Host line made from :authority), until the first Cookie field: from there on they wait
  // in `fields` for the end of the head, when the cookies are joined.
  std::string method;
  std::string scheme;
  std::string authority;
  std::string path;
  bool host_added = false;
  bool joining_cookies = false;
  HeaderFields fields;
  std::optional<std::uint64_t> content_length;
  std::size_t header_bytes = 0;
  bool header_too_large = false;
  bool headers_done = false;

  bool remote_ended = false;    // the client sent END_STREAM
  bool closed = false;          // nghttp2 closed the stream (either side ended or reset it)
  bool response_ended = false;  // our END_STREAM went out

  // Request body bytes received and not yet handed to the handler, the piece handed out by the
  // last Read, and every byte received that the flow-control windows have not been given back.
  std::string in;
  std::string piece;
  std::size_t unconsumed = 0;
  Signal body_signal;

  // Response body bytes waiting for the client's window, from `out_offset` on.
  std::string out;
  std::size_t out_offset = 0;
  bool out_eof = false;
  bool out_failed = false;
  bool deferred = false;  // nghttp2 waits for resume_data
  Signal out_signal;

  http::ServerRequest request;
  http::RequestState state;
};

class Session final : public Http2Session {
 public:
  Session(asio::any_io_executor executor, Http2Transport& transport, Http2SessionContext context)
      : executor_(std::move(executor)),
        transport_(transport),
        context_(std::move(context)),
        max_streams_(context_.options.http2.EffectiveMaxStreams()),
        header_list_limit_(context_.options.max_header_bytes + kHeaderListSlack),
        resets_(context_.options.http2.reset_burst, context_.options.http2.reset_rate_per_second,
                Clock::now()),
        writer_signal_(executor_),
        tasks_signal_(executor_),
        watchdog_timer_(executor_),
        linger_timer_(executor_) {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, OnBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, OnFrameRecv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnDataChunkRecv);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, OnStreamClose);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, OnFrameSend);
    nghttp2_option* option = nullptr;
    nghttp2_option_new(&option);
    // Windows reopen as handlers read (Stream::Read), not as bytes arrive.
    nghttp2_option_set_no_auto_window_update(option, 1);
    // Debian's nghttp2 1.52 carries the upstream CVE-2023-44487 limiter, which answers with
    // GOAWAY(INTERNAL_ERROR) and then ignores further resets. The session's own ResetRateLimiter
    // (configurable, counting the same resets, answering ENHANCE_YOUR_CALM as Go does) replaces it.
    nghttp2_option_set_stream_reset_rate_limit(option, std::numeric_limits<std::uint64_t>::max(),
                                               0);
    nghttp2_session_server_new2(&session_, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
  }

  ~Session() override { nghttp2_session_del(session_); }

  Awaitable<void> Run() override {
    SendSettings();
    if (shutdown_requested_) StartGracefulShutdown();
    idle_since_ = Clock::now();
    Spawn(WriteLoop());
    Spawn(Watchdog());
    co_await ReadLoop();
    while (tasks_ > 0) co_await tasks_signal_.Wait();
  }

  void BeginShutdown() override {
    shutdown_requested_ = true;
    if (started_) StartGracefulShutdown();
  }

  // --- Called by streams -------------------------------------------------------------------

  Awaitable<Result<std::string_view>> ReadBody(Stream& stream) {
    // The handler is done with the previous piece: its bytes may come again.
    if (!stream.piece.empty()) {
      GiveBackWindow(stream, stream.piece.size());
      stream.piece.clear();
    }
    while (stream.in.empty() && !stream.remote_ended && !stream.closed) {
      co_await stream.body_signal.Wait();
    }
    if (!stream.in.empty()) {
      stream.piece.swap(stream.in);
      co_return std::string_view(stream.piece);
    }
    if (stream.remote_ended) co_return std::string_view();
    co_return Error{"the client reset the stream before its body ended"};
  }

 private:
  static Session& From(void* user_data) { return *static_cast<Session*>(user_data); }
  Stream* FindStream(std::int32_t id) {
    return static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_, id));
  }

  void SendSettings() {
    started_ = true;
    const std::uint32_t window = context_.options.http2.stream_window_bytes;
    const std::array<nghttp2_settings_entry, 4> settings = {{
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, max_streams_},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, window},
        {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, std::clamp(window, kMinFrameSize, kMaxFrameSize)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
         static_cast<std::uint32_t>(std::min<std::size_t>(header_list_limit_, UINT32_MAX))},
    }};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    // Go's MaxUploadBufferPerConnection: every stream may fill its window at once.
    const std::int64_t connection_window =
        std::min<std::int64_t>(std::int64_t{window} * max_streams_, kMaxWindow);
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                          static_cast<std::int32_t>(connection_window));
  }

  // --- Coroutines ----------------------------------------------------------------------------

  template <typename Task>
  void Spawn(Task task) {
    ++tasks_;
    asio::co_spawn(executor_, std::move(task), [this](std::exception_ptr error) {
      LogUnexpected(error);
      --tasks_;
      tasks_signal_.Notify();
    });
  }

  static void LogUnexpected(std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      log::Error(kSource, "HTTP/2 connection task failed", {{"err", e.what()}});
    } catch (...) {
      log::Error(kSource, "HTTP/2 connection task failed", {{"err", "unknown exception"}});
    }
  }

  Awaitable<void> ReadLoop() {
    std::array<char, kReadChunk> buffer;
    while (!finished_) {
      Result<std::size_t> n = co_await transport_.ReadSome(buffer);
      if (finished_) break;
      if (n && *n > 0 && !nghttp2_session_want_read(session_)) continue;  // lingering
      if (!n || *n == 0) {
        // The client left (or its half of the connection ended): nothing more can be delivered.
        if (log::V(4) && !n) {
          log::Info(kSource, "HTTP/2 read failed",
                    {{"remote", context_.remote_address}, {"err", n.error().message}});
        }
        broken_ = true;
        writer_signal_.Notify();
        break;
      }
      const ssize_t used = nghttp2_session_mem_recv(
          session_, reinterpret_cast<const std::uint8_t*>(buffer.data()), *n);
      if (used < 0) {
        // A connection error nghttp2 could not answer with its own GOAWAY (a bad preface, a
        // flood it detected): say goodbye if we still can; what comes next is discarded.
        if (log::V(2)) {
          log::Info(kSource, "HTTP/2 protocol error",
                    {{"remote", context_.remote_address},
                     {"err", nghttp2_strerror(static_cast<int>(used))}});
        }
        nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
      }
      writer_signal_.Notify();
    }
    reader_done_ = true;
    linger_timer_.cancel();
  }

  // Sends what nghttp2 has queued whenever something changed, until neither side has anything
  // left to say.
  Awaitable<void> WriteLoop() {
    std::string out;
    while (!broken_) {
      out.clear();
      for (;;) {
        const std::uint8_t* data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(session_, &data);
        if (n < 0) {
          log::Error(kSource, "HTTP/2 send failed",
                     {{"remote", context_.remote_address},
                      {"err", nghttp2_strerror(static_cast<int>(n))}});
          broken_ = true;
          break;
        }
        if (n == 0) break;
        out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
        if (out.size() >= kWriteGather) break;
      }
      if (broken_) break;
      if (!out.empty()) {
        writing_ = true;
        write_deadline_ = Clock::now() + context_.options.io_timeout;
        Rearm(write_deadline_);
        Result<void> written = co_await transport_.Write(out);
        writing_ = false;
        if (!written) {
          broken_ = true;
          break;
        }
        continue;
      }
      if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) break;
      co_await writer_signal_.Wait();
    }
    if (!broken_ && !reader_done_) {
      // Until the client closes after reading our GOAWAY, or kGoAwayLinger.
      linger_timer_.expires_after(kGoAwayLinger);
      auto [ec] = co_await linger_timer_.async_wait(kUseTuple);
      (void)ec;
    }
    finished_ = true;
    queued_.clear();
    // A graceful end leaves the connection open for its owner's close_notify.
    if (broken_) {
      transport_.Close();
    } else {
      transport_.CancelRead();
    }
    watchdog_timer_.cancel();
    // Handlers still running can no longer be answered; wake those waiting on their streams.
    for (const std::shared_ptr<Stream>& stream : streams_) {
      stream->closed = true;
      stream->body_signal.Notify();
      stream->out_signal.Notify();
    }
  }

  // Enforces the idle timeout and the write deadline.
  Awaitable<void> Watchdog() {
    while (!finished_) {
      Clock::time_point deadline = Clock::time_point::max();
      if (writing_) deadline = write_deadline_;
      if (Idle()) deadline = std::min(deadline, idle_since_ + context_.options.idle_timeout);
      armed_ = deadline;
      watchdog_timer_.expires_at(deadline);
      auto [ec] = co_await watchdog_timer_.async_wait(kUseTuple);
      (void)ec;
      armed_ = Clock::time_point::max();
      if (finished_) break;
      const Clock::time_point now = Clock::now();
      if (writing_ && now >= write_deadline_) {
        if (log::V(2)) {
          log::Info(kSource, "HTTP/2 write timed out", {{"remote", context_.remote_address}});
        }
        broken_ = true;
        transport_.Close();
        writer_signal_.Notify();
        break;
      }
      if (Idle() && now >= idle_since_ + context_.options.idle_timeout) StartGracefulShutdown();
    }
  }

  void Rearm(Clock::time_point deadline) {
    if (deadline < armed_) watchdog_timer_.cancel();
  }

  bool Idle() const { return streams_.empty() && running_handlers_ == 0; }

  void MaybeIdle() {
    if (!Idle()) return;
    idle_since_ = Clock::now();
    Rearm(idle_since_ + context_.options.idle_timeout);
  }

  void StartGracefulShutdown() {
    if (goaway_sent_) return;
    goaway_sent_ = true;
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                          nullptr, 0);
    writer_signal_.Notify();
  }

  // GOAWAY(ENHANCE_YOUR_CALM): the client is abusing the connection.
  void Calm(std::string_view why) {
    if (calmed_) return;
    calmed_ = true;
    goaway_sent_ = true;
    log::Warning(kSource, "Closing an abusive HTTP/2 connection",
                 {{"remote", context_.remote_address}, {"reason", why}});
    nghttp2_session_terminate_session(session_, NGHTTP2_ENHANCE_YOUR_CALM);
    queued_.clear();
    writer_signal_.Notify();
  }

  void GiveBackWindow(Stream& stream, std::size_t bytes) {
    bytes = std::min(bytes, stream.unconsumed);
    if (bytes == 0) return;
    stream.unconsumed -= bytes;
    nghttp2_session_consume(session_, stream.id, bytes);
    writer_signal_.Notify();
  }

  // Gives back the window for everything a finished or closed stream still holds: the client's
  // further bytes for it are read and dropped.
  void DropRequestBody(Stream& stream) {
    stream.in.clear();
    if (stream.unconsumed == 0) return;
    nghttp2_session_consume(session_, stream.id, stream.unconsumed);
    stream.unconsumed = 0;
    writer_signal_.Notify();
  }

  // --- Streams -------------------------------------------------------------------------------

  void OnRequestHead(Stream& stream) {
    if (stream.header_too_large) {
      http::ServerResponse too_large{.status = 431, .body = std::string(kHeaderListTooLongBody)};
      too_large.AddHeader("Content-Type", "text/html; charset=utf-8");
      Submit(stream, std::move(too_large), /*head_request=*/false);
      return;
    }
    if (running_handlers_ < max_streams_) {
      StartHandler(streams_[stream.slot]);
      return;
    }
    queued_.push_back(streams_[stream.slot]);
    if (queued_.size() > kQueuedStreamsFactor * max_streams_) {
      Calm("too many streams waiting for a handler");
    }
  }

  void StartHandler(std::shared_ptr<Stream> stream) {
    Stream& s = *stream;
    if (!PrepareRequest(s)) return;
    // A request whose body is still on its way keeps the coroutine, as before: answered at its
    // head, the stream would be reset (NO_ERROR) before the client had a chance to send it.
    if (s.remote_ended && context_.handler.HandlesInline(s.request)) {
      // In-memory answers (/version, a 401) are submitted as the head arrives: no coroutine per
      // stream, and the writer sends every answer of one read together.
      std::shared_ptr<http::BodySource> source =
          Submit(s, CallHandlerInline(context_.handler, s.request, s.state), s.method == "HEAD");
      if (source) SpawnHandler(PumpStream(std::move(stream), std::move(source)));
      return;
    }
    SpawnHandler(Serve(std::move(stream)));
  }

  // Runs a stream's handler or body pump; counts as a running handler until it ends.
  void SpawnHandler(Awaitable<void> task) {
    ++running_handlers_;
    ++tasks_;
    asio::co_spawn(executor_, std::move(task), [this](std::exception_ptr error) {
      LogUnexpected(error);
      --running_handlers_;
      --tasks_;
      StartQueuedHandlers();
      MaybeIdle();
      tasks_signal_.Notify();
    });
  }

  void StartQueuedHandlers() {
    while (!finished_ && running_handlers_ < max_streams_ && !queued_.empty()) {
      std::shared_ptr<Stream> next = std::move(queued_.front());
      queued_.pop_front();
      // A stream the client already cancelled needs no handler.
      if (!next->closed) StartHandler(std::move(next));
    }
  }

  // Builds the stream's request from its head. False, with the stream reset, when its :path is
  // not a valid target.
  bool PrepareRequest(Stream& s) {
    http::ServerRequest& request = s.request;
    request.set_method(s.method);
    // :path in origin form (or "*"); CONNECT names only an authority. Checked by Go's rules, as
    // an HTTP/1 request target is; Go answers a bad :path with a stream error.
    std::optional<std::string> target = s.method == "CONNECT"
                                            ? std::optional<std::string>(s.authority)
                                            : OriginFormTarget(s.method, s.path);
    if (!target || target->empty()) {
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_PROTOCOL_ERROR);
      writer_signal_.Notify();
      return false;
    }
    request.SetTarget(std::move(*target));
    // A head without regular fields has no Host line yet.
    AddHostLine(s);
    if (!s.fields.empty()) {
      JoinCookieFields(s.fields);
      for (const auto& [name, value] : s.fields) request.AddHeader(name, value);
      s.fields.clear();
    }
    if (!s.remote_ended) request.set_body_source(&s);
    request.set_body_limit(context_.options.max_body_bytes);
    request.set_protocol(http::Protocol::kHttp2);
    request.set_remote_address(context_.remote_address);
    request.set_tls(true);
    if (!context_.peer_certificates.empty()) {
      request.SetPeerCertificates(context_.peer_certificates);
    }
    s.state.audit_id = AuditIdFor(request);
    return true;
  }

  Awaitable<void> Serve(std::shared_ptr<Stream> stream) {
    Stream& s = *stream;
    http::ServerResponse response = co_await CallHandler(context_.handler, s.request, s.state);
    if (s.closed) co_return;
    std::shared_ptr<http::BodySource> source = Submit(s, std::move(response), s.method == "HEAD");
    if (source) co_await Pump(s, *source);
  }

  Awaitable<void> PumpStream(std::shared_ptr<Stream> stream,
                             std::shared_ptr<http::BodySource> source) {
    co_await Pump(*stream, *source);
  }

  // Submits the response head (and a buffered body). Returns the source to pump when the body
  // is streamed.
  std::shared_ptr<http::BodySource> Submit(Stream& s, http::ServerResponse response,
                                           bool head_request) {
    unsigned status = response.status;
    if (status == 101) {
      // RFC 9113 section 8.6: HTTP/2 has no 101. Clients that switch protocols use HTTP/1.1.
      log::Error(kSource, "Handler answered 101 to an HTTP/2 request",
                 {{"URI", s.request.target()}, {"auditID", s.state.audit_id}});
      response = http::ServerResponse{.status = 500};
      status = 500;
    } else if (status < 200 || status > 999) {
      log::Error(kSource, "Handler answered an invalid status code",
                 {{"code", std::to_string(status)}});
      status = 500;
    }
    const bool body_allowed = status != 204 && status != 304;
    std::shared_ptr<http::BodySource> source = std::move(response.stream);
    const std::optional<std::uint64_t> length =
        source ? source->length() : std::optional<std::uint64_t>(response.body.size());
    // nghttp2 copies the fields it is given: one head, reused, serves every response.
    MakeHttp2ResponseHead(status, response.headers, body_allowed ? length : std::nullopt,
                          CachedHttpDate(), head_);
    const Http2ResponseHead& head = head_;
    // A typical head fits on the stack.
    std::array<nghttp2_nv, kInlineResponseFields> inline_nva;
    std::vector<nghttp2_nv> heap_nva;
    nghttp2_nv* nva = inline_nva.data();
    if (head.fields.size() > inline_nva.size()) {
      heap_nva.resize(head.fields.size());
      nva = heap_nva.data();
    }
    for (std::size_t i = 0; i < head.fields.size(); ++i) {
      const auto& [name, value] = head.fields[i];
      // Every response has its own Audit-Id: indexing it in HPACK's dynamic table would only
      // evict entries that later responses could use, and costs nghttp2 a walk of the ever
      // longer hash chain of earlier Audit-Ids.
      const std::uint8_t flags =
          name == "audit-id" ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE;
      nva[i] = {const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(name.data())),
                const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(value.data())),
                name.size(), value.size(), flags};
    }
    const bool send_body = body_allowed && !head_request && (source || !response.body.empty());
    int rv = 0;
    if (send_body) {
      if (!source) {
        s.out = std::move(response.body);
        s.out_eof = true;
      }
      nghttp2_data_provider provider{};
      provider.source.ptr = &s;
      provider.read_callback = ReadResponseData;
      rv = nghttp2_submit_response(session_, s.id, nva, head.fields.size(), &provider);
    } else {
      rv = nghttp2_submit_response(session_, s.id, nva, head.fields.size(), nullptr);
    }
    const bool close_requested = head.close_requested;
    if (head_.storage_size > kMaxKeptHeadBytes) head_ = Http2ResponseHead();
    if (rv != 0) {
      if (log::V(2)) {
        log::Info(kSource, "HTTP/2 response not sent",
                  {{"remote", context_.remote_address}, {"err", nghttp2_strerror(rv)}});
      }
      return nullptr;
    }
    // R7.2/R7.3 and Go's "Connection: close": answer this stream, then end the connection.
    if (close_requested || response.close_connection || context_.stopping.load()) {
      StartGracefulShutdown();
    }
    writer_signal_.Notify();
    return send_body ? source : nullptr;
  }

  // Moves a streamed body into the stream's send buffer as the source yields it, while the
  // client's window lets it drain.
  Awaitable<void> Pump(Stream& s, http::BodySource& source) {
    const std::optional<std::uint64_t> length = source.length();
    std::uint64_t sent = 0;
    for (;;) {
      while (!s.closed && s.out.size() - s.out_offset >= kMaxBufferedResponseBytes) {
        co_await s.out_signal.Wait();
      }
      if (s.closed) co_return;
      Result<std::string_view> piece = co_await source.Read();
      if (s.closed) co_return;
      if (!piece) {
        if (log::V(2)) {
          log::Info(kSource, "Response body stream failed",
                    {{"remote", context_.remote_address}, {"err", piece.error().message}});
        }
        s.out_failed = true;
      } else if (piece->empty()) {
        // A body shorter than its declared length must not pass for complete.
        if (length && sent != *length) {
          s.out_failed = true;
        } else {
          s.out_eof = true;
        }
      } else {
        sent += piece->size();
        if (length && sent > *length) {
          s.out_failed = true;
        } else {
          if (s.out_offset > 0) {
            s.out.erase(0, s.out_offset);
            s.out_offset = 0;
          }
          s.out.append(*piece);
        }
      }
      if (s.deferred) {
        s.deferred = false;
        nghttp2_session_resume_data(session_, s.id);
      }
      writer_signal_.Notify();
      if (s.out_failed || s.out_eof) co_return;
    }
  }

  // Takes `stream` out of the table.
  std::shared_ptr<Stream> Forget(Stream& stream) {
    if (receiving_ == &stream) receiving_ = nullptr;
    const std::size_t slot = stream.slot;
    std::shared_ptr<Stream> taken = std::move(streams_[slot]);
    if (slot + 1 != streams_.size()) {
      streams_[slot] = std::move(streams_.back());
      streams_[slot]->slot = slot;
    }
    streams_.pop_back();
    return taken;
  }

  void CountReset() {
    if (!resets_.Take(Clock::now())) Calm("stream resets over the rapid-reset budget");
  }

  // --- nghttp2 callbacks (on the strand, inside mem_recv / mem_send) ---------------------------

  static int OnBeginHeaders(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    Session& self = From(user_data);
    auto stream = std::make_shared<Stream>(self, frame->hd.stream_id, self.executor_);
    nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, stream.get());
    stream->slot = self.streams_.size();
    self.receiving_ = stream.get();
    self.streams_.push_back(std::move(stream));
    return 0;
  }

  // Handlers (and Go's Request.Host) see :authority as the Host header, first of all. Pseudo
  // fields come before regular ones (nghttp2 resets a stream that breaks that rule), so the
  // first regular field knows the final :authority.
  static void AddHostLine(Stream& stream) {
    if (stream.host_added) return;
    stream.host_added = true;
    if (!stream.authority.empty()) stream.request.AddHeader("Host", stream.authority);
  }

  static void AddRequestField(Stream& stream, std::string_view name, std::string_view value) {
    AddHostLine(stream);
    if (!stream.authority.empty() && EqualsIgnoreCase(name, "Host")) return;
    if (!stream.joining_cookies && EqualsIgnoreCase(name, "cookie")) stream.joining_cookies = true;
    if (stream.joining_cookies) {
      stream.fields.emplace_back(std::string(name), std::string(value));
    } else {
      stream.request.AddHeader(name, value);
    }
  }

  static int OnHeader(nghttp2_session* /*session*/, const nghttp2_frame* frame,
                      const std::uint8_t* name_bytes, std::size_t name_length,
                      const std::uint8_t* value_bytes, std::size_t value_length,
                      std::uint8_t /*flags*/, void* user_data) {
    Session& self = From(user_data);
    // Header blocks do not interleave: the fields are most likely the newest stream's.
    Stream* stream = self.receiving_ != nullptr && self.receiving_->id == frame->hd.stream_id
                         ? self.receiving_
                         : self.FindStream(frame->hd.stream_id);
    // Trailers are never headers (see the HTTP/1 parser): they are counted, then dropped.
    if (stream == nullptr || stream->headers_done) return 0;
    stream->header_bytes += name_length + value_length + kPerFieldOverhead;
    if (stream->header_bytes > self.header_list_limit_) {
      stream->header_too_large = true;
      stream->fields.clear();
      stream->fields.shrink_to_fit();
      return 0;
    }
    if (stream->header_too_large) return 0;
    const std::string_view name(reinterpret_cast<const char*>(name_bytes), name_length);
    const std::string_view value(reinterpret_cast<const char*>(value_bytes), value_length);
    if (name.starts_with(':')) {
      if (name == ":method") {
        stream->method = value;
      } else if (name == ":path") {
        stream->path = value;
      } else if (name == ":authority") {
        stream->authority = value;
      } else if (name == ":scheme") {
        stream->scheme = value;
      }
      return 0;
    }
    if (name == "content-length") {
      // nghttp2 has checked it is one decimal number and will hold the DATA frames to it.
      std::uint64_t length = 0;
      for (char c : value) length = length * 10 + static_cast<std::uint64_t>(c - '0');
      stream->content_length = length;
    }
    AddRequestField(*stream, name, value);
    return 0;
  }

  static int OnFrameRecv(nghttp2_session* /*session*/, const nghttp2_frame* frame,
                         void* user_data) {
    Session& self = From(user_data);
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS: {
        Stream* stream = self.FindStream(frame->hd.stream_id);
        if (stream == nullptr) return 0;
        if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) stream->remote_ended = true;
        if (!stream->headers_done) {
          stream->headers_done = true;
          self.OnRequestHead(*stream);
        } else {
          stream->body_signal.Notify();
        }
        return 0;
      }
      case NGHTTP2_DATA: {
        Stream* stream = self.FindStream(frame->hd.stream_id);
        if (stream != nullptr && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
          stream->remote_ended = true;
          stream->body_signal.Notify();
        }
        return 0;
      }
      case NGHTTP2_RST_STREAM:
        self.CountReset();
        return 0;
      default:
        return 0;
    }
  }

  static int OnDataChunkRecv(nghttp2_session* session, std::uint8_t /*flags*/,
                             std::int32_t stream_id, const std::uint8_t* data, std::size_t length,
                             void* user_data) {
    Session& self = From(user_data);
    Stream* stream = self.FindStream(stream_id);
    if (stream == nullptr || stream->response_ended || stream->closed) {
      nghttp2_session_consume(session, stream_id, length);
      return 0;
    }
    stream->in.append(reinterpret_cast<const char*>(data), length);
    stream->unconsumed += length;
    stream->body_signal.Notify();
    return 0;
  }

  static int OnStreamClose(nghttp2_session* /*session*/, std::int32_t stream_id,
                           std::uint32_t /*error_code*/, void* user_data) {
    Session& self = From(user_data);
    // nghttp2 still hands out the stream's user data in this callback.
    Stream* closing = self.FindStream(stream_id);
    if (closing == nullptr) return 0;
    const std::shared_ptr<Stream> stream = self.Forget(*closing);
    stream->closed = true;
    self.DropRequestBody(*stream);
    stream->body_signal.Notify();
    stream->out_signal.Notify();
    self.MaybeIdle();
    return 0;
  }

  static int OnFrameSend(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) {
      return 0;
    }
    Session& self = From(user_data);
    Stream* stream = self.FindStream(frame->hd.stream_id);
    if (stream == nullptr) return 0;
    stream->response_ended = true;
    if (!stream->remote_ended) {
      // Answered before the client finished its body: as Go does (RFC 9113 section 8.1), ask it
      // to stop sending with RST_STREAM(NO_ERROR), and drop what it sends meanwhile.
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream->id, NGHTTP2_NO_ERROR);
      self.DropRequestBody(*stream);
    }
    return 0;
  }

  static ssize_t ReadResponseData(nghttp2_session* /*session*/, std::int32_t /*stream_id*/,
                                  std::uint8_t* buffer, std::size_t length,
                                  std::uint32_t* data_flags, nghttp2_data_source* source,
                                  void* /*user_data*/) {
    Stream& s = *static_cast<Stream*>(source->ptr);
    const std::size_t available = s.out.size() - s.out_offset;
    if (available > 0) {
      const std::size_t n = std::min(available, length);
      std::memcpy(buffer, s.out.data() + s.out_offset, n);
      s.out_offset += n;
      if (s.out_offset == s.out.size()) {
        s.out.clear();
        s.out_offset = 0;
        if (s.out_eof) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      }
      s.out_signal.Notify();
      return static_cast<ssize_t>(n);
    }
    // The source failed or broke its length: reset the stream (INTERNAL_ERROR) so that the
    // client sees a cut body, never a complete-looking one.
    if (s.out_failed) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    if (s.out_eof) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    s.deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }

  const asio::any_io_executor executor_;
  Http2Transport& transport_;
  const Http2SessionContext context_;
  const std::uint32_t max_streams_;
  const std::size_t header_list_limit_;
  nghttp2_session* session_ = nullptr;

  // Open in nghttp2, in no particular order: each stream knows its slot, and nghttp2 maps ids
  // to streams.
  std::vector<std::shared_ptr<Stream>> streams_;
  Stream* receiving_ = nullptr;                 // the open stream whose head began last
  Http2ResponseHead head_;                      // Submit's
  std::deque<std::shared_ptr<Stream>> queued_;  // waiting for a handler
  std::size_t running_handlers_ = 0;
  std::size_t tasks_ = 0;  // coroutines Run waits for: writer, watchdog, handlers
  ResetRateLimiter resets_;

  bool started_ = false;
  bool shutdown_requested_ = false;
  bool goaway_sent_ = false;
  bool calmed_ = false;
  bool broken_ = false;    // the transport failed or the client left
  bool finished_ = false;  // the writer is done: nothing more goes out
  bool reader_done_ = false;

  bool writing_ = false;
  Clock::time_point write_deadline_;
  Clock::time_point idle_since_;
  Clock::time_point armed_ = Clock::time_point::max();

  Signal writer_signal_;
  Signal tasks_signal_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer linger_timer_;
};

Awaitable<Result<std::string_view>> Stream::Read() { co_return co_await session.ReadBody(*this); }

}  // namespace

std::unique_ptr<Http2Session> Http2Session::Create(asio::any_io_executor executor,
                                                   Http2Transport& transport,
                                                   Http2SessionContext context) {
  return std::make_unique<Session>(std::move(executor), transport, std::move(context));
}

}  // namespace kauth::server
