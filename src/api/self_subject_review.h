// SelfSubjectReview (R14.2, R14.3): POST /apis/authentication.k8s.io/{v1,v1beta1,v1alpha1}/
// selfsubjectreviews answers 201 with a new object holding the caller's user info, which is what
// `kubectl auth whoami` prints.
//
// The request body is not read: kubectl 1.32 sends a protobuf body and the review takes no input,
// so any content type and any body are accepted (kube-apiserver decodes and type-checks it). The
// answer is always JSON. Other methods get 405; a request without a user (authentication
// disabled) gets 400 "no user present on request". Authorization is not checked here.
#ifndef KAUTH_API_SELF_SUBJECT_REVIEW_H_
#define KAUTH_API_SELF_SUBJECT_REVIEW_H_

#include <chrono>
#include <functional>

#include "api/api.h"

namespace kauth::api {

struct SelfSubjectReviewOptions {
  // The clock for metadata.creationTimestamp; std::chrono::system_clock::now when empty.
  std::function<std::chrono::system_clock::time_point()> now;
};

class SelfSubjectReviewApi final : public Api {
 public:
  explicit SelfSubjectReviewApi(SelfSubjectReviewOptions options = {});

  bool Serves(std::string_view path) const override;
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;

 private:
  SelfSubjectReviewOptions options_;
};

}  // namespace kauth::api

#endif  // KAUTH_API_SELF_SUBJECT_REVIEW_H_
