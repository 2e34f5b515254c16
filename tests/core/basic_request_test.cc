#include "kauth/basic_request.h"

#include <gtest/gtest.h>

namespace kauth {
namespace {

// R0.3: names match case-insensitively; "get" returns the first value only.
TEST(BasicRequestTest, R0_3_HeaderNamesCaseInsensitiveFirstValueWins) {
  BasicRequest request;
  request.AddHeader("authorization", "Bearer one");
  request.AddHeader("AUTHORIZATION", "Bearer two");
  request.AddHeader("X-Other", "x");
  EXPECT_EQ(request.Header("Authorization"), "Bearer one");
  EXPECT_EQ(request.HeaderValues("Authorization"),
            (std::vector<std::string_view>{"Bearer one", "Bearer two"}));
  EXPECT_EQ(request.Header("Missing"), std::nullopt);
}

TEST(BasicRequestTest, RemoveAndSetReplaceEveryLine) {
  BasicRequest request;
  request.AddHeader("Sec-WebSocket-Protocol", "a");
  request.AddHeader("sec-websocket-protocol", "b");
  request.AddHeader("Keep", "k");
  request.SetHeader("Sec-Websocket-Protocol", "c");
  EXPECT_EQ(request.HeaderValues("sec-websocket-protocol"), std::vector<std::string_view>{"c"});
  request.RemoveHeader("SEC-WEBSOCKET-PROTOCOL");
  EXPECT_TRUE(request.HeaderValues("Sec-WebSocket-Protocol").empty());
  EXPECT_EQ(request.Header("keep"), "k");
}

// The filter strips credential headers with one pass over the lines, whatever their number (a
// 1 MiB head holds about 50,000 of them).
TEST(BasicRequestTest, RemoveHeadersIfRemovesEveryMatchInOnePass) {
  BasicRequest request;
  for (int i = 0; i < 50000; ++i) {
    request.AddHeader("X-Remote-Extra-K" + std::to_string(i), "v");
    if (i % 10000 == 0) request.AddHeader("Keep-" + std::to_string(i), "k");
  }
  int calls = 0;
  request.RemoveHeadersIf([&](std::string_view name) {
    ++calls;
    return name.starts_with("X-Remote-Extra-");
  });
  EXPECT_EQ(calls, 50005);
  std::vector<std::string> left;
  request.ForEachHeader([&](std::string_view name, std::string_view) { left.emplace_back(name); });
  EXPECT_EQ(left, (std::vector<std::string>{"Keep-0", "Keep-10000", "Keep-20000", "Keep-30000",
                                            "Keep-40000"}));
}

TEST(BasicRequestTest, DefaultsToPlainHttpWithoutCertificates) {
  BasicRequest request("/api");
  EXPECT_EQ(request.path(), "/api");
  EXPECT_FALSE(request.is_tls());
  EXPECT_TRUE(request.peer_certificates().empty());
}

}  // namespace
}  // namespace kauth
