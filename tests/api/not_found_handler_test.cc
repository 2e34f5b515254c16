#include "api/not_found_handler.h"

#include <gtest/gtest.h>

#include "api/api_test_support.h"

namespace kauth::api {
namespace {

using testing::Call;

TEST(NotFoundHandlerTest, KubernetesNotFoundStatus) {
  const NotFoundHandler handler;
  const http::ServerResponse compact = Call(handler, {.target = "/api/v1/pods"});
  EXPECT_EQ(compact.status, 404u);
  EXPECT_EQ(compact.headers, (testing::Headers{{"Content-Type", "application/json"},
                                               {"Cache-Control", "no-cache, private"}}));
  EXPECT_EQ(
      compact.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404})"
      "\n");
  const http::ServerResponse pretty =
      Call(handler, {.method = "POST", .target = "/nope?pretty=true"});
  EXPECT_EQ(pretty.body,
            "{\n"
            "  \"kind\": \"Status\",\n"
            "  \"apiVersion\": \"v1\",\n"
            "  \"metadata\": {},\n"
            "  \"status\": \"Failure\",\n"
            "  \"message\": \"the server could not find the requested resource\",\n"
            "  \"reason\": \"NotFound\",\n"
            "  \"details\": {},\n"
            "  \"code\": 404\n"
            "}");
}

}  // namespace
}  // namespace kauth::api
