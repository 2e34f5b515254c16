#include "kauth/websocket.h"

#include <openssl/crypto.h>

#include <utility>

#include "request/unknown_token.h"
#include "request/websocket_protocol.h"

namespace kauth {
namespace {

class WebSocketProtocolAuthenticator final : public RequestAuthenticator {
 public:
  explicit WebSocketProtocolAuthenticator(std::shared_ptr<const TokenAuthenticator> tokens)
      : tokens_(std::move(tokens)) {}

  Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const override {
    if (!IsWebSocketRequest(request)) co_return AuthResult::NotApplicable();

    WebSocketToken found = ExtractWebSocketToken(request);
    if (!found.error.empty()) {
      co_return AuthResult::Rejected(
          AuthError(AuthErrorKind::kInvalidCredential, std::move(found.error)));
    }
    // A token alone would leave no sub-protocol to echo back to the client.
    if (!found.token.empty() && found.other_protocols.empty()) {
      co_return AuthResult::Rejected(
          AuthError(AuthErrorKind::kInvalidCredential, "missing additional subprotocol"));
    }
    if (found.token.empty()) co_return AuthResult::NotApplicable();

    AuthResult result = RejectUnknownToken(co_await tokens_->AuthenticateToken(found.token, ctx));
    OPENSSL_cleanse(found.token.data(), found.token.size());
    if (result.authenticated()) {
      std::string remaining;
      for (std::size_t i = 0; i < found.other_protocols.size(); ++i) {
        if (i > 0) remaining += ',';
        remaining += found.other_protocols[i];
      }
      request.SetHeader("Sec-WebSocket-Protocol", remaining);
    }
    co_return result;
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
