#include "api/health.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/api_test_support.h"

namespace kauth::api {
namespace {

using testing::Call;
using testing::Headers;

const Headers kTextHeaders = {{"Content-Type", "text/plain; charset=utf-8"},
                              {"X-Content-Type-Options", "nosniff"},
                              {"Cache-Control", "no-cache, private"}};
// A single check's "ok" is written without nosniff (Go sniffs the type).
const Headers kSingleCheckOkHeaders = {{"Content-Type", "text/plain; charset=utf-8"},
                                       {"Cache-Control", "no-cache, private"}};

struct Case {
  const char* name;
  std::string target;
  unsigned want_code;
  std::string want_body;
  Headers want_headers = kTextHeaders;
  std::string method = "GET";
};

void Expect(const HealthApi& api, const Case& c) {
  ASSERT_TRUE(api.Serves(c.target.substr(0, c.target.find('?')))) << c.name;
  const http::ServerResponse response = Call(api, {.method = c.method, .target = c.target});
  EXPECT_EQ(response.status, c.want_code) << c.name;
  EXPECT_EQ(response.headers, c.want_headers) << c.name;
  EXPECT_EQ(response.body, c.want_body) << c.name;
}

// k8s.io/apiserver healthz: the exact texts of the three endpoints.
TEST(HealthApiTest, HealthyEndpoints) {
  auto checks = std::make_shared<HealthChecks>();
  const HealthApi api(checks);
  const Case cases[] = {
      {"/healthz", "/healthz", 200, "ok"},
      {"/livez", "/livez", 200, "ok"},
      {"/readyz", "/readyz", 200, "ok"},
      {"any method", "/healthz", 200, "ok", kTextHeaders, "POST"},
      {"verbose healthz", "/healthz?verbose", 200, "[+]ping ok\nhealthz check passed\n"},
      {"verbose with a value", "/livez?verbose=false", 200, "[+]ping ok\nlivez check passed\n"},
      {"verbose readyz ends with shutdown", "/readyz?verbose", 200,
       "[+]ping ok\n[+]shutdown ok\nreadyz check passed\n"},
      {"one check", "/readyz/ping", 200, "ok", kSingleCheckOkHeaders},
      {"the shutdown check alone", "/readyz/shutdown", 200, "ok", kSingleCheckOkHeaders},
      {"excluded check", "/readyz?verbose&exclude=shutdown", 200,
       "[+]ping ok\n[+]shutdown excluded: ok\nreadyz check passed\n"},
      {"exclude names that match nothing: sorted, Go-quoted",
       "/healthz?verbose&exclude=nope&exclude=b%22&exclude=ping", 200,
       "[+]ping excluded: ok\n"
       "warn: some health checks cannot be excluded: no matches for \"b\\\"\",\"nope\"\n"
       "healthz check passed\n"},
      {"the warning without verbose: still just ok", "/healthz?exclude=nope", 200, "ok"},
  };
  for (const Case& c : cases) Expect(api, c);
}

TEST(HealthApiTest, FailingCheckWithholdsTheReason) {
  auto checks = std::make_shared<HealthChecks>();
  checks->AddReadyzCheck("upstream",
                         [] { return std::optional<std::string>("connection refused"); });
  checks->AddCheck("reload", [] { return std::optional<std::string>(); });
  const HealthApi api(checks);
  const Case cases[] = {
      {"readyz fails, verbose or not", "/readyz", 500,
       "[+]ping ok\n[-]upstream failed: reason withheld\n[+]reload ok\n[+]shutdown ok\n"
       "readyz check failed\n"},
      {"readyz?verbose", "/readyz?verbose", 500,
       "[+]ping ok\n[-]upstream failed: reason withheld\n[+]reload ok\n[+]shutdown ok\n"
       "readyz check failed\n"},
      {"excluding the failing check", "/readyz?exclude=upstream", 200, "ok"},
      {"the single check tells the reason", "/readyz/upstream", 500,
       "internal server error: connection refused\n"},
      {"healthz has the shared check only", "/healthz?verbose", 200,
       "[+]ping ok\n[+]reload ok\nhealthz check passed\n"},
      {"livez too", "/livez/reload", 200, "ok", kSingleCheckOkHeaders},
  };
  for (const Case& c : cases) Expect(api, c);
  EXPECT_FALSE(api.Serves("/healthz/upstream"));
  EXPECT_FALSE(api.Serves("/livez/upstream"));
}

TEST(HealthApiTest, ShutdownFailsReadyzOnly) {
  auto checks = std::make_shared<HealthChecks>();
  const HealthApi api(checks);
  checks->SetShuttingDown();
  EXPECT_TRUE(checks->shutting_down());
  const Case cases[] = {
      {"readyz", "/readyz", 500,
       "[+]ping ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n"},
      {"the shutdown check", "/readyz/shutdown", 500,
       "internal server error: process is shutting down\n"},
      {"livez still ok", "/livez", 200, "ok"},
      {"healthz still ok", "/healthz", 200, "ok"},
  };
  for (const Case& c : cases) Expect(api, c);
}

TEST(HealthApiTest, ServesOnlyTheEndpointsAndTheirChecks) {
  const HealthApi api(std::make_shared<HealthChecks>());
  struct PathCase {
    const char* path;
    bool want;
  };
  const PathCase cases[] = {
      {"/healthz", true},
      {"/livez", true},
      {"/readyz", true},
      {"/healthz/ping", true},
      {"/readyz/shutdown", true},
      {"/healthz/shutdown", false},
      {"/healthz/", false},
      {"/healthz/nope", false},
      {"/healthzx", false},
      {"/healthz/ping/x", false},
      {"/", false},
      {"/ready", false},
  };
  for (const PathCase& c : cases) EXPECT_EQ(api.Serves(c.path), c.want) << c.path;
}

TEST(HealthChecksTest, AddCheckServesAllThreeEndpointsInOrder) {
  HealthChecks checks;
  checks.AddCheck("a", [] { return std::optional<std::string>(); });
  checks.AddLivezCheck("b", [] { return std::optional<std::string>(); });
  const auto names = [&](HealthEndpoint endpoint) {
    std::string out;
    for (const NamedHealthCheck& check : checks.Checks(endpoint)) out += check.name + " ";
    return out;
  };
  EXPECT_EQ(names(HealthEndpoint::kHealthz), "ping a ");
  EXPECT_EQ(names(HealthEndpoint::kLivez), "ping a b ");
  EXPECT_EQ(names(HealthEndpoint::kReadyz), "ping a shutdown ");
}

TEST(HealthChecksDeathTest, DuplicateOrInvalidNamesAbort) {
  const auto ok = [] { return std::optional<std::string>(); };
  EXPECT_DEATH(HealthChecks().AddCheck("ping", ok), "invalid or duplicate health check name ping");
  EXPECT_DEATH(HealthChecks().AddReadyzCheck("shutdown", ok), "shutdown");
  EXPECT_DEATH(HealthChecks().AddLivezCheck("a/b", ok), "a/b");
  EXPECT_DEATH(HealthChecks().AddLivezCheck("", ok), "invalid");
}

}  // namespace
}  // namespace kauth::api
