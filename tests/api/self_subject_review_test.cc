#include "api/self_subject_review.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "api/api_test_support.h"

namespace kauth::api {
namespace {

using testing::Call;
using testing::Headers;
using testing::RequestSpec;

constexpr char kV1Path[] = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

// 2026-07-24T10:00:00.75Z: the timestamp keeps whole seconds.
SelfSubjectReviewApi NewApi() {
  return SelfSubjectReviewApi({.now = [] {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1784887200) +
                                                 std::chrono::milliseconds(750));
  }});
}

http::ServerResponse Review(std::optional<UserInfo> user, RequestSpec request = {}) {
  if (request.target == "/") request.target = kV1Path;
  if (request.method == "GET") request.method = "POST";
  http::RequestState state;
  state.user = std::move(user);
  return Call(NewApi(), request, state);
}

const Headers kJsonHeaders = {{"Content-Type", "application/json"},
                              {"Cache-Control", "no-cache, private"}};

// R14.2: a new object; every UserInfo field omitted when empty.
TEST(SelfSubjectReviewApiTest, R14_2_UserInfoAsKubernetesWritesIt) {
  struct Case {
    const char* name;
    UserInfo user;
    std::string want_user_info;
  };
  const Case cases[] = {
      {"R14.2's example: uid, groups and extra",
       {.name = "jane.doe",
        .uid = "b79dbf30-0c6a-11ed-861d-0242ac120002",
        .groups = {"students", "system:authenticated"},
        .extra = {{"skills", {"reading", "learning"}}, {"a", {}}}},
       R"({"username":"jane.doe","uid":"b79dbf30-0c6a-11ed-861d-0242ac120002","groups":["students","system:authenticated"],"extra":{"a":[],"skills":["reading","learning"]}})"},
      {"no uid, no extra: omitted",
       {.name = "alice", .groups = {"dev", "system:authenticated"}},
       R"({"username":"alice","groups":["dev","system:authenticated"]})"},
      {"issue 3: an anonymous caller sees system:anonymous",
       {.name = "system:anonymous", .groups = {"system:unauthenticated"}},
       R"({"username":"system:anonymous","groups":["system:unauthenticated"]})"},
      {"HTML characters are escaped as Go escapes them",
       {.name = "<a&b>"},
       R"({"username":"\u003ca\u0026b\u003e"})"},
  };
  for (const Case& c : cases) {
    const http::ServerResponse response = Review(c.user);
    EXPECT_EQ(response.status, 201u) << c.name;
    EXPECT_EQ(response.headers, kJsonHeaders) << c.name;
    EXPECT_EQ(
        response.body,
        R"({"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":"2026-07-24T10:00:00Z"},"status":{"userInfo":)" +
            c.want_user_info + "}}\n")
        << c.name;
    boost::system::error_code ec;
    boost::json::parse(response.body, ec);
    EXPECT_FALSE(ec) << c.name;
  }
}

TEST(SelfSubjectReviewApiTest, R14_2_NoUserIsBadRequest) {
  const http::ServerResponse response = Review(std::nullopt);
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(response.headers, kJsonHeaders);
  EXPECT_EQ(
      response.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"no user present on request","reason":"BadRequest","code":400})"
      "\n");
}

// R14.3: kubectl 1.32 sends a protobuf body; any body is accepted and the answer is JSON.
TEST(SelfSubjectReviewApiTest, R14_3_AnyContentTypeAndBodyIsAccepted) {
  const UserInfo alice{.name = "alice"};
  const RequestSpec requests[] = {
      {.headers = {{"Content-Type", "application/vnd.kubernetes.protobuf"},
                   {"Accept", "application/vnd.kubernetes.protobuf, application/json"}},
       .body = std::string("k8s\0", 4) + "\n\x1f\n\x1c" + "authentication.k8s.io/v1"},
      {.headers = {{"Content-Type", "application/json"}},
       .body = R"({"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1"})"},
      {.headers = {{"Content-Type", "text/plain"}}, .body = "anything"},
      {},
  };
  for (const RequestSpec& request : requests) {
    const http::ServerResponse response = Review(alice, request);
    EXPECT_EQ(response.status, 201u) << request.body;
    EXPECT_EQ(
        response.body,
        R"({"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":"2026-07-24T10:00:00Z"},"status":{"userInfo":{"username":"alice"}}})"
        "\n");
  }
}

