#include "server/h2_test_client.h"

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "core/strings.h"

namespace kauth::server::testing {

using Clock = std::chrono::steady_clock;

struct H2TestClientCallbacks {
  static H2TestClient& From(void* user_data) { return *static_cast<H2TestClient*>(user_data); }

  static int OnHeader(nghttp2_session* /*session*/, const nghttp2_frame* frame,
                      const std::uint8_t* name, std::size_t name_length, const std::uint8_t* value,
                      std::size_t value_length, std::uint8_t /*flags*/, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    H2TestClient::Response& response = From(user_data).responses_[frame->hd.stream_id];
    const std::string n(reinterpret_cast<const char*>(name), name_length);
    const std::string v(reinterpret_cast<const char*>(value), value_length);
    if (n == ":status") {
      response.status = std::stoi(v);
    } else {
      response.headers.emplace_back(n, v);
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session* /*session*/, std::uint8_t /*flags*/,
                         std::int32_t stream_id, const std::uint8_t* data, std::size_t length,
                         void* user_data) {
    From(user_data).responses_[stream_id].body.append(reinterpret_cast<const char*>(data), length);
    return 0;
  }

  static int OnFrameRecv(nghttp2_session* /*session*/, const nghttp2_frame* frame,
                         void* user_data) {
    H2TestClient& client = From(user_data);
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      client.goaway_error_ = frame->goaway.error_code;
      client.goaway_last_stream_ = frame->goaway.last_stream_id;
    } else if (frame->hd.type == NGHTTP2_RST_STREAM) {
      client.responses_[frame->hd.stream_id].reset = frame->rst_stream.error_code;
    }
    return 0;
  }

  static int OnStreamClose(nghttp2_session* /*session*/, std::int32_t stream_id,
                           std::uint32_t /*error_code*/, void* user_data) {
    From(user_data).responses_[stream_id].closed = true;
    return 0;
  }

  static ssize_t ReadBody(nghttp2_session* /*session*/, std::int32_t stream_id,
                          std::uint8_t* buffer, std::size_t length, std::uint32_t* flags,
                          nghttp2_data_source* /*source*/, void* user_data) {
    std::string& body = From(user_data).bodies_[stream_id];
    const std::size_t n = std::min(length, body.size());
    std::memcpy(buffer, body.data(), n);
    body.erase(0, n);
    if (body.empty()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
};

std::string H2TestClient::Response::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

std::unique_ptr<H2TestClient> H2TestClient::Connect(std::uint16_t port,
                                                    const ClientOptions& options) {
  ClientOptions h2 = options;
  h2.alpn = {"h2"};
  std::unique_ptr<H2TestClient> client(new H2TestClient());
  client->tls_ = TlsClient::Connect(port, h2);
  if (client->tls_ == nullptr || client->tls_->alpn_selected() != "h2") return nullptr;
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, H2TestClientCallbacks::OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                            H2TestClientCallbacks::OnDataChunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks,
                                                       H2TestClientCallbacks::OnFrameRecv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks,
                                                         H2TestClientCallbacks::OnStreamClose);
  nghttp2_session_client_new(&client->session_, callbacks, client.get());
  nghttp2_session_callbacks_del(callbacks);
  nghttp2_submit_settings(client->session_, NGHTTP2_FLAG_NONE, nullptr, 0);
  if (!client->Flush()) return nullptr;
  return client;
}

H2TestClient::~H2TestClient() {
  if (session_ != nullptr) nghttp2_session_del(session_);
}

std::int32_t H2TestClient::Submit(std::string method, std::string path,
                                  std::vector<std::pair<std::string, std::string>> headers,
                                  std::optional<std::string> body) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {":method", std::move(method)}, {":scheme", "https"}, {":authority", "localhost"}};
  if (!path.empty()) fields.emplace_back(":path", std::move(path));
  for (auto& field : headers) fields.push_back(std::move(field));
  std::vector<nghttp2_nv> nva;
  for (const auto& [name, value] : fields) {
    nva.push_back({const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(name.data())),
                   const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(value.data())),
                   name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  nghttp2_data_provider provider{};
  provider.read_callback = H2TestClientCallbacks::ReadBody;
  const std::int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                                 body ? &provider : nullptr, nullptr);
  if (id > 0 && body) bodies_[id] = std::move(*body);
  if (id > 0) responses_[id];
  return id;
}

void H2TestClient::Reset(std::int32_t stream) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
}

bool H2TestClient::Flush() {
  std::string out;
  for (;;) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  return out.empty() || tls_->Write(out);
}

bool H2TestClient::RunUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  // Writes may fail once the server closed its side; what it sent before is still read.
  while (!done()) {
    Flush();
    // As real clients do: once a GOAWAY left nothing to wait for, close our side.
    if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_) &&
        !shut_down_) {
      shut_down_ = true;
      SSL_shutdown(tls_->ssl());
      ::shutdown(tls_->fd(), SHUT_WR);
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    const std::string data = tls_->ReadSome(std::min<std::chrono::milliseconds>(left, 100ms));
    if (data.empty()) {
      if (tls_->eof()) return done();
      continue;
    }
    // After a connection error nghttp2 stops parsing; reading goes on to see the close.
    nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(data.data()),
                             data.size());
  }
  Flush();
  return true;
}

bool H2TestClient::Await(std::int32_t stream, std::chrono::milliseconds timeout) {
  return RunUntil([this, stream] { return responses_[stream].closed; }, timeout);
}

std::uint32_t H2TestClient::server_max_concurrent_streams() const {
  return nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

std::uint32_t H2TestClient::server_initial_window_size() const {
  return nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE);
}

}  // namespace kauth::server::testing
