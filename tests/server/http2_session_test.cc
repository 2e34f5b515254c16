// HttpsServer's HTTP/2 (ALPN "h2") against real clients on 127.0.0.1: curl --http2 next to
// curl --http1.1, nghttp, and an nghttp2 client that checks frames (GOAWAY, RST_STREAM,
// SETTINGS).
#include "server/http2_session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/h2_test_client.h"
#include "server/https_server.h"
#include "server/server_test_support.h"

namespace kauth::server {
namespace {

using namespace std::chrono_literals;
using testing::CommandResult;
using testing::EchoHandler;
using testing::H2TestClient;
using testing::HaveTool;
using testing::RunCommand;
using testing::RunningServer;
using testing::TestPki;
using Clock = std::chrono::steady_clock;

// RFC 9113 error codes.
constexpr std::uint32_t kNoError = 0;
constexpr std::uint32_t kProtocolError = 1;
constexpr std::uint32_t kEnhanceYourCalm = 11;

#define REQUIRE_TOOL(tool) \
  if (!HaveTool(tool)) GTEST_SKIP() << tool " is not installed: skipping this real-client test"

class Http2Test : public ::testing::Test {
 protected:
  void Start(std::optional<ServerOptions> options = std::nullopt) {
    handler_ = std::make_shared<EchoHandler>();
    server_ = RunningServer::Start(options ? *options : Options(), handler_);
    ASSERT_NE(server_, nullptr);
  }
  ServerOptions Options() const { return testing::TestServerOptions(pki_); }

  std::unique_ptr<H2TestClient> Connect() {
    std::unique_ptr<H2TestClient> client = H2TestClient::Connect(server_->port());
    EXPECT_NE(client, nullptr) << "h2 connect failed";
    return client;
  }

  std::string Url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }

