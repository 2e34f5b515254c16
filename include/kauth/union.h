// Unions (R6.1): try members in order; the first success wins.
//
// Plain: a rejection is remembered and the next member is tried; if nobody succeeds the result
// is NotApplicable when nothing was remembered, else the aggregate of the remembered errors.
// Fail-on-error: the first rejection is returned at once.
// A union of one member is that member; a union of none is always NotApplicable.
// A union owns its members and is immutable.
#ifndef KAUTH_UNION_H_
#define KAUTH_UNION_H_

#include <memory>
#include <vector>

#include "kauth/authenticator.h"

namespace kauth {

std::unique_ptr<RequestAuthenticator> NewUnionAuthenticator(
    std::vector<std::unique_ptr<RequestAuthenticator>> members);
std::unique_ptr<RequestAuthenticator> NewFailOnErrorUnionAuthenticator(
    std::vector<std::unique_ptr<RequestAuthenticator>> members);

std::unique_ptr<TokenAuthenticator> NewUnionTokenAuthenticator(
    std::vector<std::unique_ptr<TokenAuthenticator>> members);
std::unique_ptr<TokenAuthenticator> NewFailOnErrorUnionTokenAuthenticator(
    std::vector<std::unique_ptr<TokenAuthenticator>> members);

}  // namespace kauth

#endif  // KAUTH_UNION_H_
