#include "kauth/union.h"

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

const AuthResult kNA = AuthResult::NotApplicable();
const AuthResult kAlice = Authed({.name = "alice"});
const AuthResult kBob = Authed({.name = "bob"});

struct UnionCase {
  const char* name;
  std::vector<AuthResult> members;
  AuthResult want_plain;
  AuthResult want_fail_on_error;
  int calls_plain;          // members called by the plain union
  int calls_fail_on_error;  // members called by the fail-on-error union
};

// R6.1, as one table for both unions.
const std::vector<UnionCase>& Cases() {
  static const std::vector<UnionCase> cases = {
      {"no members", {}, kNA, kNA, 0, 0},
      {"single member is that member", {Rejected("x")}, Rejected("x"), Rejected("x"), 1, 1},
      {"all not applicable", {kNA, kNA}, kNA, kNA, 2, 2},
      {"first success wins", {kAlice, kBob}, kAlice, kAlice, 1, 1},
      {"not applicable then success", {kNA, kBob}, kBob, kBob, 2, 2},
      {"error then success drops the error", {Rejected("e1"), kBob}, kBob, Rejected("e1"), 2, 1},
      {"errors aggregate",
       {Rejected("e1"), kNA, Rejected("e2")},
       Rejected("[e1, e2]"),
       Rejected("e1"),
       3,
       1},
      {"duplicate errors collapse",
       {Rejected("invalid bearer token"), Rejected("invalid bearer token")},
       Rejected("invalid bearer token"),
       Rejected("invalid bearer token"),
       2,
       1},
      {"not applicable never masks an error",
       {kNA, Rejected("e1"), kNA},
       Rejected("e1"),
       Rejected("e1"),
       3,
       2},
  };
  return cases;
}

TEST(UnionAuthenticatorTest, R6_1_RequestUnionTable) {
  for (const bool fail_on_error : {false, true}) {
    for (const auto& c : Cases()) {
      auto calls = std::make_shared<std::atomic<int>>(0);
      std::vector<std::unique_ptr<RequestAuthenticator>> members;
      for (const auto& result : c.members) {
        members.push_back(std::make_unique<FixedRequestAuthenticator>(result, calls));
      }
      auto u = fail_on_error ? NewFailOnErrorUnionAuthenticator(std::move(members))
                             : NewUnionAuthenticator(std::move(members));
      BasicRequest request;
      EXPECT_EQ(Authenticate(*u, request), fail_on_error ? c.want_fail_on_error : c.want_plain)
          << c.name << (fail_on_error ? " (fail-on-error)" : " (plain)");
      EXPECT_EQ(*calls, fail_on_error ? c.calls_fail_on_error : c.calls_plain)
          << c.name << (fail_on_error ? " (fail-on-error)" : " (plain)");
    }
  }
}

TEST(UnionAuthenticatorTest, R6_1_TokenUnionTable) {
  for (const bool fail_on_error : {false, true}) {
    for (const auto& c : Cases()) {
      auto calls = std::make_shared<std::atomic<int>>(0);
      std::vector<std::unique_ptr<TokenAuthenticator>> members;
      for (const auto& result : c.members) {
        members.push_back(std::make_unique<MapTokenAuthenticator>(
            std::map<std::string, AuthResult>{{"t", result}}, calls));
      }
      auto u = fail_on_error ? NewFailOnErrorUnionTokenAuthenticator(std::move(members))
                             : NewUnionTokenAuthenticator(std::move(members));
      EXPECT_EQ(AuthenticateToken(*u, "t"), fail_on_error ? c.want_fail_on_error : c.want_plain)
          << c.name << (fail_on_error ? " (fail-on-error)" : " (plain)");
      EXPECT_EQ(*calls, fail_on_error ? c.calls_fail_on_error : c.calls_plain) << c.name;
    }
  }
}

TEST(UnionAuthenticatorTest, R6_1_UnionOfOneIsThatMember) {
  auto member = std::make_unique<FixedRequestAuthenticator>(kAlice);
  const RequestAuthenticator* raw = member.get();
  std::vector<std::unique_ptr<RequestAuthenticator>> members;
  members.push_back(std::move(member));
  EXPECT_EQ(NewUnionAuthenticator(std::move(members)).get(), raw);
}

// A remote authenticator: keeps TokenAuthenticator::CompletesInline's default (false).
class RemoteTokenAuthenticator final : public TokenAuthenticator {
 public:
  Awaitable<AuthResult> AuthenticateToken(std::string_view, AuthContext&) const override {
    co_return AuthResult::NotApplicable();
  }
};

// The token cache skips its shared call only when every member is in-memory.
TEST(UnionAuthenticatorTest, CompletesInlineOnlyWhenEveryMemberDoes) {
  auto make = [](bool with_remote) {
    std::vector<std::unique_ptr<TokenAuthenticator>> members;
    members.push_back(std::make_unique<MapTokenAuthenticator>(std::map<std::string, AuthResult>{}));
    members.push_back(std::make_unique<MapTokenAuthenticator>(std::map<std::string, AuthResult>{}));
    if (with_remote) members.push_back(std::make_unique<RemoteTokenAuthenticator>());
    return NewUnionTokenAuthenticator(std::move(members));
  };
  EXPECT_TRUE(make(false)->CompletesInline());
  EXPECT_FALSE(make(true)->CompletesInline());
}

TEST(UnionAuthenticatorTest, AggregateKindIsMostSevere) {
  std::vector<std::unique_ptr<RequestAuthenticator>> members;
  members.push_back(std::make_unique<FixedRequestAuthenticator>(Rejected("bad token")));
  members.push_back(std::make_unique<FixedRequestAuthenticator>(
      Rejected("webhook down", AuthErrorKind::kUnavailable)));
  auto u = NewUnionAuthenticator(std::move(members));
  BasicRequest request;
  const AuthResult got = Authenticate(*u, request);
  ASSERT_TRUE(got.rejected());
  EXPECT_EQ(got.error().kind(), AuthErrorKind::kUnavailable);
  EXPECT_EQ(got.error().message(), "[bad token, webhook down]");
}

}  // namespace
}  // namespace kauth
