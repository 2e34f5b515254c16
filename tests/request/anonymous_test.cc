#include "kauth/anonymous.h"

#include <gtest/gtest.h>

#include "kauth/basic_request.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"

namespace kauth {
namespace {

using testing::Authed;
using testing::Authenticate;

const UserInfo kAnonymous{.name = "system:anonymous", .groups = {"system:unauthenticated"}};

// R6.3: the anonymous user, with the context's audiences.
TEST(AnonymousAuthenticatorTest, R6_3_AnonymousUser) {
  auto anonymous = NewAnonymousAuthenticator();
  BasicRequest request("/api/v1/pods");
  AuthContext no_audiences;
  EXPECT_EQ(Authenticate(*anonymous, request, no_audiences), Authed(kAnonymous));
  AuthContext with_audiences(Audiences{"api", "vault"});
  EXPECT_EQ(Authenticate(*anonymous, request, with_audiences),
            Authed(kAnonymous, {"api", "vault"}));
}

// R6.3: with conditions, only exact paths are anonymous (no prefix, no normalisation).
TEST(AnonymousAuthenticatorTest, R6_3_AllowedPathsMatchExactly) {
  auto anonymous = NewAnonymousAuthenticator(
      {.allowed_paths = std::vector<std::string>{"/healthz", "/livez", "/readyz"}});
  struct Case {
    const char* path;
    bool anonymous;
  };
  const Case cases[] = {
      {"/healthz", true},   {"/livez", true},         {"/readyz", true},
      {"/healthz/", false}, {"/healthz/etcd", false}, {"//healthz", false},
      {"/HEALTHZ", false},  {"/api", false},          {"/", false},
  };
  for (const auto& c : cases) {
    BasicRequest request(c.path);
    const AuthResult got = Authenticate(*anonymous, request);
    EXPECT_EQ(got.authenticated(), c.anonymous) << c.path;
    EXPECT_EQ(got.not_applicable(), !c.anonymous) << c.path;
  }
}

TEST(AnonymousAuthenticatorTest, R6_3_EmptyConditionListAllowsNothing) {
  auto anonymous = NewAnonymousAuthenticator({.allowed_paths = std::vector<std::string>{}});
  BasicRequest request("/healthz");
  EXPECT_TRUE(Authenticate(*anonymous, request).not_applicable());
}

}  // namespace
}  // namespace kauth
