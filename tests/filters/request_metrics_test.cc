#include "filters/request_metrics.h"

#include <gtest/gtest.h>

#include <regex>

#include "filter_test_support.h"
#include "testing/run_sync.h"

namespace kauth::filters {
namespace {

using test_support::Headers;
using test_support::LogBody;
using test_support::LogCapture;
using test_support::RecordingHandler;
using test_support::Seen;

struct Harness {
  explicit Harness(http::ServerResponse answer)
      : handler(registry, std::make_unique<RecordingHandler>(seen, std::move(answer))) {}

  http::ServerResponse Run(std::string method, std::string target, Headers headers,
                           std::optional<UserInfo> user = std::nullopt,
                           http::Protocol protocol = http::Protocol::kHttp1) {
    http::ServerRequest request;
    request.set_protocol(protocol);
    request.set_method(std::move(method));
    request.SetTarget(std::move(target));
    request.set_remote_address("127.0.0.1:5555");
    for (const auto& [name, value] : headers) request.AddHeader(name, value);
    http::RequestState state;
    state.user = std::move(user);
    if (inline_path) {
      EXPECT_TRUE(handler.HandlesInline(request));
      return handler.HandleInline(request, state);
    }
    return kauth::testing::RunSync(handler.Handle(request, state));
  }

