// The bearer-token request authenticator (R3): reads `Authorization: Bearer <token>` and asks a
// token authenticator about the token.
#ifndef KAUTH_BEARER_H_
#define KAUTH_BEARER_H_

#include <memory>

#include "kauth/authenticator.h"

namespace kauth {

// R3.3 text returned when the token authenticator does not know the token.
inline constexpr std::string_view kInvalidBearerToken = "invalid bearer token";
// R3.2 warning for `Bearer  <token>` (two spaces).
inline constexpr std::string_view kBearerExtraSpaceWarning =
    "the provided Authorization header contains extra space before the bearer token, and is "
    "ignored";

// `tokens` is shared with the WebSocket authenticator (R4.4). On success the Authorization header
// is removed from the request.
std::unique_ptr<RequestAuthenticator> NewBearerAuthenticator(
    std::shared_ptr<const TokenAuthenticator> tokens);

}  // namespace kauth

#endif  // KAUTH_BEARER_H_
