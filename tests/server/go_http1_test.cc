#include "server/go_http1.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kauth::server {
namespace {

using namespace std::chrono_literals;

TEST(GoHttp1Test, HttpOnHttpsPortResponseIsGosText) {
  EXPECT_EQ(kHttpOnHttpsPortResponse,
            "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
}

TEST(GoHttp1Test, LooksLikeHttpOnlyForGosFivePrefixes) {
  struct Case {
    const char* bytes;
    bool http;
  };
  const Case cases[] = {
      {"GET /", true},  {"HEAD ", true},
      {"POST ", true},  {"PUT /", true},
      {"OPTIO", true},  {"DELET", false},
      {"PATCH", false}, {"GET h", false},
      {"get /", false}, {"\x16\x03\x01\x02\x00", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(LooksLikeHttpInsteadOfTls(std::string_view(c.bytes, 5)), c.http) << c.bytes;
  }
}

TEST(GoHttp1Test, ErrorResponsesAreGosBytes) {
  EXPECT_EQ(GoErrorResponse(431),
            "HTTP/1.1 431 Request Header Fields Too Large\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
            "431 Request Header Fields Too Large");
  EXPECT_EQ(GoErrorResponse(400),
            "HTTP/1.1 400 Bad Request\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
            "400 Bad Request");
  EXPECT_EQ(GoErrorResponse(400, "missing required Host header"),
            "HTTP/1.1 400 Bad Request: missing required Host header\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
            "400 Bad Request: missing required Host header");
  EXPECT_EQ(GoErrorResponse(505, "unsupported protocol version"),
            "HTTP/1.1 505 HTTP Version Not Supported: unsupported protocol version\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
            "505 HTTP Version Not Supported: unsupported protocol version");
  EXPECT_EQ(GoUnsupportedTransferEncodingResponse(),
            "HTTP/1.1 501 Not Implemented\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
            "Unsupported transfer encoding");
}

TEST(GoHttp1Test, ReasonPhrasesAreGosStatusText) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(201), "Created");
  EXPECT_EQ(ReasonPhrase(401), "Unauthorized");
  EXPECT_EQ(ReasonPhrase(413), "Request Entity Too Large");
  EXPECT_EQ(ReasonPhrase(418), "I'm a teapot");
  EXPECT_EQ(ReasonPhrase(299), "status code 299");
  EXPECT_EQ(StatusText(299), "");
}

TEST(GoHttp1Test, ValidHostHeaderAcceptsOnlyUriHostBytes) {
  for (const char* host :
       {"", "example.com", "127.0.0.1:6443", "[::1]:443", "a_b-c.d~e", "x%2Fy", "!$&'()*+,;="}) {
    EXPECT_TRUE(ValidHostHeader(host)) << host;
  }
  for (const char* host : {"a b", "a/b", "a\tb", "a\"b", "a<b", "a@b", "a?b", "a#b", "\x80"}) {
    EXPECT_FALSE(ValidHostHeader(host)) << host;
  }
}

// Every byte, against httpguts' table of URI host bytes. (Header names: tests/core/strings_test.)
TEST(GoHttp1Test, HostBytesMatchHttpgutsForEveryByte) {
  constexpr std::string_view kHostPunctuation = "!$%&'()*+,-.:;=[]_~";
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    const bool alphanumeric =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    const std::string text = std::string("a") + c + "z";
    EXPECT_EQ(ValidHostHeader(text),
              alphanumeric || kHostPunctuation.find(c) != std::string_view::npos)
        << byte;
  }
}

TEST(GoHttp1Test, HeaderHasTokenMatchesWholeTokensCaseInsensitively) {
  EXPECT_TRUE(HeaderHasToken("100-continue", "100-continue"));
  EXPECT_TRUE(HeaderHasToken("100-Continue", "100-continue"));
  EXPECT_TRUE(HeaderHasToken("foo, 100-continue", "100-continue"));
  EXPECT_TRUE(HeaderHasToken("100-continue\t,bar", "100-continue"));
  EXPECT_FALSE(HeaderHasToken("", "100-continue"));
  EXPECT_FALSE(HeaderHasToken("x100-continue", "100-continue"));
  EXPECT_FALSE(HeaderHasToken("100-continues", "100-continue"));
}

TEST(GoHttp1Test, OriginFormTargetFollowsParseRequestUri) {
  struct Case {
    const char* method;
    const char* target;
    std::optional<std::string> want;
  };
  const Case cases[] = {
      {"GET", "/", "/"},
      {"GET", "/api/v1?watch=true&x=%20", "/api/v1?watch=true&x=%20"},
      {"GET", "//double", "//double"},
      {"GET", "/a%2Fb", "/a%2Fb"},
      {"GET", "/a%zz", std::nullopt},
      {"GET", "/a%2", std::nullopt},
      {"GET", "/ok?q=%zz", "/ok?q=%zz"},  // Go keeps the raw query unparsed
      {"OPTIONS", "*", "*"},
      {"GET", "https://example.com/path?q=1", "/path?q=1"},
      {"GET", "http://example.com", "/"},
      {"GET", "http://example.com?q", "/?q"},
      {"GET", "http://exa mple.com/", std::nullopt},
      {"GET", "mailto:someone", std::nullopt},
      {"GET", "abc", std::nullopt},
      {"GET", "", std::nullopt},
      {"CONNECT", "example.com:443", "example.com:443"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(OriginFormTarget(c.method, c.target), c.want) << c.method << " " << c.target;
  }
}

TEST(GoHttp1Test, ParseHttpVersionTakesSingleDigits) {
  EXPECT_EQ(ParseHttpVersion("HTTP/1.1"), std::make_pair(1, 1));
  EXPECT_EQ(ParseHttpVersion("HTTP/2.0"), std::make_pair(2, 0));
  EXPECT_EQ(ParseHttpVersion("HTTP/0.9"), std::make_pair(0, 9));
  EXPECT_EQ(ParseHttpVersion("HTTP/10.0"), std::nullopt);
  EXPECT_EQ(ParseHttpVersion("http/1.1"), std::nullopt);
  EXPECT_EQ(ParseHttpVersion("HTTP/1"), std::nullopt);
}

TEST(GoHttp1Test, UnsupportedVersionRequestLines) {
  EXPECT_TRUE(IsUnsupportedVersionRequestLine("GET / HTTP/2.0"));
  EXPECT_TRUE(IsUnsupportedVersionRequestLine("GET /x?y HTTP/0.9"));
  EXPECT_FALSE(IsUnsupportedVersionRequestLine("GET / HTTP/1.1"));
  EXPECT_FALSE(IsUnsupportedVersionRequestLine("GET / HTTP/10.0"));
  EXPECT_FALSE(IsUnsupportedVersionRequestLine("G(T / HTTP/2.0"));
  EXPECT_FALSE(IsUnsupportedVersionRequestLine("GET abc HTTP/2.0"));
  EXPECT_FALSE(IsUnsupportedVersionRequestLine("GET HTTP/2.0"));
}

TEST(GoHttp1Test, HttpDateIsImfFixdate) {
  const auto time = std::chrono::sys_days{std::chrono::year{2006} / 1 / 2} + 15h + 4min + 5s;
  EXPECT_EQ(HttpDate(time), "Mon, 02 Jan 2006 15:04:05 GMT");
  const auto leap = std::chrono::sys_days{std::chrono::year{2024} / 2 / 29} + 23h + 59min + 59s;
  EXPECT_EQ(HttpDate(leap), "Thu, 29 Feb 2024 23:59:59 GMT");
}

}  // namespace
}  // namespace kauth::server
