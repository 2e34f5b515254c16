// The TokenReview object (authentication.k8s.io v1 and v1beta1, whose JSON forms are the same):
// decoded from a request body with the checks and error texts of kube-apiserver's create handler
// and written back as its JSON serializer writes it.
#ifndef KAUTH_API_TOKEN_REVIEW_OBJECT_H_
#define KAUTH_API_TOKEN_REVIEW_OBJECT_H_

#include <string>
#include <string_view>
#include <vector>

#include "api/go_json.h"
#include "api/object_meta.h"
#include "kauth/error.h"
#include "kauth/user.h"

namespace kauth::api {

inline constexpr std::string_view kAuthenticationGroup = "authentication.k8s.io";

struct TokenReviewObject {
  // "authentication.k8s.io/v1" or "authentication.k8s.io/v1beta1": the body's, else the URL's.
  std::string api_version;
  ObjectMeta metadata;
  // spec
  std::string token;
  std::vector<std::string> audiences;
  // status, as sent; the review overwrites what Kubernetes overwrites.
  struct Status {
    bool authenticated = false;
    UserInfo user;
    std::vector<std::string> audiences;
    std::string error;
  } status;
};

// Decodes a body POSTed to .../authentication.k8s.io/<url_version>/tokenreviews. On failure the
// error is the message of kube-apiserver's 400, e.g. "the object provided is unrecognized (must
// be of type TokenReview): couldn't get version/kind; json parse error: unexpected end of JSON
// input (<empty>)".
Result<TokenReviewObject> DecodeTokenReview(std::string_view body, std::string_view url_version);

// The object as kube-apiserver writes it. Takes `review` by value (its metadata is moved).
JsonValue TokenReviewToJson(TokenReviewObject review);

// UserInfo as authentication.k8s.io writes it: every field omitted when empty.
JsonValue UserInfoToJson(const UserInfo& user);

}  // namespace kauth::api

#endif  // KAUTH_API_TOKEN_REVIEW_OBJECT_H_
