#include "http/server_request.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// R0.3: names match case-insensitively, only for ASCII letters; the first line wins.
TEST(ServerRequestTest, HeaderNamesMatchIgnoringAsciiCase) {
  ServerRequest request;
  request.AddHeader("authorization", "Bearer one");
  request.AddHeader("AUTHORIZATION", "Bearer two");
  request.AddHeader("X-A@", "at");
  EXPECT_EQ(request.Header("Authorization"), "Bearer one");
  EXPECT_EQ(request.HeaderValues("aUTHORIZATION"),
            (std::vector<std::string_view>{"Bearer one", "Bearer two"}));
  // '@' and '`' differ only in the bit that ASCII letters' cases differ in.
  EXPECT_EQ(request.Header("x-a@"), "at");
  EXPECT_EQ(request.Header("X-A`"), std::nullopt);
  EXPECT_EQ(request.Header("Authorizatio"), std::nullopt);
  EXPECT_EQ(request.Header("Missing"), std::nullopt);
}

TEST(ServerRequestTest, RemoveAndSetReplaceEveryLineInOrder) {
  ServerRequest request;
  request.AddHeader("Sec-WebSocket-Protocol", "a");
  request.AddHeader("Keep", "k");
  request.AddHeader("sec-websocket-protocol", "b");
  request.SetHeader("Sec-Websocket-Protocol", "c");
  std::vector<std::string> lines;
  request.ForEachHeader([&](std::string_view name, std::string_view value) {
    lines.push_back(std::string(name) + ": " + std::string(value));
  });
  EXPECT_EQ(lines, (std::vector<std::string>{"Keep: k", "Sec-Websocket-Protocol: c"}));
  request.RemoveHeader("SEC-WEBSOCKET-PROTOCOL");
  EXPECT_TRUE(request.HeaderValues("Sec-WebSocket-Protocol").empty());
  request.RemoveHeadersIf([](std::string_view name) { return name == "Keep"; });
  lines.clear();
  request.ForEachHeader([&](std::string_view name, std::string_view) { lines.emplace_back(name); });
  EXPECT_TRUE(lines.empty());
}

// Views handed out stay valid while lines are removed and added, including lines far larger
// than the first storage block, and SetHeader may be given one of the request's own views.
TEST(ServerRequestTest, HeaderViewsOutliveEditsOfTheRequest) {
  ServerRequest request;
  request.AddHeader("Authorization", "Bearer token");
  request.AddHeader("Empty", "");
  const std::string_view token = *request.Header("authorization");
  const std::string large(100000, 'v');
  for (int i = 0; i < 1000; ++i) request.AddHeader("X-Filler-" + std::to_string(i), "filler");
  request.AddHeader("X-Large", large);
  request.RemoveHeader("Authorization");
  request.SetHeader("X-Copy", token);
  EXPECT_EQ(token, "Bearer token");
  EXPECT_EQ(request.Header("X-Copy"), "Bearer token");
  EXPECT_EQ(request.Header("x-large"), large);
  EXPECT_EQ(request.Header("Empty"), "");
  EXPECT_EQ(request.Header("X-Filler-999"), "filler");
  request.SetHeader("X-Copy", *request.Header("X-Copy"));
  EXPECT_EQ(request.HeaderValues("X-Copy"), std::vector<std::string_view>{"Bearer token"});
}

TEST(ServerRequestTest, PathFollowsTheTargetUnlessSet) {
  ServerRequest request;
  EXPECT_EQ(request.path(), "/");
  request.set_path("/set");
  EXPECT_EQ(request.path(), "/set");
  request.SetTarget("/from/target?q=1");
  EXPECT_EQ(request.path(), "/from/target");
  request.set_path("/set/again");
  EXPECT_EQ(request.path(), "/set/again");
  EXPECT_EQ(request.target(), "/from/target?q=1");
}

TEST(ServerRequestTest, DefaultsToPlainHttpWithoutCertificates) {
  ServerRequest request;
  EXPECT_FALSE(request.is_tls());
  EXPECT_TRUE(request.peer_certificates().empty());
  request.set_tls(true);
  EXPECT_TRUE(request.is_tls());
}

// A keep-alive connection hands each request's header storage to the next: the next request
// starts empty and copies its headers into the same bytes.
TEST(ServerRequestTest, HeaderStorageCarriesOverToTheNextRequest) {
  ServerRequest first;
  const std::string_view kept = first.AddHeader("Authorization", "Bearer first");
  first.AddHeader("Host", "a");
  ServerRequest::HeaderStorage storage = first.ReleaseHeaderStorage();
  EXPECT_FALSE(first.Header("Host"));
  ASSERT_NE(storage.block, nullptr);
  EXPECT_GE(storage.lines.capacity(), 2u);
  EXPECT_TRUE(storage.lines.empty());
  const char* const bytes = storage.block.get();
  // Where the first request's value was copied, relative to its block.
  const std::ptrdiff_t value_offset = kept.data() - bytes;

  ServerRequest second(std::move(storage));
  EXPECT_FALSE(second.Header("Authorization"));
  const std::string_view again = second.AddHeader("Authorization", "Bearer again");
  EXPECT_EQ(again.data() - bytes, value_offset);
  EXPECT_EQ(second.Header("authorization"), "Bearer again");
  second.AddHeader("X-Big", std::string(5000, 'x'));  // a second block
  EXPECT_EQ(second.Header("x-big")->size(), 5000u);
  EXPECT_EQ(second.Header("Authorization"), "Bearer again");
  EXPECT_EQ(second.ReleaseHeaderStorage().block.get(), bytes);
}

// A head that needed a large first block does not leave it with an idle connection.
TEST(ServerRequestTest, LargeHeaderStorageIsNotKept) {
  ServerRequest request;
  request.AddHeader("X-Big", std::string(100 * 1024, 'x'));
  EXPECT_EQ(request.ReleaseHeaderStorage().block, nullptr);
  ServerRequest many;
  for (int i = 0; i < 200; ++i) many.AddHeader("X-" + std::to_string(i), "v");
  EXPECT_EQ(many.ReleaseHeaderStorage().lines.capacity(), 0u);
}

}  // namespace
}  // namespace kauth::http
