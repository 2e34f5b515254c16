#include "kauth/group_adder.h"

#include <gtest/gtest.h>

#include "kauth/basic_request.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"

namespace kauth {
namespace {

using testing::Authed;
using testing::Authenticate;
using testing::FixedRequestAuthenticator;
using testing::Rejected;

// R6.2: when system:authenticated is appended, and when the result passes through unchanged.
TEST(AuthenticatedGroupAdderTest, R6_2_Table) {
  using G = std::vector<std::string>;
  struct Case {
    const char* name;
    AuthResult in;
    AuthResult want;
  };
  const Case cases[] = {
      {"appended at the end", Authed({.name = "alice", .groups = G{"dev", "ops"}}),
       Authed({.name = "alice", .groups = G{"dev", "ops", "system:authenticated"}})},
      {"no groups", Authed({.name = "alice"}),
       Authed({.name = "alice", .groups = G{"system:authenticated"}})},
      {"no sorting, duplicates kept", Authed({.name = "a", .groups = G{"z", "a", "z"}}),
       Authed({.name = "a", .groups = G{"z", "a", "z", "system:authenticated"}})},
      {"already authenticated", Authed({.name = "a", .groups = G{"system:authenticated", "x"}}),
       Authed({.name = "a", .groups = G{"system:authenticated", "x"}})},
      {"unauthenticated group", Authed({.name = "a", .groups = G{"system:unauthenticated"}}),
       Authed({.name = "a", .groups = G{"system:unauthenticated"}})},
      {"anonymous name", Authed({.name = "system:anonymous"}),
       Authed({.name = "system:anonymous"})},
      {"audiences kept", Authed({.name = "a"}, {"api"}),
       Authed({.name = "a", .groups = G{"system:authenticated"}}, {"api"})},
      {"not applicable", AuthResult::NotApplicable(), AuthResult::NotApplicable()},
      {"rejected", Rejected("bad"), Rejected("bad")},
  };
  for (const auto& c : cases) {
    auto adder = NewAuthenticatedGroupAdder(std::make_unique<FixedRequestAuthenticator>(c.in));
    BasicRequest request;
    EXPECT_EQ(Authenticate(*adder, request), c.want) << c.name;
  }
}

}  // namespace
}  // namespace kauth
