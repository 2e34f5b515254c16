#include "filters/authentication_filter.h"

#include <gtest/gtest.h>

#include <regex>

#include "filter_test_support.h"
#include "filters/authentication_metrics.h"
#include "filters/token_cache_metrics.h"
#include "kauth/chain.h"
#include "kauth/token_file.h"
#include "metrics/registry.h"
#include "testing/cert_factory.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"

namespace kauth::filters {
namespace {

using test_support::Headers;
using test_support::LogBody;
using test_support::LogCapture;
using test_support::RecordingHandler;
using test_support::Seen;
using test_support::WarningAuthenticator;

constexpr char kUnauthorizedCompact[] =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})"
    "\n";
constexpr char kUnauthorizedPretty[] = R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "Unauthorized",
  "reason": "Unauthorized",
  "code": 401
})";
constexpr char kExtraSpaceWarning[] =
    R"(299 - "the provided Authorization header contains extra space before the bearer token, and is ignored")";

std::shared_ptr<const TokenFile> Tokens() {
  return TokenFile::FromEntries({
      {"abc123", {.name = "alice", .uid = "1001", .groups = {"dev", "ops"}}},
      {"admintok", {.name = "admin", .groups = {"system:masters"}}},
      {"janetok", {.name = "jane@example.com"}},
  });
}

std::shared_ptr<const RequestAuthenticator> TokenChain(bool anonymous) {
  return BuildChain({.token_file = Tokens(), .anonymous = anonymous}).authenticator;
}

struct RequestSpec {
  Headers headers;
  http::Protocol protocol = http::Protocol::kHttp1;
  std::string target = "/api";
};

void Fill(http::ServerRequest& request, const RequestSpec& spec) {
  request.SetTarget(spec.target);
  request.set_protocol(spec.protocol);
  request.set_remote_address("10.0.0.1:4242");
  for (const auto& [name, value] : spec.headers) request.AddHeader(name, value);
}

// One filter with its own registry, metrics and recording next handler.
struct Harness {
  explicit Harness(AuthenticationFilterOptions options, http::ServerResponse answer = {},
                   std::vector<std::string> next_warnings = {})
      : filter(
            std::move(options), metrics,
            std::make_unique<RecordingHandler>(seen, std::move(answer), std::move(next_warnings))) {
  }

  // Through Handle, or through HandleInline when `inline_path` (the server's path for in-memory
  // chains); both must give the same answer.
  http::ServerResponse Run(const RequestSpec& spec, bool inline_path = false) {
    http::ServerRequest request;
    Fill(request, spec);
    state = http::RequestState{};
    if (inline_path) {
      EXPECT_TRUE(filter.HandlesInline(request));
      return filter.HandleInline(request, state);
    }
    return kauth::testing::RunSync(filter.Handle(request, state));
  }

  metrics::Registry registry;
  AuthenticationMetrics metrics{registry};
  std::shared_ptr<Seen> seen = std::make_shared<Seen>();
  AuthenticationFilter filter;
  http::RequestState state;
};

// The sample lines of R7.6's two counters, from the rendered text.
std::string CounterLines(const metrics::Registry& registry) {
  std::string out;
  const std::string text = registry.Render();
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string_view line(text.data() + start, end - start);
    if (line.starts_with("authenticated_user_requests{") ||
        line.starts_with("authentication_attempts{")) {
      out.append(line);
      out.push_back('\n');
    }
    start = end + 1;
  }
  return out;
}

struct Case {
  const char* name;
  bool anonymous;
  RequestSpec request;
  unsigned want_status;
  std::string want_body;
  Headers want_headers;
  bool want_close = false;
  // Success only: the user the next handler saw and the request headers it saw.
  std::optional<std::string> want_user;
  std::optional<Headers> want_next_headers;
  // R7.6: the attempts/user counters after this one request.
  std::string want_metrics;
  std::vector<std::string> want_logs;
};

Headers Unauthorized401Headers(std::vector<std::string> warnings = {}) {
  Headers headers = {{"Content-Type", "application/json"},
                     {"Cache-Control", "no-cache, private"},
                     {"Audit-Id", "audit-1"}};
  for (std::string& w : warnings) headers.emplace_back("Warning", std::move(w));
  return headers;
}

