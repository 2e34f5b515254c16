// The authenticated-group adder (R6.2): appends system:authenticated to every real user.
#ifndef KAUTH_GROUP_ADDER_H_
#define KAUTH_GROUP_ADDER_H_

#include <memory>

#include "kauth/authenticator.h"

namespace kauth {

// Rejections and NotApplicable pass through. A success passes through unchanged when the user is
// system:anonymous or already has system:authenticated or system:unauthenticated; otherwise
// system:authenticated is appended (no sorting, no other de-duplication).
std::unique_ptr<RequestAuthenticator> NewAuthenticatedGroupAdder(
    std::unique_ptr<RequestAuthenticator> delegate);

}  // namespace kauth

#endif  // KAUTH_GROUP_ADDER_H_
