#include "api/token_review.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/api_test_support.h"
#include "kauth/bearer.h"
#include "kauth/chain.h"
#include "testing/fake_authenticators.h"

namespace kauth::api {
namespace {

using testing::Call;
using testing::Headers;
using testing::RequestSpec;

constexpr char kV1Path[] = "/apis/authentication.k8s.io/v1/tokenreviews";
constexpr char kV1beta1Path[] = "/apis/authentication.k8s.io/v1beta1/tokenreviews";
constexpr char kApiAudience[] = "https://kubernetes.default.svc.cluster.local";
constexpr char kLoopbackToken[] = "loopback-secret";

struct ChainSpec {
  bool anonymous = true;
  Audiences api_audiences = {kApiAudience};
  bool disabled = false;  // no authenticator at all (authentication disabled)
};

// A real kube-apiserver-shaped chain (R6.4): token file, a token authenticator standing in for the
// service-account JWTs, anonymous, and the loopback wrapper.
std::unique_ptr<TokenReviewApi> NewApi(const ChainSpec& spec = {}) {
  if (spec.disabled) return std::make_unique<TokenReviewApi>(TokenReviewOptions{});
  ChainConfig config;
  config.token_file = TokenFile::FromEntries(
      {{"abc123", {.name = "alice", .uid = "1001", .groups = {"dev", "ops"}}},
       {"extra-token",
        {.name = "bob", .extra = {{"scopes", {"a", "b"}}, {"example.com/team", {"blue"}}}}}});
  config.tokens.push_back(
      std::make_unique<kauth::testing::MapTokenAuthenticator>(std::map<std::string, AuthResult>{
          {"expired-jwt", kauth::testing::Rejected("service account token has expired")},
          {"aud-x-token", kauth::testing::Authed({.name = "carol"}, {"aud-x"})}}));
  config.api_audiences = spec.api_audiences;
  config.anonymous = spec.anonymous;
  config.loopback_token = kLoopbackToken;
  return std::make_unique<TokenReviewApi>(
      TokenReviewOptions{.authenticator = BuildChain(std::move(config)).authenticator,
                         .api_audiences = spec.api_audiences});
}

RequestSpec Post(std::string body, std::string path = kV1Path) {
  return {.method = "POST",
          .target = std::move(path),
          .headers = {{"Content-Type", "application/json"}},
          .body = std::move(body)};
}

std::string ReviewBody(std::string_view token, std::string_view extra_spec = "") {
  return R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":")" +
         std::string(token) + "\"" + std::string(extra_spec) + "}}";
}

const Headers kJsonHeaders = {{"Content-Type", "application/json"},
                              {"Cache-Control", "no-cache, private"}};

// R14.1's example, byte for byte (compact JSON ends with a newline).
TEST(TokenReviewApiTest, R14_1_ExampleByteForByte) {
  const http::ServerResponse response = Call(
      *NewApi(),
      Post(
          R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"abc123"}})"));
  EXPECT_EQ(response.status, 201u);
  EXPECT_EQ(response.headers, kJsonHeaders);
  EXPECT_EQ(
      response.body,
      R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},)"
      R"("spec":{"token":"abc123"},"status":{"authenticated":true,"user":{"username":"alice","uid":"1001",)"
      R"("groups":["dev","ops","system:authenticated"]},"audiences":["https://kubernetes.default.svc.cluster.local"]}})"
      "\n");
}

