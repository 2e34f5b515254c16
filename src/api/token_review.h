// TokenReview (R14.1): POST /apis/authentication.k8s.io/{v1,v1beta1}/tokenreviews, so that kauthd
// can serve as the token webhook of a real kube-apiserver. The token goes through the full
// authenticator as a synthetic request whose only header is `Authorization: Bearer <token>`
// (no TLS), with spec.audiences (or the API audiences) as the context audiences; the answer is
// 201 with the input object echoed and its status filled in.
//
// Differences from kube-apiserver, on purpose:
// - A body of either version is accepted on either URL, and the answer carries the body's
//   apiVersion (kube-apiserver answers in the URL's version). kube-apiserver's webhook client
//   posts its configured version to the exact URL it is given.
// - A review never answers authenticated:true for an anonymous user (name system:anonymous or
//   group system:unauthenticated, e.g. a token with a leading space, kubernetes#114165): it
//   answers authenticated:false with no user and no error, so that the calling cluster's own
//   anonymous setting holds.
// - Only JSON bodies are read: another Content-Type gets 415.
//
// Authorization is not checked here. Warnings the authenticators add (R7.7) are added to the
// request's own AuthContext, as Kubernetes records them on the review request.
#ifndef KAUTH_API_TOKEN_REVIEW_H_
#define KAUTH_API_TOKEN_REVIEW_H_

#include <memory>

#include "api/api.h"
#include "kauth/audiences.h"
#include "kauth/authenticator.h"

namespace kauth::api {

struct TokenReviewOptions {
  // The full authenticator (BuildChain's, loopback and anonymous included). nullptr when
  // authentication is disabled: reviews are then echoed back unanswered, as Kubernetes does.
  std::shared_ptr<const RequestAuthenticator> authenticator;
  // --api-audiences: the audiences of a review whose spec.audiences is empty.
  Audiences api_audiences;
};

class TokenReviewApi final : public Api {
 public:
  explicit TokenReviewApi(TokenReviewOptions options);

  bool Serves(std::string_view path) const override;
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;

 private:
  TokenReviewOptions options_;
};

}  // namespace kauth::api

#endif  // KAUTH_API_TOKEN_REVIEW_H_
