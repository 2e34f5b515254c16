#include "server/tls_socket.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <string>

namespace kauth::server {
namespace {

namespace asio = boost::asio;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

// What the BIO reads and writes through. A BIO of our own instead of OpenSSL's socket BIO:
// OpenSSL writes with write(2), which raises SIGPIPE on a reset connection (asio does not ignore
// SIGPIPE on Linux; its own sends use MSG_NOSIGNAL), and bytes read off the socket before TLS
// began must be read again by OpenSSL.
//
// Reads never touch the socket: OpenSSL takes what is staged, and TlsSocket::Fill stages more
// with asio's own receive. Waiting with async_wait instead costs an epoll_ctl(2) per wait (asio
// re-arms the descriptor for a non-speculative operation) and a recv(2) that finds nothing
// before each one: two system calls per request on a keep-alive connection.
struct TlsSocketBio {
  // Requests fit the small buffer, so thousands of idle connections hold little; a connection
  // that fills it (an upload) gets the large one, a whole TLS record per receive.
  static constexpr std::size_t kSmallStaging = 2 * 1024;
  static constexpr std::size_t kLargeStaging = 16 * 1024 + 512;

  int fd = -1;
  std::unique_ptr<char[]> staging;  // allocated on first use, not initialised
  std::size_t capacity = 0;
  std::size_t begin = 0;  // staging[begin, end) is not yet read by OpenSSL
  std::size_t end = 0;
  bool filling = false;  // a receive into staging[end, capacity) is in flight
  bool grow = false;     // the last receive filled all the space it had
  bool eof = false;
  int last_errno = 0;

  std::size_t staged() const { return end - begin; }
};

namespace {

int BioWrite(BIO* bio, const char* data, int size) {
  auto* state = static_cast<TlsSocketBio*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  for (;;) {
    const ssize_t n = ::send(state->fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      BIO_set_retry_write(bio);
    } else {
      state->last_errno = errno;
    }
    return -1;
  }
}

int BioRead(BIO* bio, char* data, int size) {
  auto* state = static_cast<TlsSocketBio*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (state->staged() == 0) {
    if (state->eof) return 0;
    BIO_set_retry_read(bio);
    return -1;
  }
  const std::size_t n = std::min(state->staged(), static_cast<std::size_t>(size));
  std::memcpy(data, state->staging.get() + state->begin, n);
  state->begin += n;
  return static_cast<int>(n);
}

long BioCtrl(BIO* bio, int command, long /*num*/, void* /*ptr*/) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_EOF:
      // OpenSSL tells a TCP end without close_notify from a socket error by this.
      return static_cast<TlsSocketBio*>(BIO_get_data(bio))->eof ? 1 : 0;
    default:
      return 0;
  }
}

int BioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// OpenSSL's SSL_get_error needs an empty error queue before each call. ERR_clear_error costs
// ~450 instructions even on an empty queue; peeking first costs a fraction of that.
void ClearErrors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

const BIO_METHOD* SocketBioMethod() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kauth socket");
    BIO_meth_set_write(m, BioWrite);
    BIO_meth_set_read(m, BioRead);
    BIO_meth_set_ctrl(m, BioCtrl);
    BIO_meth_set_create(m, BioCreate);
    return m;
  }();
  return method;
}

}  // namespace

TlsSocket::TlsSocket(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {
  error_code ignored;
  socket_.native_non_blocking(true, ignored);
}

TlsSocket::~TlsSocket() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

asio::awaitable<std::pair<TlsSocket::error_code, std::size_t>> TlsSocket::Peek(char* data,
                                                                               std::size_t size) {
  for (;;) {
    const ssize_t n = ::recv(socket_.native_handle(), data, size, MSG_PEEK | MSG_DONTWAIT);
    if (n >= 0) co_return std::pair(error_code(), static_cast<std::size_t>(n));
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      co_return std::pair(error_code(errno, boost::system::system_category()), std::size_t{0});
    }
    auto [ec] = co_await socket_.async_wait(asio::socket_base::wait_read, kUseTuple);
    if (ec) co_return std::pair(ec, std::size_t{0});
  }
}

asio::awaitable<std::pair<TlsSocket::error_code, std::size_t>> TlsSocket::ReadRaw(
    char* data, std::size_t size) {
  auto [ec, n] = co_await socket_.async_read_some(asio::buffer(data, size), kUseTuple);
  co_return std::pair(ec, n);
}

