#include "kauth/websocket.h"

#include <openssl/crypto.h>

#include <optional>
#include <string>
#include <utility>

#include "request/unknown_token.h"
#include "request/websocket_protocol.h"

namespace kauth {
namespace {

// R4.2/R4.3 on the extracted protocols: the answer when there is no token to look up.
std::optional<AuthResult> AnswerWithoutLookup(WebSocketToken& found) {
  if (!found.error.empty()) {
    return AuthResult::Rejected(
        AuthError(AuthErrorKind::kInvalidCredential, std::move(found.error)));
  }
  // A token alone would leave no sub-protocol to echo back to the client.
  if (!found.token.empty() && found.other_protocols.empty()) {
    return AuthResult::Rejected(
        AuthError(AuthErrorKind::kInvalidCredential, "missing additional subprotocol"));
  }
  if (found.token.empty()) return AuthResult::NotApplicable();
  return std::nullopt;
}

AuthResult Finish(AuthResult looked_up, WebSocketToken& found, Request& request) {
  AuthResult result = RejectUnknownToken(std::move(looked_up));
  OPENSSL_cleanse(found.token.data(), found.token.size());
  if (result.authenticated()) {
    std::string remaining;
    for (std::size_t i = 0; i < found.other_protocols.size(); ++i) {
      if (i > 0) remaining += ',';
      remaining += found.other_protocols[i];
    }
    request.SetHeader("Sec-WebSocket-Protocol", remaining);
  }
  return result;
}

class WebSocketProtocolAuthenticator final : public RequestAuthenticator {
 public:
  explicit WebSocketProtocolAuthenticator(std::shared_ptr<const TokenAuthenticator> tokens)
      : tokens_(std::move(tokens)) {}

  bool CompletesInline() const override { return tokens_->CompletesInline(); }

  Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const override {
    if (!IsWebSocketRequest(request)) co_return AuthResult::NotApplicable();
    // One copy of the decoded token, wiped by Finish.
    WebSocketToken found = ExtractWebSocketToken(request);
    if (std::optional<AuthResult> answer = AnswerWithoutLookup(found)) {
      co_return std::move(*answer);
    }
    AuthResult looked_up = co_await tokens_->AuthenticateToken(found.token, ctx);
    co_return Finish(std::move(looked_up), found, request);
  }

  AuthResult AuthenticateInline(Request& request, AuthContext& ctx) const override {
    if (!IsWebSocketRequest(request)) return AuthResult::NotApplicable();
    WebSocketToken found = ExtractWebSocketToken(request);
    if (std::optional<AuthResult> answer = AnswerWithoutLookup(found)) return std::move(*answer);
    return Finish(tokens_->AuthenticateTokenInline(found.token, ctx), found, request);
  }

 private:
  std::shared_ptr<const TokenAuthenticator> tokens_;
};

}  // namespace

std::unique_ptr<RequestAuthenticator> NewWebSocketProtocolAuthenticator(
    std::shared_ptr<const TokenAuthenticator> tokens) {
  return std::make_unique<WebSocketProtocolAuthenticator>(std::move(tokens));
}

}  // namespace kauth
