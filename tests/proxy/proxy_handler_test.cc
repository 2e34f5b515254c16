#include "proxy/proxy_handler.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "log/log.h"
#include "proxy/test_upstream.h"
#include "testing/cert_factory.h"

namespace kauth::proxy {
namespace {

namespace asio = boost::asio;
using testing::ClosedPort;
using testing::ReceivedRequest;
using testing::TestUpstream;

const UserInfo kAlice{.name = "alice",
                      .uid = "42",
                      .groups = {"devs", "system:authenticated"},
                      .extra = {{"scopes", {"read", "write"}}}};
const UserInfo kAnonymous{.name = "system:anonymous", .groups = {"system:unauthenticated"}};

// Log lines, captured (the sink is a plain function pointer).
std::mutex log_mu;
std::vector<std::string> log_lines;
void CaptureLog(std::string_view line) {
  const std::lock_guard lock(log_mu);
  log_lines.emplace_back(line);
}

class ProxyHandlerTest : public ::testing::Test {
 protected:
  ProxyHandlerTest() {
    log_lines.clear();
    log::SetSinkForTesting(&CaptureLog);
  }
  ~ProxyHandlerTest() override { log::SetSinkForTesting(nullptr); }

  std::unique_ptr<ProxyHandler> MakeHandler(UpstreamOptions upstream) {
    Result<std::unique_ptr<UpstreamClient>> client = UpstreamClient::Create(std::move(upstream));
    EXPECT_TRUE(client) << client.error().message;
    if (!client) return nullptr;
    return std::make_unique<ProxyHandler>(
        ProxyHandlerOptions{.upstream = std::shared_ptr<UpstreamClient>(std::move(*client))});
  }

  static std::string Url(const TestUpstream& upstream) {
    return "http://127.0.0.1:" + std::to_string(upstream.port());
  }

  http::ServerResponse Handle(const ProxyHandler& handler, http::ServerRequest& request,
                              std::optional<UserInfo> user) {
    state_.user = std::move(user);
    return testing::RunOn(io_, handler.Handle(request, state_));
  }

  std::string ReadAll(http::BodySource& body) {
    auto read = [&]() -> Awaitable<std::string> {
      std::string out;
      for (;;) {
        Result<std::string_view> piece = co_await body.Read();
        if (!piece) co_return "error: " + piece.error().message;
        if (piece->empty()) co_return out;
        out.append(*piece);
      }
    };
    return testing::RunOn(io_, read());
  }

  static http::ServerRequest& Prepare(http::ServerRequest& request, std::string target,
                                      const HeaderList& headers = {}) {
    request.set_method("GET");
    request.SetTarget(std::move(target));
    request.set_remote_address("192.0.2.7:51234");
    for (const auto& [name, value] : headers) request.AddHeader(name, value);
    return request;
  }