  // curl with the response head dumped before the body, then the status code on its own line.
  CommandResult Curl(std::string_view protocol, std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "curl", "-sS", "--cacert", pki_.server_ca_file, "--max-time",         "20",
        "-D",   "-",   "-w",       "\n%{http_code}",    std::string(protocol)};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  TestPki pki_;
  std::shared_ptr<EchoHandler> handler_;
  std::unique_ptr<RunningServer> server_;
};

// --- Real clients -------------------------------------------------------------------------------

TEST_F(Http2Test, CurlNegotiatesH2ByDefault) {
  REQUIRE_TOOL("curl");
  Start();
  const CommandResult result = RunCommand(
      {"curl", "-sSv", "--cacert", pki_.server_ca_file, "--max-time", "20", Url("/echo?x=1")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("ALPN: server accepted h2"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("< HTTP/2 200"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("< x-echo-protocol: HTTP/2"), std::string::npos) << result.err;
  EXPECT_NE(result.out.find("method=GET\ntarget=/echo?x=1\npath=/echo\ntls=true\ncerts=0\n"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("header Host: 127.0.0.1:"), std::string::npos) << result.out;
}

// The same requests over both protocols give the same statuses and bodies.
TEST_F(Http2Test, CurlHttp2AndHttp11GetTheSameAnswers) {
  REQUIRE_TOOL("curl");
  Start();
  struct Case {
    const char* name;
    std::vector<std::string> args;
    std::string status;
    std::string body_part;  // found in the body (after the head)
    bool empty_body = false;
  };
  const std::vector<Case> cases = {
      {"get", {Url("/echo?x=1")}, "200", "method=GET\ntarget=/echo?x=1\n"},
      {"post", {"--data-binary", "hello h2", Url("/post")}, "200", "method=POST\n"},
      {"post body", {"--data-binary", "hello h2", Url("/post")}, "200", "body=hello h2\n"},
      {"streamed", {Url("/stream?pieces=3&size=4&delay=20")}, "200", "aaaabbbbcccc"},
      {"streamed with length", {Url("/stream?pieces=2&size=3&length=1")}, "200", "aaabbb"},
      {"404", {Url("/status?code=404")}, "404", "x"},
      {"throw", {Url("/throw")}, "500", "This request caused apiserver to panic."},
      {"inline", {Url("/inline?x=1")}, "200", "inline method=GET\ntarget=/inline?x=1\n"},
      {"inline throw", {Url("/inline-throw")}, "500", "This request caused apiserver to panic."},
      {"head", {"-I", Url("/status?code=200")}, "200", "", true},
  };
  for (const Case& c : cases) {
    std::string bodies[2];
    int index = 0;
    for (const char* protocol : {"--http1.1", "--http2"}) {
      const CommandResult result = Curl(protocol, c.args);
      ASSERT_EQ(result.exit_code, 0) << c.name << " " << protocol << ": " << result.err;
      EXPECT_TRUE(result.out.ends_with("\n" + c.status)) << c.name << " " << protocol << "\n"
                                                         << result.out;
      // With -I curl prints the head twice (-D - and the output): the body follows the last.
      const std::size_t head_end =
          c.empty_body ? result.out.rfind("\r\n\r\n") : result.out.find("\r\n\r\n");
      ASSERT_NE(head_end, std::string::npos) << c.name << " " << protocol;
      const std::string head = result.out.substr(0, head_end);
      const std::string body = result.out.substr(head_end + 4);
      EXPECT_TRUE(head.starts_with(std::string(protocol) == "--http2" ? "HTTP/2 " : "HTTP/1.1 "))
          << c.name << " " << head;
      if (c.empty_body) {
        EXPECT_EQ(body, "\n" + c.status) << c.name << " " << protocol;
      } else {
        EXPECT_NE(body.find(c.body_part), std::string::npos) << c.name << " " << protocol << "\n"
                                                             << body;
      }
      bodies[index++] = body;
    }
    // Echo bodies name the client's port and headers; the rest must match byte for byte.
    if (c.args.back().find("/echo") == std::string::npos &&
        c.args.back().find("/post") == std::string::npos) {
      EXPECT_EQ(bodies[0], bodies[1]) << c.name;
    }
  }
}

TEST_F(Http2Test, NghttpSeesTheSettingsAndTheGoawayAfterAClosingResponse) {
  REQUIRE_TOOL("nghttp");
  ServerOptions options = Options();
  options.http2.max_streams_per_connection = 7;
  Start(options);
  const CommandResult result = RunCommand({"nghttp", "-nv", Url("/close")});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("[SETTINGS_MAX_CONCURRENT_STREAMS(0x03):7]"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("[SETTINGS_INITIAL_WINDOW_SIZE(0x04):262144]"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("[SETTINGS_MAX_HEADER_LIST_SIZE(0x06):1048896]"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("recv GOAWAY frame"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("error_code=NO_ERROR(0x00)"), std::string::npos) << result.out;
}

// --- Frames -------------------------------------------------------------------------------------

TEST_F(Http2Test, DefaultStreamLimitIsKubeApiserversHundred) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t id = client->Submit("GET", "/x");
  ASSERT_TRUE(client->Await(id));
  EXPECT_EQ(client->server_max_concurrent_streams(), 100u);
  EXPECT_EQ(client->server_initial_window_size(), 256u * 1024);
}

TEST_F(Http2Test, ResponseHeadersAreLowerCasedWithDateAndContentLength) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t id = client->Submit("GET", "/status?code=201");
  ASSERT_TRUE(client->Await(id));
  const H2TestClient::Response& response = client->response(id);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "x");
  EXPECT_EQ(response.Header("content-length"), "1");
  EXPECT_EQ(response.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response.Header("x-echo-protocol"), "HTTP/2");
  EXPECT_FALSE(response.Header("date").empty());
  for (const auto& [name, value] : response.headers) {
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
  }
  EXPECT_FALSE(client->goaway_error().has_value());
}

TEST_F(Http2Test, ManyStreamsShareOneConnectionAndAuditIdsAreKept) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  std::vector<std::int32_t> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(client->Submit("GET", "/echo?i=" + std::to_string(i),
                                 {{"audit-id", "audit-" + std::to_string(i)}}));
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE(client->Await(ids[i]));
    const std::string& body = client->response(ids[i]).body;
    EXPECT_NE(body.find("target=/echo?i=" + std::to_string(i) + "\n"), std::string::npos) << body;
    EXPECT_NE(body.find("audit=audit-" + std::to_string(i) + "\n"), std::string::npos) << body;
    EXPECT_NE(body.find("header Host: localhost\n"), std::string::npos) << body;
  }
}

// Inline answers are submitted as each head arrives, between streams whose handlers suspend.
TEST_F(Http2Test, InlineAndSuspendingStreamsInterleaveOnOneConnection) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  std::vector<std::int32_t> ids;
  for (int i = 0; i < 60; ++i) {
    const std::string n = std::to_string(i);
    const std::string path = i % 3 == 0   ? "/slow?ms=20&i=" + n
                             : i % 3 == 1 ? "/inline?i=" + n
                                          : "/inline-throw?i=" + n;
    ids.push_back(client->Submit("GET", path, {{"audit-id", "audit-" + n}}));
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE(client->Await(ids[i]));
    const H2TestClient::Response& response = client->response(ids[i]);
    const std::string n = std::to_string(i);
    if (i % 3 == 2) {
      EXPECT_EQ(response.status, 500) << i;
      continue;
    }
    EXPECT_EQ(response.status, 200) << i;
    EXPECT_NE(response.body.find("target=/" + std::string(i % 3 == 0 ? "slow?ms=20&" : "inline?") +
                                 "i=" + n + "\n"),
              std::string::npos)
        << response.body;
    EXPECT_NE(response.body.find("audit=audit-" + n + "\n"), std::string::npos) << response.body;
  }
  // An inline answer to a request with a body (larger than the stream window) the handler never
  // reads; the connection still serves after them all.
  const std::int32_t upload =
      client->Submit("POST", "/inline?upload", {}, std::string(200000, 'x'));
  ASSERT_TRUE(client->Await(upload));
  EXPECT_EQ(client->response(upload).status, 200);
  EXPECT_EQ(client->response(upload).body, "inline method=POST\ntarget=/inline?upload\n");
  const std::int32_t last = client->Submit("GET", "/inline?last");
  ASSERT_TRUE(client->Await(last));
  EXPECT_EQ(client->response(last).status, 200);
}

TEST_F(Http2Test, ResponseAuditIdsReachTheClientOnEveryStream) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  // Enough responses to fill HPACK's 4 KiB dynamic table several times over.
  std::vector<std::int32_t> ids;
  for (int i = 0; i < 200; ++i) {
    ids.push_back(client->Submit("GET", "/status?code=200&audit-header=1",
                                 {{"audit-id", "audit-" + std::to_string(i)}}));
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE(client->Await(ids[i]));
    const H2TestClient::Response& response = client->response(ids[i]);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.Header("audit-id"), "audit-" + std::to_string(i));
    EXPECT_EQ(response.Header("content-type"), "text/plain; charset=utf-8");
  }
}

