// Parsing of the Authorization header for bearer tokens (R3.1, R3.2), apart from the
// authenticator so the fuzz target and the benchmarks reach it directly.
#ifndef KAUTH_REQUEST_BEARER_PARSE_H_
#define KAUTH_REQUEST_BEARER_PARSE_H_

#include <optional>
#include <string_view>

namespace kauth {

struct BearerCredential {
  enum class Kind {
    kNone,        // no bearer credential: absent, blank, another scheme, or no token part
    kEmptyToken,  // `Bearer ` followed by nothing usable, e.g. `Bearer \t`
    kExtraSpace,  // `Bearer  x`: an empty token with a third part (R3.2 warning)
    kToken,       // `token` holds the token
  };
  Kind kind = Kind::kNone;
  std::string_view token;  // a view into the header value
};

// `header` is the first Authorization value, or nullopt when there is none.
BearerCredential ParseBearerAuthorization(std::optional<std::string_view> header);

}  // namespace kauth

#endif  // KAUTH_REQUEST_BEARER_PARSE_H_
