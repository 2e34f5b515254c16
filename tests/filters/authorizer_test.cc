#include "filters/authorizer.h"

#include <gtest/gtest.h>

#include "filter_test_support.h"
#include "http/status.h"
#include "testing/run_sync.h"

namespace kauth::filters {
namespace {

using test_support::Headers;
using test_support::RecordingHandler;
using test_support::Seen;

const UserInfo kAnonymous{.name = "system:anonymous", .groups = {"system:unauthenticated"}};
const UserInfo kAlice{.name = "alice", .groups = {"dev", "system:authenticated"}};
const UserInfo kAdmin{.name = "admin", .groups = {"system:masters", "system:authenticated"}};
const UserInfo kProm{.name = "prom", .groups = {"system:monitoring", "system:authenticated"}};

struct Case {
  const char* name;
  std::optional<UserInfo> user;
  std::string method;
  std::string target;
  // Empty: the request passes to the next handler.
  std::string forbidden_message;
  http::StatusDetails details = {};
};

// The answer through HandleInline (the next handler answers inline), or through Handle.
http::ServerResponse Authorize(const Authorizer& authorizer, const Case& c, Headers headers = {},
                               bool inline_path = false) {
  http::ServerRequest request;
  request.set_method(c.method);
  request.SetTarget(c.target);
  for (const auto& [name, value] : headers) request.AddHeader(name, value);
  http::RequestState state;
  state.user = c.user;
  if (inline_path) {
    EXPECT_TRUE(authorizer.HandlesInline(request));
    return authorizer.HandleInline(request, state);
  }
  return kauth::testing::RunSync(authorizer.Handle(request, state));
}

void Check(const AuthorizerOptions& options, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    for (const bool inline_path : {false, true}) {
      SCOPED_TRACE(std::string(c.name) + (inline_path ? " (inline)" : " (suspending)"));
      auto seen = std::make_shared<Seen>();
      const Authorizer authorizer(options, std::make_unique<RecordingHandler>(seen));
      const http::ServerResponse response = Authorize(authorizer, c, {}, inline_path);
      if (c.forbidden_message.empty()) {
        EXPECT_EQ(response.status, 200u);
        EXPECT_EQ(response.body, "next");
        EXPECT_EQ(seen->calls, 1);
        continue;
      }
      EXPECT_EQ(seen->calls, 0);
      EXPECT_EQ(response.status, 403u);
      http::Status want = http::ForbiddenStatus(c.forbidden_message);
      want.details = c.details;
      EXPECT_EQ(response.body, http::StatusJson(want, /*pretty=*/false));
      EXPECT_EQ(response.headers, (Headers{{"Content-Type", "application/json"},
                                           {"Cache-Control", "no-cache, private"},
                                           {"X-Content-Type-Options", "nosniff"}}));
    }
  }
}

const http::StatusDetails kTokenReviewDetails{.group = "authentication.k8s.io",
                                              .kind = "tokenreviews"};

TEST(AuthorizerTest, DefaultOptionsTable) {
  Check(
      {},
      {
          {"health for anonymous", kAnonymous, "GET", "/healthz", ""},
          {"livez", kAnonymous, "GET", "/livez", ""},
          {"readyz verbose", kAnonymous, "GET", "/readyz?verbose", ""},
          {"version", kAnonymous, "GET", "/version?timeout=5s", ""},
          {"discovery /apis", kAnonymous, "GET", "/apis", ""},
          {"discovery group version", kAlice, "GET", "/apis/authentication.k8s.io/v1", ""},
          {"selfsubjectreview for anonymous", kAnonymous, "POST",
           "/apis/authentication.k8s.io/v1/selfsubjectreviews", ""},
          {"selfsubjectreview v1beta1", kAlice, "POST",
           "/apis/authentication.k8s.io/v1beta1/selfsubjectreviews", ""},
          {"unknown paths go on to the 404", kAlice, "GET", "/unknown", ""},
          {"metrics for system:masters", kAdmin, "GET", "/metrics", ""},
          {"metrics denied to anonymous", kAnonymous, "GET", "/metrics",
           R"(forbidden: User "system:anonymous" cannot get path "/metrics")"},
          {"metrics denied to alice", kAlice, "GET", "/metrics",
           R"(forbidden: User "alice" cannot get path "/metrics")"},
          {"metrics verb is the lower-cased method", kAlice, "HEAD", "/metrics",
           R"(forbidden: User "alice" cannot head path "/metrics")"},
          {"metrics subpaths are guarded too", kAlice, "GET", "/metrics/slis",
           R"(forbidden: User "alice" cannot get path "/metrics/slis")"},
          {"percent-encoding does not bypass the check", kAlice, "GET", "/metric%73?x=1",
           R"(forbidden: User "alice" cannot get path "/metrics")"},
          {"percent-encoding does not hide a tokenreview", kAlice, "POST",
           "/apis/authentication.k8s.io/v1/tokenrevi%65ws",
           R"(tokenreviews.authentication.k8s.io is forbidden: User "alice" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)",
           kTokenReviewDetails},
          {"the query is not part of the path", kAlice, "GET", "/metrics?timeout=5s",
           R"(forbidden: User "alice" cannot get path "/metrics")"},
          {"tokenreview create for system:masters", kAdmin, "POST",
           "/apis/authentication.k8s.io/v1/tokenreviews", ""},
          {"tokenreview create denied", kAlice, "POST",
           "/apis/authentication.k8s.io/v1/tokenreviews",
           R"(tokenreviews.authentication.k8s.io is forbidden: User "alice" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)",
           kTokenReviewDetails},
          {"tokenreview v1beta1 denied", kAnonymous, "POST",
           "/apis/authentication.k8s.io/v1beta1/tokenreviews/",
           R"(tokenreviews.authentication.k8s.io is forbidden: User "system:anonymous" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)",
           kTokenReviewDetails},
          {"tokenreview list", kAlice, "GET", "/apis/authentication.k8s.io/v1/tokenreviews",
           R"(tokenreviews.authentication.k8s.io is forbidden: User "alice" cannot list resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)",
           kTokenReviewDetails},
          {"tokenreview watch", kAlice, "GET",
           "/apis/authentication.k8s.io/v1/tokenreviews?watch=true",
           R"(tokenreviews.authentication.k8s.io is forbidden: User "alice" cannot watch resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)",
           kTokenReviewDetails},
          {"tokenreview by name",
           kAlice,
           "GET",
           "/apis/authentication.k8s.io/v1/tokenreviews/x",
           R"(tokenreviews.authentication.k8s.io "x" is forbidden: User "alice" cannot get resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)",
           {.name = "x", .group = "authentication.k8s.io", .kind = "tokenreviews"}},
          {"tokenreview in a namespace", kAlice, "POST",
           "/apis/authentication.k8s.io/v1/namespaces/ns1/tokenreviews",
           R"(tokenreviews.authentication.k8s.io is forbidden: User "alice" cannot create resource "tokenreviews" in API group "authentication.k8s.io" in the namespace "ns1")",
           kTokenReviewDetails},
          {"tokenreview deletecollection", kAlice, "DELETE",
           "/apis/authentication.k8s.io/v1/tokenreviews",
           R"(tokenreviews.authentication.k8s.io is forbidden: User "alice" cannot deletecollection resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)",
           kTokenReviewDetails},
          {"tokenreview subresource",
           kAlice,
           "PUT",
           "/apis/authentication.k8s.io/v1/tokenreviews/x/status",
           R"(tokenreviews.authentication.k8s.io "x" is forbidden: User "alice" cannot update resource "tokenreviews/status" in API group "authentication.k8s.io" at the cluster scope)",
           {.name = "x", .group = "authentication.k8s.io", .kind = "tokenreviews"}},
          {"an unknown method has an empty verb", kAlice, "BREW",
           "/apis/authentication.k8s.io/v1/tokenreviews",
           R"(tokenreviews.authentication.k8s.io is forbidden: User "alice" cannot  resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)",
           kTokenReviewDetails},
          {"no user (authentication disabled): public endpoints pass", std::nullopt, "GET",
           "/healthz", ""},
          {"no user: metrics denied to the empty name", std::nullopt, "GET", "/metrics",
           R"(forbidden: User "" cannot get path "/metrics")"},
          {"no user: tokenreview denied", std::nullopt, "POST",
           "/apis/authentication.k8s.io/v1/tokenreviews",
           R"(tokenreviews.authentication.k8s.io is forbidden: User "" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)",
           kTokenReviewDetails},
          {"the core group has no tokenreviews", kAlice, "POST", "/api/v1/tokenreviews", ""},
      });
}

TEST(AuthorizerTest, ConfiguredUsersAndGroupsReplaceTheDefault) {
  const AuthorizerOptions options{.metrics_allowed_users = {"alice"},
                                  .metrics_allowed_groups = {"system:monitoring"},
                                  .tokenreview_allowed_users = {"prom"},
                                  .tokenreview_allowed_groups = {}};
  Check(
      options,
      {
          {"metrics by user name", kAlice, "GET", "/metrics", ""},
          {"metrics by group", kProm, "GET", "/metrics", ""},
          {"system:masters is no longer implied", kAdmin, "GET", "/metrics",
           R"(forbidden: User "admin" cannot get path "/metrics")"},
          {"tokenreview by user name", kProm, "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
           ""},
          {"tokenreview: empty group list", kAdmin, "POST",
           "/apis/authentication.k8s.io/v1/tokenreviews",
           R"(tokenreviews.authentication.k8s.io is forbidden: User "admin" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)",
           kTokenReviewDetails},
      });
}

// Exact bytes of a 403 as curl sees it, including Go's %q and the HTML sanitizer.
TEST(AuthorizerTest, ForbiddenBodyQuotesAndSanitizesTheUserName) {
  auto seen = std::make_shared<Seen>();
  const Authorizer authorizer({}, std::make_unique<RecordingHandler>(seen));
  const Case c{"", UserInfo{.name = "a\"b<c>&\n"}, "GET", "/metrics", "x"};
  const http::ServerResponse response = Authorize(authorizer, c, {{"User-Agent", "curl/8.5.0"}});
  EXPECT_EQ(response.status, 403u);
  EXPECT_EQ(response.body, R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "forbidden: User \"a\\\"b\u0026lt;c\u0026gt;\u0026amp;\\n\" cannot get path \"/metrics\"",
  "reason": "Forbidden",
  "details": {},
  "code": 403
})");
}

TEST(AuthorizerTest, ResourceForbiddenCompactBody) {
  auto seen = std::make_shared<Seen>();
  const Authorizer authorizer({}, std::make_unique<RecordingHandler>(seen));
  const Case c{"", kAlice, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", "x"};
  EXPECT_EQ(
      Authorize(authorizer, c).body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"tokenreviews.authentication.k8s.io is forbidden: User \"alice\" cannot create resource \"tokenreviews\" in API group \"authentication.k8s.io\" at the cluster scope","reason":"Forbidden","details":{"group":"authentication.k8s.io","kind":"tokenreviews"},"code":403})"
      "\n");
}

}  // namespace
}  // namespace kauth::filters