TEST_F(Http2Test, RequestFieldsKeepTheirOrderAfterHostWithCookiesJoinedAtTheFirst) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  // :authority wins over a host field, as in Go.
  const std::int32_t id = client->Submit("GET", "/echo",
                                         {{"x-a", "1"},
                                          {"cookie", "a=1"},
                                          {"x-b", "2"},
                                          {"host", "elsewhere"},
                                          {"cookie", "b=2"},
                                          {"x-c", "3"}});
  ASSERT_TRUE(client->Await(id));
  EXPECT_NE(client->response(id).body.find("header Host: localhost\n"
                                           "header x-a: 1\n"
                                           "header cookie: a=1; b=2\n"
                                           "header x-b: 2\n"
                                           "header x-c: 3\n"),
            std::string::npos)
      << client->response(id).body;
  EXPECT_EQ(client->response(id).body.find("elsewhere"), std::string::npos);

  // Only pseudo fields: Host alone.
  const std::int32_t bare = client->Submit("GET", "/echo");
  ASSERT_TRUE(client->Await(bare));
  const std::string& body = client->response(bare).body;
  EXPECT_NE(body.find("header Host: localhost\n"), std::string::npos) << body;
  EXPECT_EQ(body.find("header "), body.find("header Host: localhost\n")) << body;
  EXPECT_EQ(body.find("header ", body.find("header Host:") + 1), std::string::npos) << body;
}

TEST_F(Http2Test, RequestBodyLargerThanTheWindowStreamsToTheHandler) {
  ServerOptions options = Options();
  options.max_body_bytes = 4 << 20;
  Start(options);
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  std::string big(1 << 20, 'z');
  big[12345] = 'q';
  const std::int32_t id = client->Submit("POST", "/post", {}, big);
  ASSERT_TRUE(client->Await(id, 20s));
  EXPECT_EQ(client->response(id).status, 200);
  EXPECT_NE(client->response(id).body.find("body=" + big + "\n"), std::string::npos);
  // The connection serves on: every window the body used came back.
  const std::int32_t again = client->Submit("POST", "/post", {}, big);
  ASSERT_TRUE(client->Await(again, 20s));
  EXPECT_EQ(client->response(again).status, 200);
}

TEST_F(Http2Test, BodyOverTheLimitGets413ThenGoaway) {
  ServerOptions options = Options();
  options.max_body_bytes = 10;
  Start(options);
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t id = client->Submit("POST", "/post", {}, std::string(100, 'b'));
  ASSERT_TRUE(client->Await(id));
  EXPECT_EQ(client->response(id).status, 413);
  EXPECT_NE(client->response(id).body.find("\"code\":413"), std::string::npos)
      << client->response(id).body;
  ASSERT_TRUE(client->RunUntil([&] { return client->closed(); }));
  EXPECT_EQ(client->goaway_error(), kNoError);
}

