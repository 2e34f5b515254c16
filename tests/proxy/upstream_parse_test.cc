#include "proxy/upstream_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace kauth::proxy {
namespace {

TEST(ParseUpstreamUrlTest, SplitsHostPortAndBasePath) {
  const Result<UpstreamUrl> url = ParseUpstreamUrl("HTTPS://[::1]:6443/api/");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(*url, (UpstreamUrl{.tls = true,
                               .host = "::1",
                               .host_is_ip = true,
                               .port = 6443,
                               .authority = "[::1]:6443",
                               .host_header = "[::1]:6443",
                               .base_path = "/api/"}));

  const Result<UpstreamUrl> name = ParseUpstreamUrl("http://kube.example");
  ASSERT_TRUE(name) << name.error().message;
  EXPECT_EQ(*name, (UpstreamUrl{.tls = false,
                                .host = "kube.example",
                                .host_is_ip = false,
                                .port = 80,
                                .authority = "kube.example:80",
                                .host_header = "kube.example",
                                .base_path = ""}));
}

// Found by fuzz/upstream_options_fuzz: the host and base path were taken as written, and both go
// into every request head unchanged, so a CR LF in --upstream added header lines to every proxied
// request and a space split the request line. The message quotes the URL as %q does, so the
// refused bytes do not reach the terminal either.
TEST(ParseUpstreamUrlTest, RefusesControlBytesAndSpaces) {
  struct Case {
    std::string_view url;
    std::string want;
  };
  const Case cases[] = {
      {"http://host\r\nX-Injected: 1/",
       R"(--upstream: "http://host\r\nX-Injected: 1/": invalid control character in URL)"},
      {std::string_view("http://host/a\0b", 15),
       R"(--upstream: "http://host/a\x00b": invalid control character in URL)"},
      {"http://host/\x1b[2J",
       R"(--upstream: "http://host/\x1b[2J": invalid control character in URL)"},
      {"http://host/a\x7f", R"(--upstream: "http://host/a\x7f": invalid control character in URL)"},
      {"http://host/a\tb", R"(--upstream: "http://host/a\tb": invalid control character in URL)"},
      {"http://host/a b",
       R"(--upstream: "http://host/a b": a space is not allowed (write it as %20 in the path))"},
      {"http://exa mple:80",
       R"(--upstream: "http://exa mple:80": a space is not allowed (write it as %20 in the path))"},
  };
  for (const Case& c : cases) {
    const Result<UpstreamUrl> url = ParseUpstreamUrl(c.url);
    ASSERT_FALSE(url) << c.want;
    EXPECT_EQ(url.error().message, c.want);
  }
  const Result<UpstreamUrl> escaped = ParseUpstreamUrl("http://host/a%20b");
  ASSERT_TRUE(escaped) << escaped.error().message;
  EXPECT_EQ(escaped->base_path, "/a%20b");
}

TEST(ParseUpstreamTokenTest, TakesTheTrimmedFirstLine) {
  const Result<std::string> token = ParseUpstreamToken("  s3cr3t\r\nsecond line\n", "/t");
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(*token, "s3cr3t");

  // Go's strings.TrimSpace: Unicode white space too.
  const Result<std::string> unicode = ParseUpstreamToken("\xc2\xa0tok\ten\xc2\x85", "/t");
  ASSERT_TRUE(unicode) << unicode.error().message;
  EXPECT_EQ(*unicode, "tok\ten");
}

// The messages never repeat the file's contents: they are a credential.
TEST(ParseUpstreamTokenTest, ErrorsNameOnlyTheFile) {
  const Result<std::string> empty = ParseUpstreamToken(" \r\nsecret on line two\n", "/t");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "--upstream-token-file: /t: no token on its first line");

  const Result<std::string> control = ParseUpstreamToken("sec\x01ret\n", "/t");
  ASSERT_FALSE(control);
  EXPECT_EQ(control.error().message,
            "--upstream-token-file: /t: the token holds a control character and cannot be sent "
            "in a header");
}

TEST(ResponseHeadersTest, DropsHopByHopAndConnectionNamedFields) {
  const HeaderList fields = {{"Connection", "X-Secret , close"},
                             {"x-secret", "1"},
                             {"Keep-Alive", "timeout=5"},
                             {"X-Kept", "a"},
                             {"transfer-encoding", "chunked"},
                             {"Content-Length", "2"},
                             {"Trailer", "X-T"},
                             {"TE", "trailers"},
                             {"Proxy-Connection", "keep-alive"},
                             {"Upgrade", "h2c"},
                             {"X-Kept", "b"}};
  EXPECT_EQ(ResponseHeaders(fields, /*switching_protocols=*/false),
            (HeaderList{{"X-Kept", "a"}, {"X-Kept", "b"}}));
}

// Go's ReverseProxy splits every Connection field on ',' and trims ASCII white space
// (textproto.TrimString): tabs and empty elements included; a field named before its
// Connection field counts too.
TEST(ResponseHeadersTest, ConnectionListsAreSplitAndTrimmedAsGoDoes) {
  const HeaderList fields = {{"X-Before", "1"},
                             {"Connection", ",\tx-before ,, X-Tab\t"},
                             {"X-Tab", "2"},
                             {"connection", "x-second"},
                             {"X-Second", "3"},
                             {"X-Kept", "4"},
                             {"X-Kept-Too", "5"}};
  EXPECT_EQ(ResponseHeaders(fields, /*switching_protocols=*/false),
            (HeaderList{{"X-Kept", "4"}, {"X-Kept-Too", "5"}}));
}

TEST(ResponseHeadersTest, SwitchingProtocolsKeepsUpgrade) {
  const HeaderList fields = {
      {"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Accept", "x"}};
  EXPECT_EQ(ResponseHeaders(fields, /*switching_protocols=*/true),
            (HeaderList{{"Upgrade", "websocket"}, {"Sec-WebSocket-Accept", "x"}}));
}

}  // namespace
}  // namespace kauth::proxy