TEST(AuthenticationFilterTest, R7_2_R7_3_R7_6_TokenChainTable) {
  const std::string kErrorLog =
      R"("Unable to authenticate the request" err="invalid bearer token" remoteAddr="10.0.0.1:4242" userAgent="kubectl/v1.32.4" auditID="audit-1")";
  const Case cases[] = {
      {"R7.2 valid token: the next handler gets the user, without the credential",
       false,
       {{{"Authorization", "Bearer abc123"}, {"Audit-ID", "audit-1"}, {"Accept", "*/*"}}},
       200,
       "next",
       {},
       false,
       "alice",
       Headers{{"Audit-ID", "audit-1"}, {"Accept", "*/*"}},
       "authenticated_user_requests{username=\"other\"} 1\n"
       "authentication_attempts{result=\"success\"} 1\n",
       {}},
      {"R7.3 unknown token: 401, logged without the token",
       false,
       {{{"Authorization", "Bearer nope-token"},
         {"Audit-ID", "audit-1"},
         {"User-Agent", "kubectl/v1.32.4"}}},
       401,
       kUnauthorizedCompact,
       Unauthorized401Headers(),
       false,
       std::nullopt,
       std::nullopt,
       "authentication_attempts{result=\"error\"} 1\n",
       {kErrorLog}},
      {"R7.3 unknown token, anonymous on: still a 401 (fail-on-error union)",
       true,
       {{{"Authorization", "Bearer nope-token"},
         {"Audit-ID", "audit-1"},
         {"User-Agent", "kubectl/v1.32.4"}}},
       401,
       kUnauthorizedCompact,
       Unauthorized401Headers(),
       false,
       std::nullopt,
       std::nullopt,
       "authentication_attempts{result=\"error\"} 1\n",
       {kErrorLog}},
      {"R7.2 no credential, anonymous off: 401, result failure, nothing logged",
       false,
       {{{"Audit-ID", "audit-1"}}},
       401,
       kUnauthorizedCompact,
       Unauthorized401Headers(),
       false,
       std::nullopt,
       std::nullopt,
       "authentication_attempts{result=\"failure\"} 1\n",
       {}},
      {"R7.3 curl gets the pretty 401",
       false,
       {{{"Audit-ID", "audit-1"}, {"User-Agent", "curl/8.5.0"}}},
       401,
       kUnauthorizedPretty,
       Unauthorized401Headers(),
       false,
       std::nullopt,
       std::nullopt,
       "authentication_attempts{result=\"failure\"} 1\n",
       {}},
      {"R7.3 ?pretty=false beats curl",
       false,
       {{{"Audit-ID", "audit-1"}, {"User-Agent", "curl/8.5.0"}},
        http::Protocol::kHttp1,
        "/api?pretty=false"},
       401,
       kUnauthorizedCompact,
       Unauthorized401Headers(),
       false,
       std::nullopt,
       std::nullopt,
       "authentication_attempts{result=\"failure\"} 1\n",
       {}},
      {"R7.3 HTTP/2 401 closes the connection",
       false,
       {{{"Audit-ID", "audit-1"}}, http::Protocol::kHttp2},
       401,
       kUnauthorizedCompact,
       Unauthorized401Headers(),
       true,
       std::nullopt,
       std::nullopt,
       "authentication_attempts{result=\"failure\"} 1\n",
       {}},
      {"R7.2 anonymous over HTTP/1.1 keeps the connection",
       true,
       {{{"Audit-ID", "audit-1"}}},
       200,
       "next",
       {},
       false,
       "system:anonymous",
       Headers{{"Audit-ID", "audit-1"}},
       "authenticated_user_requests{username=\"other\"} 1\n"
       "authentication_attempts{result=\"success\"} 1\n",
       {}},
      {"R7.2 anonymous over HTTP/2 closes the connection",
       true,
       {{{"Audit-ID", "audit-1"}}, http::Protocol::kHttp2},
       200,
       "next",
       {},
       true,
       "system:anonymous",
       Headers{{"Audit-ID", "audit-1"}},
       "authenticated_user_requests{username=\"other\"} 1\n"
       "authentication_attempts{result=\"success\"} 1\n",
       {}},
      {"R7.2 an authenticated user over HTTP/2 keeps the connection",
       false,
       {{{"Authorization", "Bearer admintok"}, {"Audit-ID", "audit-1"}}, http::Protocol::kHttp2},
       200,
       "next",
       {},
       false,
       "admin",
       Headers{{"Audit-ID", "audit-1"}},
       "authenticated_user_requests{username=\"admin\"} 1\n"
       "authentication_attempts{result=\"success\"} 1\n",
       {}},
      {"R7.6 a name with @ is counted as email_id",
       false,
       {{{"Authorization", "Bearer janetok"}, {"Audit-ID", "audit-1"}}},
       200,
       "next",
       {},
       false,
       "jane@example.com",
       Headers{{"Audit-ID", "audit-1"}},
       "authenticated_user_requests{username=\"email_id\"} 1\n"
       "authentication_attempts{result=\"success\"} 1\n",
       {}},
      {"R7.7 + R3.2 two spaces: anonymous, with the warning on the success response",
       true,
       {{{"Authorization", "Bearer  abc123"}, {"Audit-ID", "audit-1"}}},
       200,
       "next",
       {{"Warning", kExtraSpaceWarning}},
       false,
       "system:anonymous",
       // Not authenticated by the bearer token, yet the filter still removes Authorization.
       Headers{{"Audit-ID", "audit-1"}},
       "authenticated_user_requests{username=\"other\"} 1\n"
       "authentication_attempts{result=\"success\"} 1\n",
       {}},
      {"R7.7 + R3.2 two spaces, anonymous off: the warning rides on the 401",
       false,
       {{{"Authorization", "Bearer  abc123"}, {"Audit-ID", "audit-1"}}},
       401,
       kUnauthorizedCompact,
       Unauthorized401Headers({kExtraSpaceWarning}),
       false,
       std::nullopt,
       std::nullopt,
       "authentication_attempts{result=\"failure\"} 1\n",
       {}},
      {"R7.2 step 5: Authorization and every X-Remote-* credential header are removed",
       false,
       {{{"Authorization", "Bearer abc123"},
         {"X-Remote-User", "mallory"},
         {"x-remote-uid", "0"},
         {"X-REMOTE-GROUP", "system:masters"},
         {"X-Remote-Extra-Scopes", "all"},
         {"x-remote-extra-acme.com%2Fproject", "p"},
         {"X-Remote-Other", "kept"},
         {"X-Remote-Extra", "kept: no dash"},
         {"Audit-ID", "audit-1"}}},
       200,
       "next",
       {},
       false,
       "alice",
       Headers{{"X-Remote-Other", "kept"},
               {"X-Remote-Extra", "kept: no dash"},
               {"Audit-ID", "audit-1"}},
       "authenticated_user_requests{username=\"other\"} 1\n"
       "authentication_attempts{result=\"success\"} 1\n",
       {}},
  };
  for (const Case& c : cases) {
    for (const bool inline_path : {false, true}) {
      SCOPED_TRACE(std::string(c.name) + (inline_path ? " (inline)" : " (suspending)"));
      LogCapture logs;
      Harness harness({.authenticator = TokenChain(c.anonymous)});
      const http::ServerResponse response = harness.Run(c.request, inline_path);
      EXPECT_EQ(response.status, c.want_status);
      EXPECT_EQ(response.body, c.want_body);
      EXPECT_EQ(response.headers, c.want_headers);
      EXPECT_EQ(response.close_connection, c.want_close);
      EXPECT_EQ(response.Header("WWW-Authenticate"), "");
      EXPECT_EQ(harness.seen->calls, c.want_user ? 1 : 0);
      if (c.want_user) {
        ASSERT_TRUE(harness.seen->user.has_value());
        EXPECT_EQ(harness.seen->user->name, *c.want_user);
        EXPECT_EQ(harness.seen->headers, *c.want_next_headers);
        EXPECT_EQ(harness.seen->audit_id, "audit-1");
      }
      EXPECT_EQ(CounterLines(harness.registry), c.want_metrics) << harness.registry.Render();
      std::vector<std::string> bodies;
      for (const std::string& line : logs.lines()) bodies.push_back(LogBody(line));
      EXPECT_EQ(bodies, c.want_logs);
      for (const std::string& line : logs.lines()) {
        EXPECT_EQ(line.find("nope-token"), std::string::npos) << "token leaked into " << line;
      }
    }
  }
}

