// The WebSocket sub-protocol token authenticator (R4): browsers cannot set Authorization on a
// WebSocket, so the token travels as `base64url.bearer.authorization.k8s.io.<token>` in
// Sec-WebSocket-Protocol.
#ifndef KAUTH_WEBSOCKET_H_
#define KAUTH_WEBSOCKET_H_

#include <memory>
#include <string_view>

#include "kauth/authenticator.h"

namespace kauth {

inline constexpr std::string_view kWebSocketBearerProtocolPrefix =
    "base64url.bearer.authorization.k8s.io.";

// On success the sub-protocol carrying the token is removed from Sec-WebSocket-Protocol (R4.3).
std::unique_ptr<RequestAuthenticator> NewWebSocketProtocolAuthenticator(
    std::shared_ptr<const TokenAuthenticator> tokens);

}  // namespace kauth

#endif  // KAUTH_WEBSOCKET_H_