// R14.1 through the full chain (R6.4): outcomes as a calling cluster sees them.
TEST(TokenReviewApiTest, R14_1_FullChainOutcomes) {
  struct Case {
    const char* name;
    ChainSpec chain;
    std::string body;
    std::string want_status;  // the "status" member, compact
  };
  const std::string kube = std::string("\"") + kApiAudience + "\"";
  const Case cases[] = {
      {"unknown token: the loopback and the main chain both say invalid bearer token",
       {},
       ReviewBody("nope"),
       R"({"user":{},"error":"invalid bearer token"})"},
      {"R6.4: a bad JWT aggregates with the loopback member's error (kubernetes#135450)",
       {},
       ReviewBody("expired-jwt"),
       R"({"user":{},"error":"[invalid bearer token, service account token has expired]"})"},
      {"R6.4 step 4: the loopback token is system:apiserver (uid checked separately)",
       {},
       ReviewBody(kLoopbackToken),
       ""},
      {"extra is written, keys sorted",
       {},
       ReviewBody("extra-token"),
       R"({"authenticated":true,"user":{"username":"bob","groups":["system:authenticated"],)"
       R"("extra":{"example.com/team":["blue"],"scopes":["a","b"]}},"audiences":[)" +
           kube + "]}"},
      {"deviation (kubernetes#114165): a leading space is anonymous, answered unauthenticated",
       {},
       ReviewBody(" abc123"),
       R"({"user":{}})"},
      {"the same token with anonymous off: the same answer",
       {.anonymous = false},
       ReviewBody(" abc123"),
       R"({"user":{}})"},
      {"R1.5: spec.audiences not including the API audiences: the token file does not apply",
       {},
       ReviewBody("abc123", R"(,"audiences":["other"])"),
       R"({"user":{},"error":"invalid bearer token"})"},
      {"R1.5: spec.audiences intersecting the API audiences",
       {},
       ReviewBody("abc123", R"(,"audiences":["other",")" + std::string(kApiAudience) + "\"]"),
       R"({"authenticated":true,"user":{"username":"alice","uid":"1001","groups":["dev","ops",)"
       R"("system:authenticated"]},"audiences":[)" +
           kube + "]}"},
      {"no API audiences and none requested: no audiences in the answer",
       {.api_audiences = {}},
       ReviewBody("abc123"),
       R"({"authenticated":true,"user":{"username":"alice","uid":"1001","groups":["dev","ops",)"
       R"("system:authenticated"]}})"},
      {"an audience-aware token for the requested audience",
       {},
       ReviewBody("aud-x-token", R"(,"audiences":["aud-x"])"),
       R"({"authenticated":true,"user":{"username":"carol","groups":["system:authenticated"]},)"
       R"("audiences":["aud-x"]})"},
      {"a status sent with the review is kept where Kubernetes keeps it",
       {},
       R"({"spec":{"token":"abc123"},"status":{"error":"old","audiences":["x"]}})",
       R"({"authenticated":true,"user":{"username":"alice","uid":"1001","groups":["dev","ops",)"
       R"("system:authenticated"]},"audiences":[)" +
           kube + R"(],"error":"old"})"},
      {"authentication disabled: the review is echoed unanswered",
       {.disabled = true},
       R"({"spec":{"token":"abc123"},"status":{"error":"old"}})",
       R"({"user":{},"error":"old"})"},
  };
  for (const Case& c : cases) {
    const http::ServerResponse response = Call(*NewApi(c.chain), Post(c.body));
    EXPECT_EQ(response.status, 201u) << c.name;
    EXPECT_EQ(response.headers, kJsonHeaders) << c.name;
    boost::system::error_code ec;
    const boost::json::value body = boost::json::parse(response.body, ec);
    ASSERT_FALSE(ec) << c.name << ": " << response.body;
    EXPECT_EQ(body.at("kind"), "TokenReview") << c.name;
    const boost::json::value& status = body.at("status");
    if (c.want_status.empty()) {
      EXPECT_EQ(status.at("authenticated"), true) << c.name;
      const boost::json::object& user = status.at("user").as_object();
      EXPECT_EQ(user.at("username"), "system:apiserver") << c.name;
      EXPECT_EQ(user.at("uid").as_string().size(), 36u) << c.name;
      EXPECT_EQ(user.at("groups"),
                boost::json::parse(R"(["system:authenticated","system:masters"])"))
          << c.name;
      EXPECT_EQ(status.at("audiences"), boost::json::parse("[" + kube + "]")) << c.name;
      continue;
    }
    // Exact bytes of the status member: field order and omitempty as Kubernetes writes them.
    const std::string marker = ",\"status\":";
    const std::size_t at = response.body.rfind(marker);
    ASSERT_NE(at, std::string::npos) << c.name;
    EXPECT_EQ(response.body.substr(at + marker.size()), c.want_status + "}\n") << c.name;
  }
}

TEST(TokenReviewApiTest, R7_7_WarningsOfTheReviewGoToTheRequestContext) {
  http::RequestState state;
  Call(*NewApi(), Post(ReviewBody(" abc123")), state);
  // Both bearer members (the loopback one and the chain's) warn; R7.7's rendering drops the
  // duplicate.
  const std::string warning(kBearerExtraSpaceWarning);
  EXPECT_EQ(state.auth.warnings(), (std::vector<std::string>{warning, warning}));
}

TEST(TokenReviewApiTest, R14_1_AnswersInTheBodysVersion) {
  struct Case {
    const char* name;
    std::string path;
    std::string body;
    std::string want;
  };
  const Case cases[] = {
      {"v1beta1 body on the v1 URL", kV1Path,
       R"({"apiVersion":"authentication.k8s.io/v1beta1","kind":"TokenReview","spec":{"token":"abc123"}})",
       "authentication.k8s.io/v1beta1"},
      {"v1 body on the v1beta1 URL", kV1beta1Path,
       R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"abc123"}})",
       "authentication.k8s.io/v1"},
      {"no apiVersion on the v1beta1 URL", kV1beta1Path, R"({"spec":{"token":"abc123"}})",
       "authentication.k8s.io/v1beta1"},
  };
  for (const Case& c : cases) {
    const http::ServerResponse response = Call(*NewApi(), Post(c.body, c.path));
    EXPECT_EQ(response.status, 201u) << c.name;
    const boost::json::value body = boost::json::parse(response.body);
    EXPECT_EQ(body.at("apiVersion"), c.want.c_str()) << c.name;
    EXPECT_EQ(body.at("status").at("authenticated"), true) << c.name;
  }
}