asio::awaitable<TlsSocket::error_code> TlsSocket::WriteRaw(std::string_view data) {
  auto [ec, n] =
      co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()), kUseTuple);
  (void)n;
  co_return ec;
}

bool TlsSocket::BeginTls(SSL_CTX* ctx, std::string_view consumed) {
  ssl_ = SSL_new(ctx);
  if (ssl_ == nullptr) return false;
  BIO* bio = BIO_new(SocketBioMethod());
  if (bio == nullptr) return false;
  bio_state_ = std::make_unique<TlsSocketBio>();
  bio_state_->fd = socket_.native_handle();
  if (!consumed.empty()) {
    // Peeked bytes: normally none are consumed, and never more than a record header's worth.
    assert(consumed.size() <= TlsSocketBio::kSmallStaging);
    bio_state_->staging = std::make_unique_for_overwrite<char[]>(TlsSocketBio::kSmallStaging);
    bio_state_->capacity = TlsSocketBio::kSmallStaging;
    std::memcpy(bio_state_->staging.get(), consumed.data(), consumed.size());
    bio_state_->end = consumed.size();
  }
  BIO_set_data(bio, bio_state_.get());
  SSL_set_bio(ssl_, bio, bio);
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // One recv(2) per record instead of two (header, then body). Safe because every read asks
  // OpenSSL first and waits on the socket only when it wants more bytes.
  SSL_set_read_ahead(ssl_, 1);
  SSL_set_accept_state(ssl_);
  return true;
}

asio::mutable_buffer TlsSocket::BeginFill() {
  TlsSocketBio& bio = *bio_state_;
  assert(!bio.filling);
  if (!bio.staging || (bio.grow && bio.capacity < TlsSocketBio::kLargeStaging)) {
    const std::size_t capacity =
        bio.staging ? TlsSocketBio::kLargeStaging : TlsSocketBio::kSmallStaging;
    auto staging = std::make_unique_for_overwrite<char[]>(capacity);
    if (bio.staged() > 0) std::memcpy(staging.get(), bio.staging.get() + bio.begin, bio.staged());
    bio.end = bio.staged();
    bio.begin = 0;
    bio.staging = std::move(staging);
    bio.capacity = capacity;
  }
  if (bio.staged() == 0) {
    bio.begin = bio.end = 0;
  } else if (bio.end == bio.capacity) {
    std::memmove(bio.staging.get(), bio.staging.get() + bio.begin, bio.staged());
    bio.end -= bio.begin;
    bio.begin = 0;
  }
  bio.filling = true;
  return asio::buffer(bio.staging.get() + bio.end, bio.capacity - bio.end);
}

TlsSocket::error_code TlsSocket::EndFill(error_code ec, std::size_t received) {
  TlsSocketBio& bio = *bio_state_;
  bio.filling = false;
  bio.grow = received > 0 && bio.end + received == bio.capacity;
  bio.end += received;
  // OpenSSL tells a clean end (close_notify seen) from a truncated one; it reads the end from
  // the BIO.
  if (ec == asio::error::eof) {
    bio.eof = true;
    return error_code();
  }
  return ec;
}

asio::awaitable<TlsSocket::error_code> TlsSocket::WaitFor(Want want) {
  if (want == Want::kRead && !bio_state_->filling) {
    const asio::mutable_buffer space = BeginFill();
    auto [ec, received] = co_await socket_.async_receive(space, kUseTuple);
    co_return EndFill(ec, received);
  }
  // Writing, or OpenSSL wants to read while ReadSome already waits for bytes (an HTTP/2 session
  // reads and writes at once). With renegotiation off, SSL_write does not want to read, so the
  // second case is not expected; if it came, the readiness wait would end with ReadSome's bytes
  // or at the connection's deadline.
  const auto wait_type =
      want == Want::kRead ? asio::socket_base::wait_read : asio::socket_base::wait_write;
  auto [ec] = co_await socket_.async_wait(wait_type, kUseTuple);
  co_return ec;
}