TEST(AuthenticationFilterTest, HandlesInlineOnlyWhenTheChainAnswersInline) {
  LogCapture logs;
  http::ServerRequest request;
  Fill(request, {});
  // An in-memory chain (token file, anonymous) answers with plain calls.
  EXPECT_TRUE(Harness({.authenticator = TokenChain(true)}).filter.HandlesInline(request));
  EXPECT_TRUE(Harness({}).filter.HandlesInline(request));
  // One that may suspend (here: a plain coroutine authenticator) keeps the suspending path.
  Harness suspending({.authenticator = std::make_shared<WarningAuthenticator>(
                          AuthResult::NotApplicable(), std::vector<std::string>{})});
  EXPECT_FALSE(suspending.filter.HandlesInline(request));
  EXPECT_EQ(suspending.Run({}).status, 401u);
}

TEST(AuthenticationFilterTest, R7_6_DurationHistogramUsesExponentialBuckets) {
  Harness harness({.authenticator = TokenChain(false)});
  harness.Run({{{"Authorization", "Bearer abc123"}}});
  harness.Run({{{"Authorization", "Bearer abc123"}}});
  harness.Run({});
  const std::string text = harness.registry.Render();
  const std::string les[] = {"0.001", "0.002", "0.004", "0.008", "0.016", "0.032", "0.064", "0.128",
                             "0.256", "0.512", "1.024", "2.048", "4.096", "8.192", "16.384"};
  for (const std::string& le : les) {
    EXPECT_NE(
        text.find("authentication_duration_seconds_bucket{result=\"success\",le=\"" + le + "\"} "),
        std::string::npos)
        << le;
  }
  EXPECT_NE(text.find("# HELP authentication_duration_seconds [ALPHA] Authentication duration in "
                      "seconds broken out by result.\n# TYPE authentication_duration_seconds "
                      "histogram\n"),
            std::string::npos);
  EXPECT_NE(text.find("authentication_duration_seconds_bucket{result=\"success\",le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("authentication_duration_seconds_count{result=\"failure\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("# HELP authenticated_user_requests [ALPHA] Counter of authenticated "
                      "requests broken out by username.\n# TYPE authenticated_user_requests "
                      "counter\n"),
            std::string::npos);
  EXPECT_NE(text.find("# HELP authentication_attempts [ALPHA] Counter of authenticated "
                      "attempts.\n# TYPE authentication_attempts counter\n"),
            std::string::npos);
}

TEST(AuthenticationFilterTest, R7_1_DisabledPassesEverythingWithoutAUser) {
  LogCapture logs;
  Harness harness({.authenticator = nullptr});
  ASSERT_EQ(logs.lines().size(), 1u);
  EXPECT_EQ(logs.lines()[0][0], 'W');
  EXPECT_EQ(LogBody(logs.lines()[0]), R"("Authentication is disabled")");

  const http::ServerResponse response =
      harness.Run({{{"Authorization", "Bearer whatever"}, {"X-Remote-User", "x"}}});
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(response.body, "next");
  EXPECT_EQ(harness.seen->calls, 1);
  EXPECT_FALSE(harness.seen->user.has_value());
  // Kubernetes returns the next handler itself: nothing is removed or recorded.
  EXPECT_EQ(harness.seen->headers,
            (Headers{{"Authorization", "Bearer whatever"}, {"X-Remote-User", "x"}}));
  EXPECT_EQ(harness.registry.Render().find("authentication_attempts"), std::string::npos);
  harness.Run({});
  EXPECT_EQ(logs.lines().size(), 1u) << "logged once, not per request";
}

TEST(AuthenticationFilterTest, R7_2_ApiAudiencesGoIntoTheContextWhenNonEmpty) {
  {
    Harness harness({.authenticator = TokenChain(true), .api_audiences = {"https://kauth"}});
    harness.Run({});
    ASSERT_TRUE(harness.seen->audiences.has_value());
    EXPECT_EQ(*harness.seen->audiences, (Audiences{"https://kauth"}));
  }
  {
    Harness harness({.authenticator = TokenChain(true)});
    harness.Run({});
    EXPECT_FALSE(harness.seen->audiences.has_value());
  }
}

TEST(AuthenticationFilterTest, R7_2_AudienceMismatchIsA401WithResultError) {
  struct AudienceCase {
    const char* name;
    Audiences api;
    Audiences response;
    bool accepted;
  };
  const AudienceCase cases[] = {
      {"disjoint", {"api"}, {"other"}, false},
      {"overlap", {"api", "b"}, {"x", "b"}, true},
      {"authenticator not audience-aware", {"api"}, {}, true},
      {"no API audiences", {}, {"other"}, true},
  };
  for (const AudienceCase& c : cases) {
    SCOPED_TRACE(c.name);
    LogCapture logs;
    auto authenticator = std::make_shared<kauth::testing::FixedRequestAuthenticator>(
        kauth::testing::Authed({.name = "alice"}, c.response));
    Harness harness({.authenticator = authenticator, .api_audiences = c.api});
    const http::ServerResponse response = harness.Run({{{"Audit-ID", "audit-1"}}});
    if (c.accepted) {
      EXPECT_EQ(response.status, 200u);
      EXPECT_EQ(harness.registry.Render().find("result=\"error\""), std::string::npos);
      EXPECT_TRUE(logs.lines().empty());
      continue;
    }
    EXPECT_EQ(response.status, 401u);
    EXPECT_EQ(response.body, kUnauthorizedCompact);
    EXPECT_EQ(harness.seen->calls, 0);
    EXPECT_EQ(CounterLines(harness.registry), "authentication_attempts{result=\"error\"} 1\n");
    ASSERT_EQ(logs.lines().size(), 1u);
    EXPECT_EQ(logs.lines()[0][0], 'E');
    EXPECT_EQ(
        LogBody(logs.lines()[0]),
        R"("unable to match the audience: [other] , accepted: [api]" remoteAddr="10.0.0.1:4242" auditID="audit-1")");
  }
}

TEST(AuthenticationFilterTest, R7_2_ConfiguredRequestHeaderNamesAndPrefixesAreRemoved) {
  Harness harness({.authenticator = TokenChain(false),
                   .request_header_names = {"X-Proxy-User"},
                   .request_header_prefixes = {"X-Proxy-Extra-"}});
  harness.Run({{{"Authorization", "Bearer abc123"},
                {"x-proxy-user", "u"},
                {"X-PROXY-EXTRA-a", "1"},
                {"X-Proxy-Extra", "kept"},
                {"X-Proxy-Group", "kept"}}});
  EXPECT_EQ(harness.seen->headers, (Headers{{"X-Proxy-Extra", "kept"}, {"X-Proxy-Group", "kept"}}));
}

TEST(AuthenticationFilterTest, R7_7_WarningsFromTheChainAndLaterHandlersAreDeduplicated) {
  auto authenticator = std::make_shared<WarningAuthenticator>(
      kauth::testing::Authed({.name = "alice"}),
      std::vector<std::string>{"a \"quoted\" \\", "a \"quoted\" \\", ""});
  Harness harness({.authenticator = authenticator}, {.status = 201, .headers = {{"X", "y"}}},
                  {"from the API", "a \"quoted\" \\"});
  const http::ServerResponse response = harness.Run({});
  EXPECT_EQ(response.status, 201u);
  EXPECT_EQ(response.headers, (Headers{{"X", "y"},
                                       {"Warning", R"(299 - "a \"quoted\" \\")"},
                                       {"Warning", R"(299 - "from the API")"}}));

  auto rejecting = std::make_shared<WarningAuthenticator>(
      kauth::testing::Rejected("bad"), std::vector<std::string>{"w1", "w2", "w1"});
  Harness rejected({.authenticator = rejecting});
  LogCapture logs;
  const http::ServerResponse denied = rejected.Run({{{"Audit-ID", "audit-1"}}});
  EXPECT_EQ(denied.headers, Unauthorized401Headers({R"(299 - "w1")", R"(299 - "w2")"}));
}

TEST(AuthenticationFilterTest, AuditIdIsGeneratedWhenTheClientSendsNone) {
  Harness harness({.authenticator = TokenChain(false)});
  const http::ServerResponse response = harness.Run({});
  const std::string id(response.Header("Audit-Id"));
  EXPECT_TRUE(std::regex_match(
      id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  EXPECT_EQ(harness.state.audit_id, id);
  // An id set by an outer handler is kept.
  http::ServerRequest request;
  Fill(request, {});
  http::RequestState state;
  state.audit_id = "outer";
  const http::ServerResponse again = kauth::testing::RunSync(harness.filter.Handle(request, state));
  EXPECT_EQ(again.Header("Audit-Id"), "outer");
}

// R5.4 through the real chain: the filter's metrics object feeds ChainConfig's observer.
TEST(AuthenticationFilterTest, R5_4_ClientCertificateExpirationIsObservedBeforeVerification) {
  const kauth::testing::IssuedCert ca = kauth::testing::SelfSign(kauth::testing::CaSpec("ca"));
  kauth::testing::CertSpec spec = kauth::testing::ClientSpec("jbeda", {"app1"});
  const auto now = std::chrono::system_clock::now();
  spec.not_before = now - std::chrono::hours(1);
  spec.not_after = now + std::chrono::minutes(45);  // 2700 s left: le="3600"
  const kauth::testing::IssuedCert leaf = kauth::testing::Issue(spec, ca);
  const kauth::testing::IssuedCert other_ca =
      kauth::testing::SelfSign(kauth::testing::CaSpec("other"));
  const kauth::testing::IssuedCert stranger =
      kauth::testing::Issue(kauth::testing::ClientSpec("eve"), other_ca);  // ~24 h left

  metrics::Registry registry;
  AuthenticationMetrics metrics(registry);
  ChainConfig config;
  auto bundle = CaBundle::FromPem(ca.CertPem(), "client-ca-bundle::ca.crt");
  ASSERT_TRUE(bundle.has_value());
  config.client_ca = NewStaticCaBundleProvider(*bundle);
  config.observe_client_certificate_expiration = metrics.ClientCertificateExpirationObserver();
  config.anonymous = false;
  auto seen = std::make_shared<Seen>();
  AuthenticationFilter filter({.authenticator = BuildChain(std::move(config)).authenticator},
                              metrics, std::make_unique<RecordingHandler>(seen));
  LogCapture logs;
  const auto run = [&](const kauth::testing::IssuedCert& cert) {
    http::ServerRequest request;
    Fill(request, {});
    X509* x509 = cert.get();
    request.SetPeerCertificates(std::span<X509* const>(&x509, 1));
    http::RequestState state;
    return kauth::testing::RunSync(filter.Handle(request, state));
  };
  EXPECT_EQ(run(leaf).status, 200u);
  EXPECT_EQ(seen->user->name, "jbeda");
  EXPECT_EQ(run(stranger).status, 401u);
  const std::string text = registry.Render();
  const std::string prefix = "apiserver_client_certificate_expiration_seconds";
  EXPECT_NE(
      text.find("# HELP " + prefix +
                " [ALPHA] Distribution of the remaining lifetime on the certificate used "
                "to authenticate a request.\n# TYPE " +
                prefix + " histogram\n" + prefix + "_bucket{le=\"0\"} 0\n" + prefix +
                "_bucket{le=\"1800\"} 0\n" + prefix + "_bucket{le=\"3600\"} 1\n" + prefix +
                "_bucket{le=\"7200\"} 1\n" + prefix + "_bucket{le=\"21600\"} 1\n" + prefix +
                "_bucket{le=\"43200\"} 1\n" + prefix + "_bucket{le=\"86400\"} 2\n" + prefix +
                "_bucket{le=\"172800\"} 2\n" + prefix + "_bucket{le=\"345600\"} 2\n" + prefix +
                "_bucket{le=\"604800\"} 2\n" + prefix + "_bucket{le=\"2.592e+06\"} 2\n" + prefix +
                "_bucket{le=\"7.776e+06\"} 2\n" + prefix + "_bucket{le=\"1.5552e+07\"} 2\n" +
                prefix + "_bucket{le=\"3.1104e+07\"} 2\n" + prefix + "_bucket{le=\"+Inf\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(prefix + "_count 2\n"), std::string::npos);
  // The log names the x509 failure, not the certificate.
  ASSERT_EQ(logs.lines().size(), 1u);
  EXPECT_NE(logs.lines()[0].find("failed: x509: certificate signed by unknown authority"),
            std::string::npos);
}

TEST(CompressUsernameTest, R7_6_UsernameLabel) {
  const std::pair<const char*, const char*> cases[] = {
      {"admin", "admin"},
      {"client", "client"},
      {"kube_proxy", "kube_proxy"},
      {"kubelet", "kubelet"},
      {"system:serviceaccount:kube-system:default", "system:serviceaccount:kube-system:default"},
      {"system:serviceaccount:default:default", "other"},
      {"jane@example.com", "email_id"},
      {"@", "email_id"},
      {"system:anonymous", "other"},
      {"Admin", "other"},
      {"", "other"},
  };
  for (const auto& [name, want] : cases) EXPECT_EQ(CompressUsername(name), want) << name;
}

// R8.5: the cache's own counters, rendered at scrape time.
TEST(TokenCacheMetricsTest, R8_5_RenderedFromStats) {
  Chain chain = BuildChain({.token_file = Tokens(), .anonymous = false});
  ASSERT_NE(chain.token_cache, nullptr);
  metrics::Registry registry;
  RegisterTokenCacheMetrics(registry, chain.token_cache);
  EXPECT_EQ(registry.Render(), "") << "no series before the first lookup";

  for (const char* token : {"abc123", "abc123", "nope"}) {
    http::ServerRequest request;
    request.AddHeader("Authorization", std::string("Bearer ") + token);
    AuthContext ctx;
    (void)kauth::testing::Authenticate(*chain.authenticator, request, ctx);
  }
  // abc123: miss, fetched, stored; abc123: hit; nope: miss, fetched (not applicable is not an
  // error), not stored (failure TTL 0).
  EXPECT_EQ(registry.Render(),
            "# HELP authentication_token_cache_active_fetch_count [ALPHA] \n"
            "# TYPE authentication_token_cache_active_fetch_count gauge\n"
            "authentication_token_cache_active_fetch_count{status=\"blocked\"} 0\n"
            "authentication_token_cache_active_fetch_count{status=\"in_flight\"} 0\n"
            "# HELP authentication_token_cache_fetch_total [ALPHA] \n"
            "# TYPE authentication_token_cache_fetch_total counter\n"
            "authentication_token_cache_fetch_total{status=\"ok\"} 2\n"
            "# HELP authentication_token_cache_request_total [ALPHA] \n"
            "# TYPE authentication_token_cache_request_total counter\n"
            "authentication_token_cache_request_total{status=\"hit\"} 1\n"
            "authentication_token_cache_request_total{status=\"miss\"} 2\n");

  metrics::Registry no_cache;
  RegisterTokenCacheMetrics(no_cache, nullptr);
  EXPECT_EQ(no_cache.Render(), "");
}

// R8.5: the duration histogram, fed by the cache's observer hook.
TEST(TokenCacheMetricsTest, R8_5_RequestDurationHistogram) {
  metrics::Registry registry;
  ChainConfig config;
  config.token_file = TokenFile::FromEntries({{"abc123", {.name = "alice"}}});
  config.token_cache.observe_request_duration = TokenCacheDurationObserver(registry);
  const Chain chain = BuildChain(std::move(config));
  for (const char* token : {"abc123", "abc123", "nope"}) {
    http::ServerRequest request;
    request.AddHeader("Authorization", std::string("Bearer ") + token);
    AuthContext ctx;
    (void)kauth::testing::Authenticate(*chain.authenticator, request, ctx);
  }
  const std::string text = registry.Render();
  EXPECT_NE(text.find("# TYPE authentication_token_cache_request_duration_seconds histogram\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("authentication_token_cache_request_duration_seconds_count{status=\"hit\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("authentication_token_cache_request_duration_seconds_count{status=\"miss\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("authentication_token_cache_request_duration_seconds_bucket{status=\"hit\","
                      "le=\"0.005\"} 1\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace kauth::filters
