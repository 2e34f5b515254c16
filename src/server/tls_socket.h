// TlsSocket: the server side of a TLS connection, OpenSSL driven directly on a non-blocking TCP
// socket. Each call tries OpenSSL first and goes to the socket only when OpenSSL asks for it: a
// write sends at once, a read receives (asio's speculative receive) into a staging buffer that
// OpenSSL reads next. A keep-alive request costs one SSL_read, one SSL_write, one recv(2) and one
// send(2), with no composed operations around them (asio::ssl::stream costs ~5k instructions a
// request more).
//
// One ReadSome and one WriteAll may be outstanding at once (an HTTP/2 session reads and writes
// concurrently); they must run on the same single-threaded executor, so OpenSSL is never entered
// twice at a time. Either direction copes with OpenSSL wanting the other one (TLS 1.3 KeyUpdate).
//
// Errors: asio::error::eof when the peer closed (close_notify, or TCP FIN after a complete
// record), asio::ssl::error::stream_truncated when TCP ended without close_notify in the middle of
// nothing, operation_aborted after Cancel or Close, and otherwise an OpenSSL error (ssl category,
// OpenSSL's reason as message) or the socket's errno.
#ifndef KAUTH_SERVER_TLS_SOCKET_H_
#define KAUTH_SERVER_TLS_SOCKET_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>

// Same declarations as OpenSSL's <openssl/types.h>.
typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace kauth::server {

struct TlsSocketBio;

class TlsSocket {
 public:
  using error_code = boost::system::error_code;

  // Takes `socket` (connected) and makes it non-blocking; the TLS session is created from `ctx`
  // by BeginTls.
  explicit TlsSocket(boost::asio::ip::tcp::socket socket);
  ~TlsSocket();
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  boost::asio::ip::tcp::socket& socket() { return socket_; }
  // Null before BeginTls.
  SSL* native_handle() const { return ssl_; }

  // Peeks at up to `size` bytes without consuming them: how many are there (at least one, at
  // most `size`), 0 at end of stream. Waits for the first byte only.
  boost::asio::awaitable<std::pair<error_code, std::size_t>> Peek(char* data, std::size_t size);
  // Reads some bytes off the raw TCP socket (before TLS, or to discard after it).
  boost::asio::awaitable<std::pair<error_code, std::size_t>> ReadRaw(char* data, std::size_t size);
  // Writes all of `data` on the raw TCP socket.
  boost::asio::awaitable<error_code> WriteRaw(std::string_view data);

  // Creates the server-side TLS session. `consumed` are bytes already read off the socket, which
  // OpenSSL reads before the socket (normally none: the caller peeks). False when OpenSSL could
  // not allocate it.
  bool BeginTls(SSL_CTX* ctx, std::string_view consumed);
  boost::asio::awaitable<error_code> Handshake();
  // Reads decrypted bytes: how many (at least one when there is no error).
  boost::asio::awaitable<std::pair<error_code, std::size_t>> ReadSome(char* data, std::size_t size);
  boost::asio::awaitable<error_code> WriteAll(std::string_view data);
  // Sends close_notify and waits for the peer's (bounded by the caller's Cancel).
  boost::asio::awaitable<error_code> Shutdown();

  // Makes the pending operations finish with operation_aborted; later ones work as before.
  void Cancel();
  // Closes the socket (both directions shut down first). Idempotent.
  void Close();
  bool is_open() const { return socket_.is_open(); }

 private:
  // What an OpenSSL call that returned `ret` <= 0 wants: {error, wait direction}.
  enum class Want { kNone, kRead, kWrite };
  Want Classify(int ret, error_code& ec);
  // Waits until OpenSSL can go on in the direction it wants: reads stage bytes for the BIO.
  boost::asio::awaitable<error_code> WaitFor(Want want);
  // A receive into the BIO's staging buffer: the free space to receive into, then the outcome
  // (end of stream becomes the BIO's end, for OpenSSL to judge).
  boost::asio::mutable_buffer BeginFill();
  error_code EndFill(error_code ec, std::size_t received);
  // True when SSL_read can only ask for more bytes: nothing staged or buffered, no end seen.
  bool NeedsBytesToRead() const;

  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<TlsSocketBio> bio_state_;  // the BIO's state; outlives ssl_
  SSL* ssl_ = nullptr;
};

}  // namespace kauth::server

#endif  // KAUTH_SERVER_TLS_SOCKET_H_