// The body is read before the review is made, as kube-apiserver's create handler reads it: one
// over the limit gets its 413 (and the connection, with the rest unread, closes).
TEST(SelfSubjectReviewApiTest, R14_2_BodyOverTheLimitIsTooLarge) {
  RequestSpec request{.headers = {{"Content-Type", "application/json"}},
                      .body = std::string((std::size_t{3} << 20) + 1, ' ')};
  const http::ServerResponse response = Review(UserInfo{.name = "alice"}, request);
  EXPECT_EQ(response.status, 413u);
  EXPECT_TRUE(response.close_connection);
}

TEST(SelfSubjectReviewApiTest, R14_2_EachServedVersionAnswersInItsVersion) {
  for (const char* version : {"v1", "v1beta1", "v1alpha1"}) {
    const std::string path =
        std::string("/apis/authentication.k8s.io/") + version + "/selfsubjectreviews";
    const http::ServerResponse response = Review(UserInfo{.name = "alice"}, {.target = path});
    EXPECT_EQ(response.status, 201u) << version;
    EXPECT_EQ(boost::json::parse(response.body).at("apiVersion"),
              (std::string("authentication.k8s.io/") + version).c_str());
  }
}

TEST(SelfSubjectReviewApiTest, R7_3_PrettyForCurl) {
  const http::ServerResponse response = Review(UserInfo{.name = "alice", .groups = {"dev"}},
                                               {.headers = {{"User-Agent", "curl/8.5.0"}}});
  EXPECT_EQ(response.body,
            "{\n"
            "  \"kind\": \"SelfSubjectReview\",\n"
            "  \"apiVersion\": \"authentication.k8s.io/v1\",\n"
            "  \"metadata\": {\n"
            "    \"creationTimestamp\": \"2026-07-24T10:00:00Z\"\n"
            "  },\n"
            "  \"status\": {\n"
            "    \"userInfo\": {\n"
            "      \"username\": \"alice\",\n"
            "      \"groups\": [\n"
            "        \"dev\"\n"
            "      ]\n"
            "    }\n"
            "  }\n"
            "}");
}

TEST(SelfSubjectReviewApiTest, OtherMethodsGetMethodNotAllowed) {
  for (const char* method : {"GET", "PUT", "DELETE", "PATCH"}) {
    http::RequestState state;
    state.user = UserInfo{.name = "alice"};
    const http::ServerResponse response =
        Call(NewApi(), {.method = method, .target = kV1Path}, state);
    EXPECT_EQ(response.status, 405u) << method;
    EXPECT_EQ(
        response.body,
        R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server does not allow this method on the requested resource","reason":"MethodNotAllowed","details":{},"code":405})"
        "\n")
        << method;
  }
}

TEST(SelfSubjectReviewApiTest, ServesTheThreeCollections) {
  const SelfSubjectReviewApi api = NewApi();
  struct Case {
    const char* path;
    bool want;
  };
  const Case cases[] = {
      {"/apis/authentication.k8s.io/v1/selfsubjectreviews", true},
      {"/apis/authentication.k8s.io/v1beta1/selfsubjectreviews", true},
      {"/apis/authentication.k8s.io/v1alpha1/selfsubjectreviews", true},
      {"/apis/authentication.k8s.io/v2/selfsubjectreviews", false},
      {"/apis/authentication.k8s.io/selfsubjectreviews", false},
      {"/apis/authentication.k8s.io/v1/selfsubjectreviews/", false},
      {"/apis/authentication.k8s.io/v1/selfsubjectreviews/me", false},
      {"/apis/authorization.k8s.io/v1/selfsubjectreviews", false},
  };
  for (const Case& c : cases) EXPECT_EQ(api.Serves(c.path), c.want) << c.path;
}

}  // namespace
}  // namespace kauth::api
