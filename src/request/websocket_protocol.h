// Extraction of the bearer token from Sec-WebSocket-Protocol (R4.1-R4.3), apart from the
// authenticator so the fuzz target reaches it directly.
#ifndef KAUTH_REQUEST_WEBSOCKET_PROTOCOL_H_
#define KAUTH_REQUEST_WEBSOCKET_PROTOCOL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kauth/request.h"

namespace kauth {

// R4.1: an Upgrade: websocket request whose Connection header asks for an upgrade.
bool IsWebSocketRequest(const Request& request);

// Go's base64.RawURLEncoding.DecodeString: unpadded URL alphabet; CR and LF are skipped; a
// dangling final character or any other byte (padding included) is an error.
std::optional<std::string> DecodeRawBase64Url(std::string_view encoded);

struct WebSocketToken {
  // The decoded token; empty when no token sub-protocol was present.
  std::string token;
  // Every other sub-protocol, trimmed, in order; empty entries kept.
  std::vector<std::string> other_protocols;
  // Non-empty when the protocols are malformed (R4.2, R4.3): Kubernetes' error text.
  std::string error;
};

// Reads every Sec-WebSocket-Protocol line of a WebSocket request.
WebSocketToken ExtractWebSocketToken(const Request& request);

}  // namespace kauth

#endif  // KAUTH_REQUEST_WEBSOCKET_PROTOCOL_H_
