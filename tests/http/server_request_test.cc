#include "http/server_request.h"

#include <gtest/gtest.h>

namespace kauth::http {
namespace {

TEST(ServerRequestTest, TargetSplitsPathAndQuery) {
  ServerRequest request;
  request.SetTarget("/version?timeout=5s&pretty");
  EXPECT_EQ(request.path(), "/version");
  EXPECT_EQ(request.query(), "timeout=5s&pretty");
  request.SetTarget("/healthz");
  EXPECT_EQ(request.path(), "/healthz");
  EXPECT_EQ(request.query(), "");
}

// Go's url.Values.Get over url.ParseQuery, which R7.3's ?pretty= relies on.
TEST(ServerRequestTest, QueryParamFollowsGoParseQuery) {
  struct Case {
    const char* target;
    const char* name;
    std::optional<std::string> want;
  };
  const Case cases[] = {
      {"/a?pretty=true", "pretty", "true"},
      {"/a?pretty", "pretty", ""},
      {"/a?pretty=", "pretty", ""},
      {"/a?x=1&pretty=false&pretty=true", "pretty", "false"},
      {"/a?pr%65tty=1", "pretty", "1"},
      {"/a?q=a+b%20c", "q", "a b c"},
      {"/a?pretty=%zz&pretty=1", "pretty", "1"},
      {"/a?pretty=1;x=2", "pretty", std::nullopt},
      {"/a", "pretty", std::nullopt},
      {"/a?", "pretty", std::nullopt},
      {"/a?prettyx=1", "pretty", std::nullopt},
  };
  for (const auto& c : cases) {
    ServerRequest request;
    request.SetTarget(c.target);
    EXPECT_EQ(request.QueryParam(c.name), c.want) << c.target;
  }
}

// Go's url.Values[name]: every value in order (/healthz?exclude=a&exclude=b).
TEST(ServerRequestTest, QueryParamsReturnsEveryValue) {
  ServerRequest request;
  request.SetTarget("/healthz?exclude=ping&verbose&exclude=log%2Fx&exclude=%zz&exclude=a;b");
  EXPECT_EQ(request.QueryParams("exclude"), (std::vector<std::string>{"ping", "log/x"}));
  EXPECT_EQ(request.QueryParams("verbose"), std::vector<std::string>{""});
  EXPECT_TRUE(request.QueryParams("missing").empty());
}

}  // namespace
}  // namespace kauth::http