TlsSocket::Want TlsSocket::Classify(int ret, error_code& ec) {
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      return Want::kRead;
    case SSL_ERROR_WANT_WRITE:
      return Want::kWrite;
    case SSL_ERROR_ZERO_RETURN:
      ec = asio::error::eof;
      return Want::kNone;
    case SSL_ERROR_SYSCALL: {
      const unsigned long error = ERR_get_error();
      if (error != 0) {
        ec = error_code(static_cast<int>(error), asio::error::get_ssl_category());
      } else if (bio_state_->last_errno != 0) {
        ec = error_code(bio_state_->last_errno, boost::system::system_category());
      } else {
        ec = asio::ssl::error::stream_truncated;
      }
      return Want::kNone;
    }
    default: {
      const unsigned long error = ERR_get_error();
      // As asio::ssl::stream reports it: a TCP end without close_notify.
      if (ERR_GET_REASON(error) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ec = asio::ssl::error::stream_truncated;
      } else {
        ec = error_code(static_cast<int>(error), asio::error::get_ssl_category());
      }
      return Want::kNone;
    }
  }
}

asio::awaitable<TlsSocket::error_code> TlsSocket::Handshake() {
  for (;;) {
    ClearErrors();
    const int ret = SSL_do_handshake(ssl_);
    if (ret == 1) co_return error_code();
    error_code ec;
    const Want want = Classify(ret, ec);
    if (want == Want::kNone) co_return ec;
    const error_code wait_ec = co_await WaitFor(want);
    if (wait_ec) co_return wait_ec;
  }
}

asio::awaitable<std::pair<TlsSocket::error_code, std::size_t>> TlsSocket::ReadSome(
    char* data, std::size_t size) {
  for (;;) {
    if (NeedsBytesToRead()) {
      // SSL_read could only ask for more bytes: receive them first and save the failing call,
      // which every keep-alive request would otherwise make once.
      const asio::mutable_buffer space = BeginFill();
      auto [fill_ec, got] = co_await socket_.async_receive(space, kUseTuple);
      if (const error_code ec = EndFill(fill_ec, got)) co_return std::pair(ec, std::size_t{0});
    }
    ClearErrors();
    std::size_t n = 0;
    const int ret = SSL_read_ex(ssl_, data, size, &n);
    if (ret == 1) co_return std::pair(error_code(), n);
    error_code ec;
    const Want want = Classify(ret, ec);
    if (want == Want::kNone) co_return std::pair(ec, std::size_t{0});
    // The wait inlined rather than through WaitFor: one coroutine frame less per request.
    if (want == Want::kRead) {
      const asio::mutable_buffer space = BeginFill();
      auto [fill_ec, got] = co_await socket_.async_receive(space, kUseTuple);
      ec = EndFill(fill_ec, got);
    } else {
      auto [wait_ec] = co_await socket_.async_wait(asio::socket_base::wait_write, kUseTuple);
      ec = wait_ec;
    }
    if (ec) co_return std::pair(ec, std::size_t{0});
  }
}

bool TlsSocket::NeedsBytesToRead() const {
  const TlsSocketBio& bio = *bio_state_;
  // OpenSSL's own buffer (a record read ahead, decrypted bytes not yet returned), a received
  // close_notify and the TCP end are answered by SSL_read without new bytes.
  return bio.staged() == 0 && !bio.eof && !bio.filling && SSL_has_pending(ssl_) == 0 &&
         (SSL_get_shutdown(ssl_) & SSL_RECEIVED_SHUTDOWN) == 0 && SSL_is_init_finished(ssl_) == 1;
}

asio::awaitable<TlsSocket::error_code> TlsSocket::WriteAll(std::string_view data) {
  while (!data.empty()) {
    ClearErrors();
    std::size_t n = 0;
    const int ret = SSL_write_ex(ssl_, data.data(), data.size(), &n);
    if (ret == 1) {
      data.remove_prefix(n);
      continue;
    }
    error_code ec;
    const Want want = Classify(ret, ec);
    if (want == Want::kNone) co_return ec;
    const error_code wait_ec = co_await WaitFor(want);
    if (wait_ec) co_return wait_ec;
  }
  co_return error_code();
}

asio::awaitable<TlsSocket::error_code> TlsSocket::Shutdown() {
  for (;;) {
    ClearErrors();
    const int ret = SSL_shutdown(ssl_);
    if (ret == 1) co_return error_code();
    // 0: our close_notify is out; call again to wait for the peer's.
    if (ret == 0) continue;
    error_code ec;
    const Want want = Classify(ret, ec);
    if (want == Want::kNone) co_return ec;
    const error_code wait_ec = co_await WaitFor(want);
    if (wait_ec) co_return wait_ec;
  }
}

void TlsSocket::Cancel() {
  error_code ignored;
  socket_.cancel(ignored);
}

void TlsSocket::Close() {
  error_code ignored;
  if (!socket_.is_open()) return;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace kauth::server
