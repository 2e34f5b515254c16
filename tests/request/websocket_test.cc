#include "kauth/websocket.h"

#include <gtest/gtest.h>

#include "kauth/basic_request.h"
#include "request/websocket_protocol.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"

namespace kauth {
namespace {

using testing::Authed;
using testing::Authenticate;
using testing::MapTokenAuthenticator;
using testing::Rejected;

using Headers = std::vector<std::pair<std::string, std::string>>;

void AddHeaders(BasicRequest& request, const Headers& headers) {
  for (const auto& [name, value] : headers) request.AddHeader(name, value);
}

// R4.1: only WebSocket upgrades qualify.
TEST(WebSocketProtocolTest, R4_1_WebSocketRequestDetection) {
  struct Case {
    const char* name;
    Headers headers;
    bool want;
  };
  const Case cases[] = {
      {"upgrade websocket", {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}}, true},
      {"case-insensitive upgrade", {{"Upgrade", "WebSocket"}, {"Connection", "upgrade"}}, true},
      {"connection list", {{"Upgrade", "websocket"}, {"Connection", "keep-alive, Upgrade"}}, true},
      {"second connection line",
       {{"Upgrade", "websocket"}, {"Connection", "keep-alive"}, {"Connection", "Upgrade"}},
       true},
      {"connection contains upgrade",
       {{"Upgrade", "websocket"}, {"Connection", "xupgradex"}},
       true},
      {"no connection", {{"Upgrade", "websocket"}}, false},
      {"connection without upgrade",
       {{"Upgrade", "websocket"}, {"Connection", "keep-alive"}},
       false},
      {"other upgrade", {{"Upgrade", "SPDY/3.1"}, {"Connection", "Upgrade"}}, false},
      {"only first upgrade value counts",
       {{"Upgrade", "h2c"}, {"Upgrade", "websocket"}, {"Connection", "Upgrade"}},
       false},
      {"plain request", {}, false},
  };
  for (const auto& c : cases) {
    BasicRequest request;
    AddHeaders(request, c.headers);
    EXPECT_EQ(IsWebSocketRequest(request), c.want) << c.name;
  }
}

// Go's base64.RawURLEncoding.DecodeString, which R4.2 uses.
TEST(WebSocketProtocolTest, R4_2_RawBase64UrlDecoding) {
  struct Case {
    const char* name;
    std::string in;
    std::optional<std::string> want;
  };
  const Case cases[] = {
      {"empty", "", ""},
      {"mytoken", "bXl0b2tlbg", "mytoken"},
      {"url alphabet", "-_8", "\xfb\xff"},
      {"std alphabet rejected", "+/8", std::nullopt},
      {"padding rejected", "bXl0b2tlbg==", std::nullopt},
      {"one dangling character", "bXl0b", std::nullopt},
      {"newlines skipped", "bXl0\nb2tl\r\nbg", "mytoken"},
      {"space rejected", "bXl0 b2tlbg", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(DecodeRawBase64Url(c.in), c.want) << c.name;
}

class WebSocketAuthenticatorTest : public ::testing::Test {
 protected:
  WebSocketAuthenticatorTest()
      : authenticator_(NewWebSocketProtocolAuthenticator(
            std::make_shared<MapTokenAuthenticator>(std::map<std::string, AuthResult>{
                {"mytoken", Authed({.name = "alice"})},
                {"broken", Rejected("backend down", AuthErrorKind::kUnavailable)},
            }))) {}

  std::unique_ptr<RequestAuthenticator> authenticator_;
};

// R4.2, R4.3: the outcomes table and the rewritten Sec-WebSocket-Protocol header.
TEST_F(WebSocketAuthenticatorTest, R4_2_R4_3_OutcomesTable) {
  const std::string prefix(kWebSocketBearerProtocolPrefix);
  struct Case {
    const char* name;
    std::vector<std::string> protocols;  // one header line each
    bool websocket = true;
    AuthResult want;
    std::vector<std::string> protocols_after;
  };
  const Case cases[] = {
      {"spec example",
       {prefix + "bXl0b2tlbg, v4.channel.k8s.io"},
       true,
       Authed({.name = "alice"}),
       {"v4.channel.k8s.io"}},
      {"filtered list joined without spaces",
       {"v5.channel.k8s.io , " + prefix + "bXl0b2tlbg", "v4.channel.k8s.io"},
       true,
       Authed({.name = "alice"}),
       {"v5.channel.k8s.io,v4.channel.k8s.io"}},
      {"empty entries count as protocols",
       {prefix + "bXl0b2tlbg,"},
       true,
       Authed({.name = "alice"}),
       {""}},
      {"not a websocket request",
       {prefix + "bXl0b2tlbg, v4.channel.k8s.io"},
       false,
       AuthResult::NotApplicable(),
       {prefix + "bXl0b2tlbg, v4.channel.k8s.io"}},
      {"no token protocol",
       {"v4.channel.k8s.io"},
       true,
       AuthResult::NotApplicable(),
       {"v4.channel.k8s.io"}},
      {"no protocol header", {}, true, AuthResult::NotApplicable(), {}},
      {"multiple tokens",
       {prefix + "bXl0b2tlbg", prefix + "bXl0b2tlbg, v4.channel.k8s.io"},
       true,
       Rejected("multiple base64.bearer.authorization tokens specified"),
       {}},
      {"bad encoding",
       {prefix + "bXl0b2tlbg==, v4.channel.k8s.io"},
       true,
       Rejected("invalid base64.bearer.authorization token encoding"),
       {}},
      {"not utf8",
       {prefix + "_w, v4.channel.k8s.io"},  // 0xFF
       true,
       Rejected("invalid base64.bearer.authorization token"),
       {}},
      {"token alone",
       {prefix + "bXl0b2tlbg"},
       true,
       Rejected("missing additional subprotocol"),
       {}},
      {"empty token is not applicable",
       {prefix + ", v4.channel.k8s.io"},
       true,
       AuthResult::NotApplicable(),
       {}},
      {"unknown token",
       {prefix + "dW5rbm93bg, v4.channel.k8s.io"},
       true,
       Rejected("invalid bearer token"),
       {}},
      {"token authenticator error passes through",
       {prefix + "YnJva2Vu, v4.channel.k8s.io"},
       true,
       Rejected("backend down", AuthErrorKind::kUnavailable),
       {}},
  };
  for (const auto& c : cases) {
    BasicRequest request;
    if (c.websocket) {
      request.AddHeader("Upgrade", "websocket");
      request.AddHeader("Connection", "Upgrade");
    }
    for (const auto& line : c.protocols) request.AddHeader("Sec-WebSocket-Protocol", line);
    const AuthResult got = Authenticate(*authenticator_, request);
    EXPECT_EQ(got, c.want) << c.name;
    if (got.authenticated() || !c.protocols_after.empty()) {
      const auto after = request.HeaderValues("Sec-WebSocket-Protocol");
      EXPECT_EQ(std::vector<std::string>(after.begin(), after.end()), c.protocols_after) << c.name;
    }
  }
}

}  // namespace
}  // namespace kauth