  asio::io_context io_;
  http::RequestState state_;
};

TEST_F(ProxyHandlerTest, ImpersonationIsRefusedBeforeAnythingIsSent) {
  TestUpstream upstream;
  auto handler = MakeHandler({.url = Url(upstream)});
  http::ServerRequest request;
  Prepare(request, "/api/v1/pods", {{"Impersonate-User", "admin"}});
  const http::ServerResponse response = Handle(*handler, request, kAlice);
  EXPECT_EQ(response.status, 403u);
  EXPECT_EQ(response.body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"forbidden: impersonation through kauthd is not supported",)"
            R"("reason":"Forbidden","details":{},"code":403})"
            "\n");
  EXPECT_EQ(response.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(upstream.accepts(), 0);
}

TEST_F(ProxyHandlerTest, AnonymousCallerIsRefused) {
  TestUpstream upstream;
  auto handler = MakeHandler({.url = Url(upstream)});
  http::ServerRequest request;
  Prepare(request, "/healthz");
  const http::ServerResponse response = Handle(*handler, request, kAnonymous);
  EXPECT_EQ(response.status, 403u);
  EXPECT_EQ(response.body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"forbidden: User \"system:anonymous\" cannot get path \"/healthz\"",)"
            R"("reason":"Forbidden","details":{},"code":403})"
            "\n");
  EXPECT_EQ(upstream.accepts(), 0);
}

TEST_F(ProxyHandlerTest, ForwardsIdentityHeadersAndPassesTheResponseBack) {
  TestUpstream upstream;
  auto handler = MakeHandler({.url = Url(upstream)});
  http::ServerRequest request;
  Prepare(request, "/echo?x=1", {{"Host", "kauthd.example:6443"}, {"Accept", "*/*"}});
  http::ServerResponse response = Handle(*handler, request, kAlice);
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(response.Header("Content-Type"), "text/plain");
  // A small body that came whole with the head goes back as a body, written with the head.
  EXPECT_EQ(response.stream, nullptr);
  EXPECT_EQ(response.body, "GET /echo?x=1 0");
  EXPECT_FALSE(response.upgrade);

  const ReceivedRequest received = upstream.last();
  EXPECT_EQ(received.target, "/echo?x=1");
  EXPECT_EQ(received.headers, (HeaderList{{"Host", "127.0.0.1:" + std::to_string(upstream.port())},
                                          {"Accept", "*/*"},
                                          {"X-Forwarded-For", "192.0.2.7"},
                                          {"X-Forwarded-Proto", "https"},
                                          {"X-Forwarded-Host", "kauthd.example:6443"},
                                          {"X-Remote-User", "alice"},
                                          {"X-Remote-Group", "devs"},
                                          {"X-Remote-Group", "system:authenticated"},
                                          {"X-Remote-Uid", "42"},
                                          {"X-Remote-Extra-scopes", "read"},
                                          {"X-Remote-Extra-scopes", "write"}}));
}

// A body larger than one read is streamed: kauthd never holds a whole large body.
TEST_F(ProxyHandlerTest, LargeResponseBodyIsStreamedBack) {
  TestUpstream upstream;
  auto handler = MakeHandler({.url = Url(upstream)});
  http::ServerRequest request;
  constexpr std::uint64_t kBytes = 1 << 20;
  Prepare(request, "/large?bytes=" + std::to_string(kBytes), {});
  http::ServerResponse response = Handle(*handler, request, kAlice);
  EXPECT_EQ(response.status, 200u);
  ASSERT_NE(response.stream, nullptr);
  EXPECT_EQ(response.stream->length(), std::optional<std::uint64_t>(kBytes));
  EXPECT_EQ(ReadAll(*response.stream).size(), kBytes);
  EXPECT_TRUE(response.body.empty());
}

TEST_F(ProxyHandlerTest, ClientIdentityHeadersAreStripped) {
  TestUpstream upstream;
  auto handler = MakeHandler({.url = Url(upstream)});
  http::ServerRequest request;
  Prepare(request, "/echo",
          {{"X-Remote-User", "admin"},
           {"x-remote-group", "system:masters"},
           {"X-Remote-Extra-Foo", "bar"},
           {"Authorization", "Bearer client-token"}});
  const http::ServerResponse response = Handle(*handler, request, kAlice);
  EXPECT_EQ(response.status, 200u);
  const ReceivedRequest received = upstream.last();
  EXPECT_EQ(received.Count("X-Remote-User"), 1);
  EXPECT_EQ(received.Header("X-Remote-User"), "alice");
  EXPECT_EQ(received.Count("X-Remote-Group"), 2);
  EXPECT_EQ(received.Count("X-Remote-Extra-Foo"), 0);
  EXPECT_EQ(received.Count("Authorization"), 0);
}

TEST_F(ProxyHandlerTest, UnreachableUpstreamIsBadGatewayAndLoggedWithoutTheToken) {
  const std::uint16_t port = ClosedPort();
  kauth::testing::TempDir dir;
  auto handler = MakeHandler({.url = "http://127.0.0.1:" + std::to_string(port),
                              .token_file = dir.WriteFile("token", "upstream-secret\n")});
  http::ServerRequest request;
  Prepare(request, "/api?token=query-secret");
  const http::ServerResponse response = Handle(*handler, request, kAlice);
  EXPECT_EQ(response.status, 502u);
  EXPECT_EQ(response.body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                           R"("message":"error trying to reach upstream: dial tcp 127.0.0.1:)" +
                               std::to_string(port) +
                               R"(: connect: connection refused","code":502})" + "\n");
  EXPECT_EQ(response.stream, nullptr);
  const std::lock_guard lock(log_mu);
  ASSERT_EQ(log_lines.size(), 1u);
  EXPECT_NE(log_lines[0].find("\"Upstream request failed\""), std::string::npos) << log_lines[0];
  EXPECT_NE(log_lines[0].find("connection refused"), std::string::npos) << log_lines[0];
  EXPECT_EQ(log_lines[0].find("secret"), std::string::npos) << log_lines[0];
}