  // Through HandleInline (the server's path when the chain answers inline) instead of Handle.
  bool inline_path = false;
  metrics::Registry registry;
  std::shared_ptr<Seen> seen = std::make_shared<Seen>();
  RequestMetrics handler;
};

TEST(RequestMetricsTest, CountsEveryRequestByCodeMethodAndProtocol) {
  for (const bool inline_path : {false, true}) {
    SCOPED_TRACE(inline_path ? "inline" : "suspending");
    Harness harness({.status = 201});
    harness.inline_path = inline_path;
    harness.Run("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {});
    harness.Run("POST", "/x", {}, std::nullopt, http::Protocol::kHttp2);
    harness.Run("BREW", "/x", {});
    const std::string text = harness.registry.Render();
    const std::string counters =
        "# HELP kauth_http_requests_total [ALPHA] Counter of HTTP requests kauthd answered, by "
        "status code, method and protocol.\n"
        "# TYPE kauth_http_requests_total counter\n"
        "kauth_http_requests_total{code=\"201\",method=\"POST\",protocol=\"h2\"} 1\n"
        "kauth_http_requests_total{code=\"201\",method=\"POST\",protocol=\"http/1.1\"} 1\n"
        "kauth_http_requests_total{code=\"201\",method=\"other\",protocol=\"http/1.1\"} 1\n";
    EXPECT_TRUE(text.ends_with(counters)) << text;
    EXPECT_TRUE(text.starts_with(
        "# HELP kauth_http_request_duration_seconds [ALPHA] Time kauthd's handlers took to answer "
        "an HTTP request, in seconds, by status code.\n"
        "# TYPE kauth_http_request_duration_seconds histogram\n"
        "kauth_http_request_duration_seconds_bucket{code=\"201\",le=\"0.0001\"} "))
        << text;
    EXPECT_NE(text.find("kauth_http_request_duration_seconds_bucket{code=\"201\",le=\"10\"} 3\n"
                        "kauth_http_request_duration_seconds_bucket{code=\"201\",le=\"+Inf\"} 3\n"),
              std::string::npos);
    EXPECT_NE(text.find("kauth_http_request_duration_seconds_count{code=\"201\"} 3\n"),
              std::string::npos);
  }
}

// The HTTP/1.1 server sets the start from its reading when the request's head arrived; the
// duration counts from it, and the end reading is kept for the server's write deadline.
TEST(RequestMetricsTest, TimesFromAStartAlreadySetAndRecordsTheEnd) {
  for (const bool inline_path : {false, true}) {
    SCOPED_TRACE(inline_path ? "inline" : "suspending");
    metrics::Registry registry;
    const RequestMetricFamilies families(registry);
    auto seen = std::make_shared<Seen>();
    const RequestMetrics handler(
        families, std::make_unique<RecordingHandler>(seen, http::ServerResponse{.status = 200}));
    http::ServerRequest request;
    request.set_method("GET");
    request.SetTarget("/version");
    http::RequestState state;
    const auto before = std::chrono::steady_clock::now();
    state.start = before - std::chrono::seconds(2);
    const http::ServerResponse response =
        inline_path ? handler.HandleInline(request, state)
                    : kauth::testing::RunSync(handler.Handle(request, state));
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(state.start, before - std::chrono::seconds(2));
    EXPECT_GE(state.finished, before);
    EXPECT_LE(state.finished, std::chrono::steady_clock::now());
    // Two seconds and a little: in the (1, 2.5] buckets, none below.
    const std::string text = registry.Render();
    EXPECT_NE(text.find("kauth_http_request_duration_seconds_bucket{code=\"200\",le=\"1\"} 0\n"),
              std::string::npos)
        << text;
    EXPECT_NE(
        text.find("kauth_http_request_duration_seconds_bucket{code=\"200\",le=\"2.5\"} 1\n"),
        std::string::npos)
        << text;
  }
}

// kauthd's proxy mode: the proxy listener's chain and the endpoints listener's chain count into
// one registry's metrics.
TEST(RequestMetricsTest, TwoChainsShareOneRegistrysMetrics) {
  metrics::Registry registry;
  const RequestMetricFamilies families(registry);
  auto seen = std::make_shared<Seen>();
  const RequestMetrics proxy(
      families, std::make_unique<RecordingHandler>(seen, http::ServerResponse{.status = 200}));
  const RequestMetrics endpoints(
      families, std::make_unique<RecordingHandler>(seen, http::ServerResponse{.status = 200}));
  for (const RequestMetrics* handler : {&proxy, &endpoints, &endpoints}) {
    http::ServerRequest request;
    request.set_method("GET");
    request.SetTarget("/healthz");
    http::RequestState state;
    const http::ServerResponse response = kauth::testing::RunSync(handler->Handle(request, state));
    EXPECT_EQ(response.status, 200u);
  }
  EXPECT_NE(registry.Render().find(
                "kauth_http_requests_total{code=\"200\",method=\"GET\",protocol=\"http/1.1\"} 3\n"),
            std::string::npos)
      << registry.Render();
}

TEST(RequestMetricsTest, AddsAuditIdAndCacheControlUnlessAlreadySet) {
  for (const bool inline_path : {false, true}) {
    SCOPED_TRACE(inline_path ? "inline" : "suspending");
    Harness plain({.status = 200});
    plain.inline_path = inline_path;
    const http::ServerResponse a = plain.Run("GET", "/healthz", {{"Audit-ID", "from-client"}});
    EXPECT_EQ(a.headers,
              (Headers{{"Audit-Id", "from-client"}, {"Cache-Control", "no-cache, private"}}));
    EXPECT_EQ(plain.seen->audit_id, "from-client");

    Harness preset(
        {.status = 401, .headers = {{"Cache-Control", "no-store"}, {"audit-id", "from-filter"}}});
    preset.inline_path = inline_path;
    const http::ServerResponse b = preset.Run("GET", "/healthz", {});
    EXPECT_EQ(b.headers, (Headers{{"Cache-Control", "no-store"}, {"audit-id", "from-filter"}}));
  }
}

TEST(RequestMetricsTest, LogsOneLineAtVerbosityTwo) {
  Harness harness({.status = 200});
  LogCapture logs;
  harness.Run("GET", "/healthz?access_token=secret", {{"Audit-ID", "a1"}, {"User-Agent", "curl/8"}},
              UserInfo{.name = "alice"});
  EXPECT_TRUE(logs.lines().empty()) << "silent below -v=2";

  log::SetVerbosity(2);
  harness.Run("GET", "/healthz?access_token=secret", {{"Audit-ID", "a1"}, {"User-Agent", "curl/8"}},
              UserInfo{.name = "alice"});
  log::SetVerbosity(0);
  ASSERT_EQ(logs.lines().size(), 1u);
  EXPECT_EQ(logs.lines()[0][0], 'I');
  const std::string body = LogBody(logs.lines()[0]);
  EXPECT_TRUE(std::regex_match(
      body, std::regex(
                R"re("HTTP" verb="GET" path="/healthz" code="200" latency="[0-9.]+(ns|µs|ms|s)" )re"
                R"re(user="alice" userAgent="curl/8" auditID="a1" srcIP="127.0.0.1:5555")re")))
      << body;
  EXPECT_EQ(body.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace kauth::filters
