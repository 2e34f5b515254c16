#include "kauth/bearer.h"

#include <gtest/gtest.h>

#include <atomic>

#include "kauth/basic_request.h"
#include "request/bearer_parse.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"

namespace kauth {
namespace {

using testing::Authed;
using testing::Authenticate;
using testing::MapTokenAuthenticator;
using testing::Rejected;
using Kind = BearerCredential::Kind;

// R3.1, R3.2: what the Authorization header yields, before any token lookup.
TEST(BearerParseTest, R3_1_R3_2_HeaderParsingTable) {
  struct Case {
    const char* name;
    std::optional<std::string_view> header;
    Kind kind;
    std::string_view token;
  };
  const Case cases[] = {
      {"absent", std::nullopt, Kind::kNone, ""},
      {"blank", "", Kind::kNone, ""},
      {"only spaces", "   ", Kind::kNone, ""},
      {"basic scheme", "Basic YWxpY2U6cHc=", Kind::kNone, ""},
      {"scheme without token", "Bearer", Kind::kNone, ""},
      {"scheme with trailing space is trimmed", "Bearer ", Kind::kNone, ""},
      {"lower-case scheme", "bearer T", Kind::kToken, "T"},
      {"upper-case scheme", "BEARER T", Kind::kToken, "T"},
      {"mixed-case scheme", "Bearer T", Kind::kToken, "T"},
      {"text after a second space ignored", "Bearer T extra", Kind::kToken, "T"},
      {"two spaces: empty token with warning", "Bearer  T", Kind::kExtraSpace, ""},
      {"tab is not a separator", "Bearer\tT", Kind::kNone, ""},
      {"leading and trailing white space trimmed", " \tBearer T \t", Kind::kToken, "T"},
      {"unicode space trimmed (Go TrimSpace)",
       "\xC2\xA0"
       "Bearer T\xE3\x80\x80",
       Kind::kToken, "T"},
      {"bearer prefix of a longer scheme", "BearerX T", Kind::kNone, ""},
      {"token keeps its bytes", "Bearer a.b-c_d=", Kind::kToken, "a.b-c_d="},
  };
  for (const auto& c : cases) {
    const BearerCredential got = ParseBearerAuthorization(c.header);
    EXPECT_EQ(got.kind, c.kind) << c.name;
    EXPECT_EQ(got.token, c.token) << c.name;
  }
}

class BearerAuthenticatorTest : public ::testing::Test {
 protected:
  BearerAuthenticatorTest()
      : calls_(std::make_shared<std::atomic<int>>(0)),
        bearer_(NewBearerAuthenticator(std::make_shared<MapTokenAuthenticator>(
            std::map<std::string, AuthResult>{
                {"good", Authed({.name = "alice", .uid = "1001"})},
                {"broken", Rejected("token has expired")},
            },
            calls_))) {}

  std::shared_ptr<std::atomic<int>> calls_;
  std::unique_ptr<RequestAuthenticator> bearer_;
};

// R3.3: outcomes of the token lookup, and what happens to the Authorization header.
TEST_F(BearerAuthenticatorTest, R3_3_OutcomesTable) {
  struct Case {
    const char* name;
    std::optional<std::string> header;
    AuthResult want;
    bool header_removed;
    int token_lookups;
  };
  const Case cases[] = {
      {"absent", std::nullopt, AuthResult::NotApplicable(), false, 0},
      {"basic", "Basic x", AuthResult::NotApplicable(), false, 0},
      {"known token", "Bearer good", Authed({.name = "alice", .uid = "1001"}), true, 1},
      {"known token, other case scheme", "bEaReR good", Authed({.name = "alice", .uid = "1001"}),
       true, 1},
      {"unknown token", "Bearer unknown", Rejected("invalid bearer token"), false, 1},
      {"token authenticator error passes through", "Bearer broken", Rejected("token has expired"),
       false, 1},
      {"two spaces never reach the lookup", "Bearer  good", AuthResult::NotApplicable(), false, 0},
  };
  for (const auto& c : cases) {
    *calls_ = 0;
    BasicRequest request;
    if (c.header) request.AddHeader("Authorization", *c.header);
    const AuthResult got = Authenticate(*bearer_, request);
    EXPECT_EQ(got, c.want) << c.name;
    EXPECT_EQ(request.Header("Authorization").has_value(), c.header && !c.header_removed) << c.name;
    EXPECT_EQ(*calls_, c.token_lookups) << c.name;
  }
}

// R3.2: the extra-space case adds exactly Kubernetes' warning, and only when there is a third
// part.
TEST_F(BearerAuthenticatorTest, R3_2_ExtraSpaceWarning) {
  BasicRequest request;
  request.AddHeader("Authorization", "Bearer  good");
  AuthContext ctx;
  EXPECT_TRUE(Authenticate(*bearer_, request, ctx).not_applicable());
  EXPECT_EQ(ctx.warnings(),
            std::vector<std::string>{"the provided Authorization header contains extra space "
                                     "before the bearer token, and is ignored"});

  BasicRequest plain;
  plain.AddHeader("Authorization", "Bearer good");
  AuthContext plain_ctx;
  EXPECT_TRUE(Authenticate(*bearer_, plain, plain_ctx).authenticated());
  EXPECT_TRUE(plain_ctx.warnings().empty());
}

// R0.3: only the first Authorization value is read.
TEST_F(BearerAuthenticatorTest, R0_3_OnlyFirstAuthorizationValueCounts) {
  BasicRequest request;
  request.AddHeader("Authorization", "Basic x");
  request.AddHeader("Authorization", "Bearer good");
  EXPECT_TRUE(Authenticate(*bearer_, request).not_applicable());
}

}  // namespace
}  // namespace kauth
