// Authorizer: kauthd's minimal authorization for its own endpoints (kauthd has no RBAC). It sits
// after the authentication filter and guards the two privileged endpoints; everything else
// passes to the next handler it owns:
//
//   /metrics (and anything under /metrics/)       users in metrics_allowed_users or members of
//                                                  a group in metrics_allowed_groups
//   tokenreviews.authentication.k8s.io (any        users in tokenreview_allowed_users or members
//   version, verb or namespace)                    of a group in tokenreview_allowed_groups
//   everything else (health, /version, discovery,  passes; the APIs behind answer (SelfSubject-
//   SelfSubjectReview, unknown paths)              Review needs only a user; unknown paths 404)
//
// A request without a user (authentication disabled, R7.1) is denied the guarded endpoints as
// user "". A denial is kube-apiserver's 403 (responsewriters.Forbidden): Status reason Forbidden,
// message `forbidden: User "<name>" cannot <verb> path "<path>"` for a non-resource request
// (details {}), or `tokenreviews.authentication.k8s.io is forbidden: User "<name>" cannot <verb>
// resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope` (or `in the
// namespace "<ns>"`) with details {"group","kind"}; header X-Content-Type-Options: nosniff.
//
// Immutable after construction; Handle is safe to call concurrently. Owns `next`.
#ifndef KAUTH_FILTERS_AUTHORIZER_H_
#define KAUTH_FILTERS_AUTHORIZER_H_

#include <memory>
#include <string>
#include <vector>

#include "filters/request_attributes.h"
#include "http/handler.h"
#include "http/status.h"

namespace kauth::filters {

struct AuthorizerOptions {
  // --metrics-allowed-users / --metrics-allowed-groups. Setting the groups flag replaces the
  // default.
  std::vector<std::string> metrics_allowed_users;
  std::vector<std::string> metrics_allowed_groups = {"system:masters"};
  // --tokenreview-allowed-users / --tokenreview-allowed-groups.
  std::vector<std::string> tokenreview_allowed_users;
  std::vector<std::string> tokenreview_allowed_groups = {"system:masters"};
};

class Authorizer final : public http::Handler {
 public:
  Authorizer(AuthorizerOptions options, std::unique_ptr<http::Handler> next);

  // A 403 for a denied request, otherwise what `next` answers.
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;
  // When the stage that answers does.
  bool HandlesInline(const http::ServerRequest& request) const override;
  http::ServerResponse HandleInline(http::ServerRequest& request,
                                    http::RequestState& state) const override;

 private:
  bool Denied(const http::ServerRequest& request, const http::RequestState& state) const;
  http::ServerResponse Forbidden(const http::ServerRequest& request,
                                 const http::RequestState& state) const;

  AuthorizerOptions options_;
  std::unique_ptr<http::Handler> next_;
};

// kube-apiserver's forbidden message for `attributes` and `user_name` (without the
// "<resource> is forbidden: " / "forbidden: " prefix): `User "alice" cannot get path "/metrics"`.
std::string ForbiddenReason(const RequestAttributes& attributes, std::string_view user_name);

// The complete 403 Status for a denied request (NewForbidden's message and details).
http::Status ForbiddenStatusFor(const RequestAttributes& attributes, std::string_view user_name);

}  // namespace kauth::filters

#endif  // KAUTH_FILTERS_AUTHORIZER_H_
