#include "proxy/upstream_authorizer.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/server_request.h"
#include "http/status.h"
#include "proxy/inbound_headers.h"

namespace kauth::proxy {
namespace {

const UserInfo kAlice{.name = "alice", .groups = {"devs", "system:authenticated"}};
const UserInfo kAnonymous{.name = "system:anonymous", .groups = {"system:unauthenticated"}};
const UserInfo kBob{.name = "bob", .groups = {"ops"}};

struct Case {
  const char* name;
  std::optional<UserInfo> user;
  std::string method;
  std::string target;
  std::string want_message;  // empty: allowed
};

void RunCases(const UpstreamAuthorizer& authorizer, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    http::ServerRequest request;
    request.set_method(c.method);
    request.SetTarget(c.target);
    const std::optional<http::Status> status = authorizer.Check(request, c.user);
    EXPECT_EQ(authorizer.Allows(c.user), c.want_message.empty());
    if (c.want_message.empty()) {
      EXPECT_FALSE(status.has_value());
      continue;
    }
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->code, 403u);
    EXPECT_EQ(status->reason, "Forbidden");
    EXPECT_EQ(status->message, c.want_message);
  }
}

TEST(UpstreamAuthorizerTest, DefaultLetsAuthenticatedCallersPassAndRefusesAnonymous) {
  const UpstreamAuthorizer authorizer({});
  RunCases(authorizer,
           {
               {"authenticated user", kAlice, "GET", "/anything?x=1", ""},
               {"anonymous, non-resource path", kAnonymous, "GET", "/healthz",
                "forbidden: User \"system:anonymous\" cannot get path \"/healthz\""},
               {"anonymous, POST to a decoded path", kAnonymous, "POST", "/a%20b",
                "forbidden: User \"system:anonymous\" cannot post path \"/a b\""},
               {"anonymous, core resource in a namespace", kAnonymous, "GET",
                "/api/v1/namespaces/default/pods",
                "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in "
                "API group \"\" in the namespace \"default\""},
               {"anonymous, named resource", kAnonymous, "GET",
                "/apis/apps/v1/namespaces/kube-system/deployments/coredns",
                "deployments.apps \"coredns\" is forbidden: User \"system:anonymous\" cannot get "
                "resource \"deployments\" in API group \"apps\" in the namespace \"kube-system\""},
               {"a user without system:authenticated", kBob, "GET", "/",
                "forbidden: User \"bob\" cannot get path \"/\""},
               {"no user (authentication disabled)", std::nullopt, "GET", "/metrics",
                "forbidden: User \"\" cannot get path \"/metrics\""},
           });
}

TEST(UpstreamAuthorizerTest, ConfiguredUsersAndGroupsReplaceTheDefault) {
  const UpstreamAuthorizer authorizer(
      {.allowed_users = {"bob"}, .allowed_groups = {"system:unauthenticated"}});
  RunCases(authorizer, {
                           {"allowed user", kBob, "GET", "/", ""},
                           {"anonymous allowed on purpose", kAnonymous, "GET", "/", ""},
                           {"system:authenticated is no longer enough", kAlice, "DELETE", "/x",
                            "forbidden: User \"alice\" cannot delete path \"/x\""},
                           {"names match exactly", UserInfo{.name = "Bob"}, "GET", "/",
                            "forbidden: User \"Bob\" cannot get path \"/\""},
                       });
}

TEST(UpstreamAuthorizerTest, ForbiddenResponseIsKubeApiserversBytes) {
  const UpstreamAuthorizer authorizer({});
  http::ServerRequest request;
  request.SetTarget("/api/v1/namespaces/default/pods");
  const http::ServerResponse response =
      ForbiddenResponse(request, *authorizer.Check(request, kAnonymous));
  EXPECT_EQ(response.status, 403u);
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  EXPECT_EQ(response.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(
      response.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"","reason":"Forbidden","details":{"kind":"pods"},"code":403})"
      "\n");
}

TEST(UpstreamAuthorizerTest, ImpersonationRefusalAsAResponse) {
  http::ServerRequest request;
  request.AddHeader("User-Agent", "curl/8.5.0");
  request.AddHeader("Impersonate-User", "admin");
  const http::ServerResponse response = ForbiddenResponse(request, *ImpersonationRefusal(request));
  EXPECT_EQ(response.status, 403u);
  EXPECT_EQ(response.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(response.body, R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "forbidden: impersonation through kauthd is not supported",
  "reason": "Forbidden",
  "details": {},
  "code": 403
})");
}

TEST(ValidateUpstreamAuthorizerOptionsTest, BothListsEmptyIsAnError) {
  EXPECT_TRUE(ValidateUpstreamAuthorizerOptions({}).has_value());
  EXPECT_TRUE(ValidateUpstreamAuthorizerOptions({.allowed_users = {"bob"}, .allowed_groups = {}})
                  .has_value());
  const Result<void> got = ValidateUpstreamAuthorizerOptions({.allowed_groups = {}});
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().message,
            "--upstream-allowed-users and --upstream-allowed-groups are both empty: no request "
            "would reach the upstream");
}

}  // namespace
}  // namespace kauth::proxy