TEST_F(Http2Test, UnreadBodyIsDroppedAndTheConnectionKeepsServing) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  // More than the stream window: the server answers, resets the stream with NO_ERROR and gives
  // the connection window back.
  const std::int32_t id = client->Submit("POST", "/noread", {}, std::string(600 * 1024, 'n'));
  ASSERT_TRUE(client->Await(id));
  EXPECT_EQ(client->response(id).status, 200);
  for (int i = 0; i < 3; ++i) {
    const std::int32_t next = client->Submit("POST", "/noread", {}, std::string(300 * 1024, 'm'));
    ASSERT_TRUE(client->Await(next)) << i;
    EXPECT_EQ(client->response(next).status, 200);
  }
}

TEST_F(Http2Test, StreamThatFailsMidwayResetsTheStream) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t id = client->Submit("GET", "/stream?pieces=5&size=4&fail=2");
  ASSERT_TRUE(client->Await(id));
  EXPECT_EQ(client->response(id).status, 200);
  EXPECT_EQ(client->response(id).body, "aaaabbbb");
  EXPECT_EQ(client->response(id).reset, 2u);  // INTERNAL_ERROR
  // Only the stream is lost.
  const std::int32_t next = client->Submit("GET", "/x");
  ASSERT_TRUE(client->Await(next));
  EXPECT_EQ(client->response(next).status, 200);
}

TEST_F(Http2Test, UpgradeAnswerBecomes500) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t id = client->Submit("GET", "/upgrade");
  ASSERT_TRUE(client->Await(id));
  EXPECT_EQ(client->response(id).status, 500);
}

TEST_F(Http2Test, RequestWithoutPathIsAStreamError) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t id = client->Submit("GET", "");
  ASSERT_TRUE(client->Await(id));
  EXPECT_EQ(client->response(id).status, 0);
  EXPECT_EQ(client->response(id).reset, kProtocolError);
  const std::int32_t next = client->Submit("GET", "/x");
  ASSERT_TRUE(client->Await(next));
  EXPECT_EQ(client->response(next).status, 200);
}

TEST_F(Http2Test, HeaderListOverTheLimitGetsGos431) {
  ServerOptions options = Options();
  options.max_header_bytes = 1000;
  Start(options);
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t small = client->Submit("GET", "/x", {{"x-fill", std::string(800, 'f')}});
  ASSERT_TRUE(client->Await(small));
  EXPECT_EQ(client->response(small).status, 200);
  const std::int32_t id = client->Submit("GET", "/x", {{"x-big", std::string(2000, 'b')}});
  ASSERT_TRUE(client->Await(id));
  EXPECT_EQ(client->response(id).status, 431);
  EXPECT_EQ(client->response(id).body,
            "<h1>HTTP Error 431</h1><p>Request Header Field(s) Too Large</p>");
}

// R7.2/R7.3: a response with close_connection (what the authentication filter sets for anonymous
// and failed HTTP/2 requests) is delivered, then GOAWAY(NO_ERROR), then the connection closes.
TEST_F(Http2Test, R7_3_CloseConnectionAnswersThenSendsGoawayAndCloses) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t first = client->Submit("GET", "/x");
  ASSERT_TRUE(client->Await(first));
  const std::int32_t id = client->Submit("GET", "/close");
  ASSERT_TRUE(client->Await(id));
  EXPECT_EQ(client->response(id).status, 200);
  EXPECT_NE(client->response(id).body.find("path=/close\n"), std::string::npos);
  EXPECT_EQ(client->response(id).Header("connection"), "");
  ASSERT_TRUE(client->RunUntil([&] { return client->closed(); }));
  EXPECT_EQ(client->goaway_error(), kNoError);
  EXPECT_EQ(client->goaway_last_stream(), id);
}

TEST_F(Http2Test, StreamsInFlightFinishAfterAClosingResponse) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t slow = client->Submit("GET", "/slow?ms=300");
  ASSERT_TRUE(client->RunUntil([&] { return handler_->slow_started.load() == 1; }));
  const std::int32_t closing = client->Submit("GET", "/close");
  ASSERT_TRUE(client->Await(closing));
  ASSERT_TRUE(client->Await(slow));
  EXPECT_EQ(client->response(slow).status, 200);
  EXPECT_EQ(client->goaway_error(), kNoError);
  ASSERT_TRUE(client->RunUntil([&] { return client->closed(); }));
}

