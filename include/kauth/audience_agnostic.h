// The audience-agnostic wrappers (R1.5): make an authenticator that knows nothing of audiences
// answer for a fixed set of implicit audiences (the API audiences).
#ifndef KAUTH_AUDIENCE_AGNOSTIC_H_
#define KAUTH_AUDIENCE_AGNOSTIC_H_

#include <memory>

#include "kauth/audiences.h"
#include "kauth/authenticator.h"

namespace kauth {

std::unique_ptr<TokenAuthenticator> NewAudienceAgnosticTokenAuthenticator(
    std::unique_ptr<TokenAuthenticator> delegate, Audiences implicit_audiences);
std::unique_ptr<RequestAuthenticator> NewAudienceAgnosticAuthenticator(
    std::unique_ptr<RequestAuthenticator> delegate, Audiences implicit_audiences);

}  // namespace kauth

#endif  // KAUTH_AUDIENCE_AGNOSTIC_H_
