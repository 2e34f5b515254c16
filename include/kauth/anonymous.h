// The anonymous authenticator (R6.3).
#ifndef KAUTH_ANONYMOUS_H_
#define KAUTH_ANONYMOUS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kauth/authenticator.h"

namespace kauth {

struct AnonymousOptions {
  // AuthenticationConfiguration's anonymous.conditions[].path: when set, only these exact URL
  // paths (no prefix match, no normalisation, query ignored) are served anonymously.
  std::optional<std::vector<std::string>> allowed_paths;
};

// system:anonymous in system:unauthenticated, audiences = the context's, for every request whose
// path is allowed; NotApplicable for the others.
std::unique_ptr<RequestAuthenticator> NewAnonymousAuthenticator(AnonymousOptions options = {});

}  // namespace kauth

#endif  // KAUTH_ANONYMOUS_H_
