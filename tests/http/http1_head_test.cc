// The fast head parser (http/http1_head.h): what it takes, what it reads from it, and what it
// leaves to Beast. That everything it takes Beast takes the same way is checked by
// fuzz/http1_head_fuzz.cc (and its seeds, replayed by CTest).
#include "http/http1_head.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace kauth::http {
namespace {

constexpr std::size_t kLimit = 1 << 20;

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields FieldsOf(const Http1Head& head) {
  Fields out;
  for (const Http1Field& field : head.Fields()) out.emplace_back(field.name, field.value);
  return out;
}

TEST(Http1HeadTest, ReadsACommonRequestHead) {
  const std::string bytes =
      "GET /version?timeout=32s HTTP/1.1\r\nHost: 127.0.0.1:6443\r\n"
      "Authorization: Bearer abc\r\nAccept:application/json \t\r\nX-Empty:\r\n\r\nNEXT";
  Http1Head head;
  ASSERT_TRUE(ParseRequestHead(bytes, kLimit, head));
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/version?timeout=32s");
  EXPECT_EQ(head.version, 11u);
  EXPECT_EQ(head.size, bytes.size() - 4);
  EXPECT_FALSE(head.content_length);
  EXPECT_TRUE(head.persistent);
  EXPECT_EQ(FieldsOf(head), (Fields{{"Host", "127.0.0.1:6443"},
                                    {"Authorization", "Bearer abc"},
                                    {"Accept", "application/json"},
                                    {"X-Empty", ""}}));
}

TEST(Http1HeadTest, ReadsACommonResponseHead) {
  const std::string bytes =
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n";
  Http1Head head;
  ASSERT_TRUE(ParseResponseHead(bytes, kLimit, head));
  EXPECT_EQ(head.status, 200u);
  EXPECT_EQ(head.version, 11u);
  EXPECT_EQ(head.content_length, 3u);
  EXPECT_TRUE(head.persistent);
  EXPECT_EQ(head.size, bytes.size() - 3);
  EXPECT_EQ(FieldsOf(head),
            (Fields{{"Server", "nginx"}, {"Content-Length", "3"}, {"Connection", "keep-alive"}}));
}

// RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive". Beast's
// keep_alive() reads both flags the same way, "close" included for 1.0.
TEST(Http1HeadTest, PersistenceFollowsVersionAndConnection) {
  struct Case {
    const char* version;
    const char* connection;  // nullptr: no Connection field
    bool persistent;
  };
  const Case cases[] = {
      {"HTTP/1.1", nullptr, true},  {"HTTP/1.1", "close", false},
      {"HTTP/1.1", "Close", false}, {"HTTP/1.1", "keep-alive", true},
      {"HTTP/1.0", nullptr, false}, {"HTTP/1.0", "Keep-Alive", true},
      {"HTTP/1.0", "close", false},
  };
  for (const Case& c : cases) {
    std::string bytes = std::string("GET / ") + c.version + "\r\nHost: a\r\n";
    if (c.connection) bytes += std::string("Connection: ") + c.connection + "\r\n";
    bytes += "\r\n";
    Http1Head head;
    ASSERT_TRUE(ParseRequestHead(bytes, kLimit, head)) << bytes;
    EXPECT_EQ(head.persistent, c.persistent) << bytes;
    EXPECT_EQ(head.version, std::string(c.version) == "HTTP/1.1" ? 11u : 10u);
  }
  Http1Head head;
  ASSERT_TRUE(ParseRequestHead(
      "GET / HTTP/1.0\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n", kLimit, head));
  EXPECT_TRUE(head.persistent);
  ASSERT_TRUE(ParseRequestHead(
      "GET / HTTP/1.1\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n", kLimit, head));
  EXPECT_FALSE(head.persistent);
}

TEST(Http1HeadTest, ReadsContentLength) {
  const std::pair<const char*, std::uint64_t> cases[] = {
      {"0", 0}, {"42", 42}, {"007", 7}, {"999999999999999999", 999999999999999999ull}};
  for (const auto& [text, value] : cases) {
    const std::string bytes =
        std::string("POST / HTTP/1.1\r\nContent-Length: ") + text + "\r\n\r\n";
    Http1Head head;
    ASSERT_TRUE(ParseRequestHead(bytes, kLimit, head)) << text;
    EXPECT_EQ(head.content_length, value) << text;
  }
}

TEST(Http1HeadTest, ReasonPhraseMayBeEmptyButItsSpaceMayNot) {
  Http1Head head;
  EXPECT_TRUE(ParseResponseHead("HTTP/1.1 404 \r\n\r\n", kLimit, head));
  EXPECT_EQ(head.status, 404u);
  EXPECT_TRUE(ParseResponseHead("HTTP/1.0 099 odd\treason\x80\r\n\r\n", kLimit, head));
  EXPECT_EQ(head.status, 99u);
  EXPECT_FALSE(head.persistent);
  EXPECT_FALSE(ParseResponseHead("HTTP/1.1 200\r\n\r\n", kLimit, head));
}

// Each of these is left to Beast: it is incomplete, malformed, or needs what only Beast does.
TEST(Http1HeadTest, DeclinesWhatBeastMustDecide) {
  const char* const requests[] = {
      "",
      "GET / HTTP/1.1\r\nHost: a\r\n",          // incomplete
      "GET / HTTP/1.1\r\nHost: a\r\n\r",        // incomplete
      "GET / HTTP/1.1\r\nHost: a",              // incomplete
      "GET / HTTP/1.1\nHost: a\n\n",            // bare LF
      "GET / HTTP/1.1\r\nHost: a\n\r\n",        // bare LF in a field
      "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n",    // lone CR
      "GET / HTTP/1.1\r\nHost: a\r\n\rX",       // final CR without LF
      "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",   // obs-fold
      "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n",  // obs-fold
      "GET / HTTP/1.1\r\n X: a\r\n\r\n",        // line starting with a blank
      "GET / HTTP/1.1\r\nX : a\r\n\r\n",        // blank before the colon
      "GET / HTTP/1.1\r\n: a\r\n\r\n",          // empty name
      "GET / HTTP/1.1\r\nX(: a\r\n\r\n",        // name not a token
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
      "GET / HTTP/1.1\r\nX: a\x01\r\n\r\n",  // control byte in a value
      "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n",  // DEL in a value
      "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nupgrade: websocket\r\n\r\n",
      "GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: Upgrade\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: close, keep-alive\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection:\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 1,1\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: \r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n",
      "GET  / HTTP/1.1\r\n\r\n",  // empty target
      "GET /\x7f HTTP/1.1\r\n\r\n",
      "GET /\ta HTTP/1.1\r\n\r\n",
      "G(T / HTTP/1.1\r\n\r\n",  // method not a token
      " / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1 \r\n\r\n",
      "GET / HTTP/1.2\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET / http/1.1\r\n\r\n",
      "GET /\r\n\r\n",
  };
  for (const char* bytes : requests) {
    Http1Head head;
    EXPECT_FALSE(ParseRequestHead(bytes, kLimit, head)) << bytes;
  }
  const char* const responses[] = {
      "HTTP/1.1 200 OK\r\n",
      "HTTP/1.1 2x0 OK\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1  200 OK\r\n\r\n",
      "HTTP/1.1 200 O\x01K\r\n\r\n",
      "HTTP/1.2 200 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
  };
  for (const char* bytes : responses) {
    Http1Head head;
    EXPECT_FALSE(ParseResponseHead(bytes, kLimit, head)) << bytes;
  }
}

TEST(Http1HeadTest, DeclinesAHeadLongerThanTheLimit) {
  const std::string bytes = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  Http1Head head;
  EXPECT_TRUE(ParseRequestHead(bytes, bytes.size(), head));
  EXPECT_FALSE(ParseRequestHead(bytes, bytes.size() - 1, head));
}

TEST(Http1HeadTest, DeclinesMoreFieldsThanItHasRoomFor) {
  std::string bytes = "GET / HTTP/1.1\r\n";
  for (std::size_t i = 0; i < Http1Head::kMaxFields; ++i)
    bytes += "X-" + std::to_string(i) + ": v\r\n";
  Http1Head head;
  ASSERT_TRUE(ParseRequestHead(bytes + "\r\n", kLimit, head));
  EXPECT_EQ(head.field_count, Http1Head::kMaxFields);
  EXPECT_FALSE(ParseRequestHead(bytes + "X-last: v\r\n\r\n", kLimit, head));
}

}  // namespace
}  // namespace kauth::http
