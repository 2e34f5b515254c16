#include "kauth/auth_result.h"

#include <gtest/gtest.h>

namespace kauth {
namespace {

// R0.2: exactly one of the three outcomes holds.
TEST(AuthResultTest, R0_2_ThreeOutcomesAreExclusive) {
  const AuthResult authed = AuthResult::Authenticated({UserInfo{.name = "alice"}, {"api"}});
  EXPECT_TRUE(authed.authenticated());
  EXPECT_FALSE(authed.not_applicable());
  EXPECT_FALSE(authed.rejected());
  EXPECT_EQ(authed.response().user.name, "alice");
  EXPECT_EQ(authed.response().audiences, Audiences{"api"});

  const AuthResult na = AuthResult::NotApplicable();
  EXPECT_TRUE(na.not_applicable());
  EXPECT_FALSE(na.authenticated());
  EXPECT_FALSE(na.rejected());

  const AuthResult err =
      AuthResult::Rejected(AuthError(AuthErrorKind::kUnavailable, "webhook down"));
  EXPECT_TRUE(err.rejected());
  EXPECT_FALSE(err.authenticated());
  EXPECT_EQ(err.error().message(), "webhook down");
  EXPECT_EQ(err.error().kind(), AuthErrorKind::kUnavailable);
}

TEST(AuthResultDeathTest, ReadingUserFromRejectionAborts) {
  const AuthResult err =
      AuthResult::Rejected(AuthError(AuthErrorKind::kInvalidCredential, "invalid bearer token"));
  EXPECT_DEATH((void)err.response(), "accessed as Authenticated but holds Rejected");
  const AuthResult na = AuthResult::NotApplicable();
  EXPECT_DEATH((void)na.error(), "accessed as Rejected but holds NotApplicable");
}

}  // namespace
}  // namespace kauth