TEST_F(ProxyHandlerTest, UpstreamTimeoutIsGatewayTimeout) {
  TestUpstream upstream;
  auto handler = MakeHandler({.url = Url(upstream), .timeout = std::chrono::milliseconds(200)});
  http::ServerRequest request;
  Prepare(request, "/hang");
  const http::ServerResponse response = Handle(*handler, request, kAlice);
  EXPECT_EQ(response.status, 504u);
  EXPECT_EQ(response.body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                           R"("message":"Timeout: the upstream did not answer within 200ms",)"
                           R"("reason":"Timeout","details":{},"code":504})"
                           "\n");
}

// The client's side of an upgraded connection: sends "ping", then ends its side once it saw
// everything it expects back.
class ScriptedClient final : public http::ByteStream {
 public:
  explicit ScriptedClient(std::string expected) : expected_(std::move(expected)) {}

  Awaitable<Result<std::size_t>> ReadSome(std::span<char> buffer) override {
    if (!sent_) {
      sent_ = true;
      std::copy_n("ping", 4, buffer.data());
      co_return std::size_t{4};
    }
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!closed_ && received.size() < expected_.size() &&
           std::chrono::steady_clock::now() < give_up) {
      timer.expires_after(std::chrono::milliseconds(2));
      co_await timer.async_wait(asio::use_awaitable);
    }
    if (closed_) co_return Error{"closed"};
    co_return std::size_t{0};
  }
  Awaitable<Result<void>> Write(std::string_view data) override {
    received.append(data);
    co_return Result<void>();
  }
  void Close() override { closed_ = true; }

  std::string received;

 private:
  std::string expected_;
  bool sent_ = false;
  bool closed_ = false;
};

TEST_F(ProxyHandlerTest, UpgradeIsSplicedToTheUpstream) {
  TestUpstream upstream;
  auto handler = MakeHandler({.url = Url(upstream)});
  http::ServerRequest request;
  Prepare(request, "/upgrade", {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}});
  http::ServerResponse response = Handle(*handler, request, kAlice);
  ASSERT_EQ(response.status, 101u);
  EXPECT_EQ(response.headers, (HeaderList{{"Upgrade", "websocket"}}));
  ASSERT_TRUE(response.upgrade);
  EXPECT_EQ(upstream.last().Header("Upgrade"), "websocket");
  EXPECT_EQ(upstream.last().Header("Connection"), "Upgrade");

  ScriptedClient client("greetingping");
  // The server may drop the response once `upgrade` started; the splice must not need it.
  auto upgrade = std::move(response.upgrade);
  response = http::ServerResponse{};
  testing::RunOn(io_, [&]() -> Awaitable<bool> {
    Awaitable<void> splice = upgrade(client);
    upgrade = nullptr;
    co_await std::move(splice);
    co_return true;
  }());
  EXPECT_EQ(client.received, "greetingping");
}

}  // namespace
}  // namespace kauth::proxy
