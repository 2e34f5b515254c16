#include "api/version.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "api/api_test_support.h"

namespace kauth::api {
namespace {

using testing::Call;
using testing::Headers;

const VersionInfo kInfo{.major = "0",
                        .minor = "1",
                        .emulation_major = "0",
                        .emulation_minor = "1",
                        .min_compatibility_major = "0",
                        .min_compatibility_minor = "1",
                        .git_version = "v0.1.0+kauth",
                        .git_commit = "4598a1d",
                        .git_tree_state = "clean",
                        .build_date = "2026-07-24T10:00:00Z",
                        .go_version = "",
                        .compiler = "gcc 12.2.0",
                        .platform = "linux/amd64"};

constexpr char kInfoBody[] = R"({
  "major": "0",
  "minor": "1",
  "emulationMajor": "0",
  "emulationMinor": "1",
  "minCompatibilityMajor": "0",
  "minCompatibilityMinor": "1",
  "gitVersion": "v0.1.0+kauth",
  "gitCommit": "4598a1d",
  "gitTreeState": "clean",
  "buildDate": "2026-07-24T10:00:00Z",
  "goVersion": "",
  "compiler": "gcc 12.2.0",
  "platform": "linux/amd64"
})";

// kube-apiserver writes version.Info with WriteRawJSON: always indented, no trailing newline.
TEST(VersionApiTest, R14_3_VersionInfoAlwaysIndented) {
  const VersionApi api(kInfo);
  for (const char* target : {"/version", "/version?timeout=5s", "/version?pretty=false"}) {
    ASSERT_TRUE(api.Serves("/version"));
    const http::ServerResponse response = Call(api, {.target = target});
    EXPECT_EQ(response.status, 200u) << target;
    EXPECT_EQ(response.headers, (Headers{{"Content-Type", "application/json"},
                                         {"Cache-Control", "no-cache, private"}}))
        << target;
    EXPECT_EQ(response.body, kInfoBody) << target;
  }
}

TEST(VersionApiTest, KauthReportsItsOwnVersion) {
  const VersionInfo info = KauthVersionInfo();
  EXPECT_EQ(info.major, "0");
  EXPECT_EQ(info.minor, "1");
  EXPECT_EQ(info.git_version, "v0.1.0+kauth");
  EXPECT_EQ(info.emulation_major, info.major);
  EXPECT_EQ(info.min_compatibility_minor, info.minor);
  EXPECT_EQ(info.go_version, "");
  EXPECT_EQ(info.platform, "linux/amd64");
  // Every field is a string, as clients (the Python client's VersionInfo) require.
  const boost::json::value body =
      boost::json::parse(Call(VersionApi(), {.target = "/version"}).body);
  EXPECT_EQ(body.as_object().size(), 13u);
  for (const auto& member : body.as_object()) EXPECT_TRUE(member.value().is_string());
  EXPECT_EQ(body.at("gitVersion"), "v0.1.0+kauth");
}

TEST(VersionApiTest, OtherMethodsGetMethodNotAllowed) {
  const http::ServerResponse response =
      Call(VersionApi(kInfo), {.method = "POST", .target = "/version"});
  EXPECT_EQ(response.status, 405u);
  EXPECT_EQ(
      response.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server does not allow this method on the requested resource","reason":"MethodNotAllowed","details":{},"code":405})"
      "\n");
}

TEST(VersionApiTest, ServesExactlyVersion) {
  const VersionApi api(kInfo);
  EXPECT_TRUE(api.Serves("/version"));
  EXPECT_FALSE(api.Serves("/version/"));
  EXPECT_FALSE(api.Serves("/versions"));
}

}  // namespace
}  // namespace kauth::api
