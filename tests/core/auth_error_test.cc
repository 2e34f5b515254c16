#include "kauth/auth_error.h"

#include <gtest/gtest.h>

namespace kauth {
namespace {

using K = AuthErrorKind;

// R0.3: apimachinery's aggregate formatting.
TEST(AuthErrorTest, R0_3_AggregateFormatting) {
  struct Case {
    const char* name;
    std::vector<AuthError> parts;
    std::string want;
  };
  const Case cases[] = {
      {"single error is bare", {AuthError(K::kInvalidCredential, "a")}, "a"},
      {"two errors bracketed",
       {AuthError(K::kInvalidCredential, "invalid bearer token"),
        AuthError(K::kInvalidCredential, "service account token has expired")},
       "[invalid bearer token, service account token has expired]"},
      {"duplicates removed keeping the first",
       {AuthError(K::kInvalidCredential, "a"), AuthError(K::kInvalidCredential, "b"),
        AuthError(K::kInvalidCredential, "a")},
       "[a, b]"},
      {"one distinct text is bare",
       {AuthError(K::kInvalidCredential, "a"), AuthError(K::kInvalidCredential, "a")},
       "a"},
      {"nested aggregates flatten",
       {AuthError::Aggregate(
            {AuthError(K::kInvalidCredential, "a"), AuthError(K::kInvalidCredential, "b")}),
        AuthError(K::kInvalidCredential, "b"), AuthError(K::kInvalidCredential, "c")},
       "[a, b, c]"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(AuthError::Aggregate(c.parts).message(), c.want) << c.name;
    // The union aggregates as errors arrive: the same text and kind.
    AuthError absorbed = c.parts.front();
    for (std::size_t i = 1; i < c.parts.size(); ++i) absorbed.Absorb(c.parts[i]);
    EXPECT_EQ(absorbed, AuthError::Aggregate(c.parts)) << c.name;
    EXPECT_EQ(absorbed.messages(), AuthError::Aggregate(c.parts).messages()) << c.name;
  }
}

TEST(AuthErrorTest, AbsorbTakesTheMoreSevereKind) {
  AuthError error(K::kUnavailable, "a");
  error.Absorb(AuthError(K::kInvalidCredential, "b"));
  EXPECT_EQ(error.kind(), K::kUnavailable);
  error.Absorb(AuthError(K::kInternal, "a"));
  EXPECT_EQ(error.kind(), K::kInternal);
  EXPECT_EQ(error.message(), "[a, b]");
}

TEST(AuthErrorTest, AggregateKindIsMostSevere) {
  EXPECT_EQ(
      AuthError::Aggregate({AuthError(K::kInvalidCredential, "a"), AuthError(K::kUnavailable, "b")})
          .kind(),
      K::kUnavailable);
  EXPECT_EQ(
      AuthError::Aggregate({AuthError(K::kInternal, "a"), AuthError(K::kUnavailable, "b")}).kind(),
      K::kInternal);
  EXPECT_EQ(AuthError::Aggregate({AuthError(K::kInvalidCredential, "a")}).kind(),
            K::kInvalidCredential);
}

}  // namespace
}  // namespace kauth
