// A small HTTP/2 client for tests, on nghttp2's client session over TlsClient (ALPN "h2"): it
// submits requests, resets streams, and records what the server sent: responses, stream resets,
// GOAWAY and its SETTINGS. Blocking, single-threaded; every wait has a deadline.
#ifndef KAUTH_TESTS_SERVER_H2_TEST_CLIENT_H_
#define KAUTH_TESTS_SERVER_H2_TEST_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/server_test_support.h"

typedef struct nghttp2_session nghttp2_session;

namespace kauth::server::testing {

class H2TestClient {
 public:
  struct Response {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // as received (lower-case)
    std::string body;
    bool closed = false;                 // the stream ended (normally or reset)
    std::optional<std::uint32_t> reset;  // the stream's RST_STREAM error code, if reset
    // The first value of `name`, "" when absent.
    std::string Header(std::string_view name) const;
  };

  // Connects with ALPN "h2" and sends the client preface; null when the connection, the
  // handshake or the ALPN choice fails.
  static std::unique_ptr<H2TestClient> Connect(std::uint16_t port,
                                               const ClientOptions& options = {});
  ~H2TestClient();

  // Queues a request (sent by Flush or Run*): its stream id. `body` is sent as DATA when not
  // nullopt. An empty `path` sends no :path at all (a malformed request).
  std::int32_t Submit(std::string method, std::string path,
                      std::vector<std::pair<std::string, std::string>> headers = {},
                      std::optional<std::string> body = std::nullopt);
  // Queues RST_STREAM(CANCEL) for `stream`.
  void Reset(std::int32_t stream);
  // Writes everything queued. False when the connection is gone.
  bool Flush();
  // Reads and processes frames until `done` holds (true), the connection closes or the timeout
  // passes (false unless `done` holds then).
  bool RunUntil(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Runs until `stream` is closed.
  bool Await(std::int32_t stream, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  const Response& response(std::int32_t stream) { return responses_[stream]; }
  // The GOAWAY the server sent: its error code and last stream id.
  std::optional<std::uint32_t> goaway_error() const { return goaway_error_; }
  std::int32_t goaway_last_stream() const { return goaway_last_stream_; }
  // The server closed the connection.
  bool closed() const { return tls_->eof(); }
  // The server's SETTINGS_MAX_CONCURRENT_STREAMS (nghttp2's default before SETTINGS arrive).
  std::uint32_t server_max_concurrent_streams() const;
  std::uint32_t server_initial_window_size() const;

 private:
  H2TestClient() = default;

  std::unique_ptr<TlsClient> tls_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Response> responses_;
  std::map<std::int32_t, std::string> bodies_;  // request bodies being sent
  std::optional<std::uint32_t> goaway_error_;
  std::int32_t goaway_last_stream_ = -1;
  bool shut_down_ = false;
  friend struct H2TestClientCallbacks;
};

}  // namespace kauth::server::testing

#endif  // KAUTH_TESTS_SERVER_H2_TEST_CLIENT_H_