TEST(TokenReviewApiTest, R14_1_Errors) {
  struct Case {
    const char* name;
    RequestSpec request;
    unsigned want_code;
    std::string want_body;
  };
  const Case cases[] = {
      {"R14.1: empty token", Post(R"({"spec":{"token":""}})"), 400,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"token is required for TokenReview in authentication","reason":"BadRequest","code":400})"
       "\n"},
      {"no spec at all", Post(R"({"kind":"TokenReview"})"), 400,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"token is required for TokenReview in authentication","reason":"BadRequest","code":400})"
       "\n"},
      {"malformed JSON", Post("{"), 400,
       R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the object provided is unrecognized (must be of type TokenReview): couldn't get version/kind; json parse error: unexpected end of JSON input ({)","reason":"BadRequest","code":400})json"
       "\n"},
      {"R1.4: requested audiences the response does not intersect",
       Post(ReviewBody("aud-x-token", R"(,"audiences":["aud-y"])")), 500,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: error validating audiences","reason":"InternalError","details":{"causes":[{"message":"error validating audiences"}]},"code":500})"
       "\n"},
      {"GET on a create-only resource: go-restful's 405",
       {.method = "GET", .target = kV1Path},
       405,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server does not allow this method on the requested resource","reason":"MethodNotAllowed","details":{},"code":405})"
       "\n"},
      {"a body kauthd cannot read",
       {.method = "POST",
        .target = kV1Path,
        .headers = {{"Content-Type", "application/vnd.kubernetes.protobuf"}},
        .body = std::string("k8s\0", 4)},
       415,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the body of the request was in an unknown format - accepted media types include: application/json","reason":"UnsupportedMediaType","code":415})"
       "\n"},
  };
  for (const Case& c : cases) {
    const http::ServerResponse response = Call(*NewApi(), c.request);
    EXPECT_EQ(response.status, c.want_code) << c.name;
    EXPECT_EQ(response.headers, kJsonHeaders) << c.name;
    EXPECT_EQ(response.body, c.want_body) << c.name;
  }
}

TEST(TokenReviewApiTest, ContentTypeJsonWithParametersOrAbsentIsRead) {
  for (const char* content_type : {"application/json; charset=utf-8", "Application/JSON", ""}) {
    RequestSpec request = Post(ReviewBody("abc123"));
    request.headers.clear();
    if (*content_type != '\0') request.headers.emplace_back("Content-Type", content_type);
    EXPECT_EQ(Call(*NewApi(), request).status, 201u) << content_type;
  }
}

TEST(TokenReviewApiTest, R7_3_PrettyForCurl) {
  RequestSpec request = Post(ReviewBody("nope"));
  request.headers.emplace_back("User-Agent", "curl/8.5.0");
  EXPECT_EQ(Call(*NewApi(), request).body,
            "{\n"
            "  \"kind\": \"TokenReview\",\n"
            "  \"apiVersion\": \"authentication.k8s.io/v1\",\n"
            "  \"metadata\": {\n"
            "    \"creationTimestamp\": null\n"
            "  },\n"
            "  \"spec\": {\n"
            "    \"token\": \"nope\"\n"
            "  },\n"
            "  \"status\": {\n"
            "    \"user\": {},\n"
            "    \"error\": \"invalid bearer token\"\n"
            "  }\n"
            "}");
}

TEST(TokenReviewApiTest, R14_1_ServesTheClusterScopedCollectionsOnly) {
  const std::unique_ptr<TokenReviewApi> api = NewApi();
  EXPECT_TRUE(api->Serves(kV1Path));
  EXPECT_TRUE(api->Serves(kV1beta1Path));
  // Cluster-scoped: kube-apiserver registers no namespaced route, so these are 404s.
  EXPECT_FALSE(api->Serves("/apis/authentication.k8s.io/v1/namespaces/default/tokenreviews"));
  EXPECT_FALSE(api->Serves("/apis/authentication.k8s.io/v1alpha1/tokenreviews"));
  EXPECT_FALSE(api->Serves("/apis/authentication.k8s.io/v1/tokenreviews/x"));
  EXPECT_FALSE(api->Serves("/apis/authentication.k8s.io/v1/tokenreviews/"));
  EXPECT_FALSE(api->Serves("/apis/authentication.k8s.io/tokenreviews"));
}

}  // namespace
}  // namespace kauth::api