TEST_F(Http2Test, ShutdownSendsGoawayAndLetsTheStreamFinish) {
  Start();
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t id = client->Submit("GET", "/slow?ms=400");
  ASSERT_TRUE(client->RunUntil([&] { return handler_->slow_started.load() == 1; }));
  std::future<std::chrono::milliseconds> stopped =
      std::async(std::launch::async, [this] { return server_->Stop(); });
  ASSERT_TRUE(client->RunUntil([&] { return client->goaway_error().has_value(); }));
  EXPECT_EQ(client->goaway_error(), kNoError);
  EXPECT_FALSE(client->response(id).closed);
  ASSERT_TRUE(client->Await(id));
  EXPECT_EQ(client->response(id).status, 200);
  ASSERT_TRUE(client->RunUntil([&] { return client->closed(); }));
  EXPECT_LT(stopped.get(), 5s);
}

TEST_F(Http2Test, IdleConnectionGetsGoawayAndCloses) {
  ServerOptions options = Options();
  options.idle_timeout = 300ms;
  Start(options);
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t id = client->Submit("GET", "/x");
  ASSERT_TRUE(client->Await(id));
  const auto start = Clock::now();
  ASSERT_TRUE(client->RunUntil([&] { return client->closed(); }, 5s));
  EXPECT_EQ(client->goaway_error(), kNoError);
  EXPECT_GE(Clock::now() - start, 200ms);
}

// Handlers whose streams the client reset still count against the stream limit: streams opened
// meanwhile wait for them (Go's CVE-2023-44487 fix) instead of running alongside.
TEST_F(Http2Test, HandlersOfResetStreamsStillCountAgainstTheLimit) {
  ServerOptions options = Options();
  options.http2.max_streams_per_connection = 2;
  Start(options);
  std::unique_ptr<H2TestClient> client = Connect();
  ASSERT_NE(client, nullptr);
  const std::int32_t a = client->Submit("GET", "/slow?ms=600");
  const std::int32_t b = client->Submit("GET", "/slow?ms=600");
  ASSERT_TRUE(client->RunUntil([&] { return handler_->slow_started.load() == 2; }));
  EXPECT_EQ(client->server_max_concurrent_streams(), 2u);
  client->Reset(a);
  client->Reset(b);
  ASSERT_TRUE(client->Flush());
  const auto start = Clock::now();
  const std::int32_t c = client->Submit("GET", "/x");
  ASSERT_TRUE(client->Await(c));
  EXPECT_EQ(client->response(c).status, 200);
  EXPECT_GE(handler_->slow_finished.load(), 1);
  EXPECT_GE(Clock::now() - start, 300ms);
}

// A rapid-reset flood (CVE-2023-44487) with a small budget: GOAWAY(ENHANCE_YOUR_CALM), the
// connection closes, and another connection is served.
TEST_F(Http2Test, RapidResetGetsEnhanceYourCalm) {
  ServerOptions options = Options();
  options.http2.reset_burst = 20;
  options.http2.reset_rate_per_second = 1;
  Start(options);
  std::unique_ptr<H2TestClient> flood = Connect();
  ASSERT_NE(flood, nullptr);
  for (int i = 0; i < 200 && !flood->closed(); ++i) {
    const std::int32_t id = flood->Submit("GET", "/slow?ms=50");
    if (id < 0 || !flood->Flush()) break;
    flood->Reset(id);
    if (!flood->Flush()) break;
  }
  ASSERT_TRUE(flood->RunUntil([&] { return flood->closed(); }));
  EXPECT_EQ(flood->goaway_error(), kEnhanceYourCalm);

  std::unique_ptr<H2TestClient> other = Connect();
  ASSERT_NE(other, nullptr);
  const std::int32_t id = other->Submit("GET", "/x");
  ASSERT_TRUE(other->Await(id));
  EXPECT_EQ(other->response(id).status, 200);
}

TEST_F(Http2Test, ClientCertificateChainReachesTheHandler) {
  ServerOptions options = Options();
  options.client_cas = {NewStaticCaBundleProvider(pki_.client_ca_bundle)};
  Start(options);
  std::unique_ptr<H2TestClient> client = H2TestClient::Connect(
      server_->port(), {.certificate = &pki_.ivan, .chain = {&pki_.intermediate}});
  ASSERT_NE(client, nullptr);
  const std::int32_t id = client->Submit("GET", "/who");
  ASSERT_TRUE(client->Await(id));
  EXPECT_NE(client->response(id).body.find("certs=2\ncn=ivan\n"), std::string::npos)
      << client->response(id).body;
}

}  // namespace
}  // namespace kauth::server
