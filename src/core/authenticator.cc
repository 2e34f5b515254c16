#include "kauth/authenticator.h"

#include <cassert>

namespace kauth {
namespace {

// Calling the inline form of an authenticator that may suspend is a programming error; a
// release build refuses the request rather than guessing.
AuthResult NotInline() {
  assert(false && "AuthenticateInline on an authenticator that does not complete inline");
  return AuthResult::Rejected(
      AuthError(AuthErrorKind::kInternal, "authenticator cannot complete inline"));
}

}  // namespace

AuthResult RequestAuthenticator::AuthenticateInline(Request& /*request*/,
                                                    AuthContext& /*ctx*/) const {
  return NotInline();
}

Awaitable<AuthResult> InlineRequestAuthenticator::Authenticate(Request& request,
                                                               AuthContext& ctx) const {
  co_return AuthenticateInline(request, ctx);
}

AuthResult TokenAuthenticator::AuthenticateTokenInline(std::string_view /*token*/,
                                                       AuthContext& /*ctx*/) const {
  return NotInline();
}

Awaitable<AuthResult> InlineTokenAuthenticator::AuthenticateToken(std::string_view token,
                                                                  AuthContext& ctx) const {
  co_return AuthenticateTokenInline(token, ctx);
}

}  // namespace kauth
