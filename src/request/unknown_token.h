// Shared by the bearer (R3.3) and WebSocket (R4.3) authenticators: a token that no token
// authenticator knows is a rejection, not "no credential", so it can never fall through to
// anonymous.
#ifndef KAUTH_REQUEST_UNKNOWN_TOKEN_H_
#define KAUTH_REQUEST_UNKNOWN_TOKEN_H_

#include <string>

#include "kauth/auth_result.h"
#include "kauth/bearer.h"

namespace kauth {

inline AuthResult RejectUnknownToken(AuthResult result) {
  if (!result.not_applicable()) return result;
  return AuthResult::Rejected(
      AuthError(AuthErrorKind::kInvalidCredential, std::string(kInvalidBearerToken)));
}

}  // namespace kauth

#endif  // KAUTH_REQUEST_UNKNOWN_TOKEN_H_
