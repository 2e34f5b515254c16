#include "kauth/audience_agnostic.h"

#include <gtest/gtest.h>

#include <atomic>

#include "kauth/basic_request.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"

namespace kauth {
namespace {

using testing::Authed;
using testing::Authenticate;
using testing::AuthenticateToken;
using testing::FixedRequestAuthenticator;
using testing::MapTokenAuthenticator;
using testing::Rejected;

// R1.5, applied to both the token and the request wrapper.
TEST(AudienceAgnosticTest, R1_5_Table) {
  struct Case {
    const char* name;
    Audiences implicit;
    std::optional<Audiences> ctx_audiences;
    AuthResult delegate;
    AuthResult want;
    bool delegate_called;
  };
  const Case cases[] = {
      {"no audiences in context: delegate as-is",
       {"api"},
       std::nullopt,
       Authed({.name = "alice"}),
       Authed({.name = "alice"}),
       true},
      {"no audiences in context, delegate with audiences",
       {"api"},
       std::nullopt,
       Authed({.name = "alice"}, {"x"}),
       Authed({.name = "alice"}, {"x"}),
       true},
      {"intersection becomes the audiences",
       {"api", "other"},
       Audiences{"vault", "api"},
       Authed({.name = "alice"}),
       Authed({.name = "alice"}, {"api"}),
       true},
      {"intersection keeps the context order",
       {"a", "b"},
       Audiences{"b", "a"},
       Authed({.name = "alice"}),
       Authed({.name = "alice"}, {"b", "a"}),
       true},
      {"empty intersection: not applicable, delegate not called",
       {"api"},
       Audiences{"vault"},
       Authed({.name = "alice"}),
       AuthResult::NotApplicable(),
       false},
      {"empty implicit audiences",
       {},
       Audiences{"api"},
       Authed({.name = "alice"}),
       AuthResult::NotApplicable(),
       false},
      {"empty context list",
       {"api"},
       Audiences{},
       Authed({.name = "alice"}),
       AuthResult::NotApplicable(),
       false},
      {"delegate error passes through",
       {"api"},
       Audiences{"api"},
       Rejected("bad"),
       Rejected("bad"),
       true},
      {"delegate not applicable passes through",
       {"api"},
       Audiences{"api"},
       AuthResult::NotApplicable(),
       AuthResult::NotApplicable(),
       true},
      {"delegate returned audiences",
       {"api"},
       Audiences{"api"},
       Authed({.name = "alice"}, {"x"}),
       Rejected("audience agnostic authenticator wrapped an authenticator that returned "
                "audiences: [\"x\"]",
                AuthErrorKind::kInternal),
       true},
  };
  for (const auto& c : cases) {
    {
      auto calls = std::make_shared<std::atomic<int>>(0);
      auto wrapped = NewAudienceAgnosticTokenAuthenticator(
          std::make_unique<MapTokenAuthenticator>(
              std::map<std::string, AuthResult>{{"t", c.delegate}}, calls),
          c.implicit);
      AuthContext ctx(c.ctx_audiences);
      EXPECT_EQ(AuthenticateToken(*wrapped, "t", ctx), c.want) << c.name << " (token)";
      EXPECT_EQ(*calls, c.delegate_called ? 1 : 0) << c.name << " (token)";
    }
    {
      auto calls = std::make_shared<std::atomic<int>>(0);
      auto wrapped = NewAudienceAgnosticAuthenticator(
          std::make_unique<FixedRequestAuthenticator>(c.delegate, calls), c.implicit);
      AuthContext ctx(c.ctx_audiences);
      BasicRequest request;
      EXPECT_EQ(Authenticate(*wrapped, request, ctx), c.want) << c.name << " (request)";
      EXPECT_EQ(*calls, c.delegate_called ? 1 : 0) << c.name << " (request)";
    }
  }
}

}  // namespace
}  // namespace kauth
