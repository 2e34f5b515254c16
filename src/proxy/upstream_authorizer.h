// UpstreamAuthorizer: who may pass through kauthd's proxy to the upstream
// (--upstream-allowed-users, --upstream-allowed-groups). A caller passes when its name is one of
// the allowed users or one of its groups is an allowed group (exact, case-sensitive matches).
// The default lets every authenticated caller through and refuses anonymous ones, whose group
// is system:unauthenticated; an operator who wants anonymous traffic forwarded allows that group
// on purpose.
//
// A refusal is kube-apiserver's 403 for the request (filters::ForbiddenStatusFor, the same text
// kauthd's own authorizer writes): `forbidden: User "<name>" cannot <verb> path "<path>"` for a
// non-resource request, `<resource>.<group> is forbidden: User "<name>" cannot <verb> resource
// ...` for an API resource path, so that kubectl in front of a kube-apiserver reads the familiar
// message. A request without a user (authentication disabled) is refused as user "".
//
// Immutable after construction; safe to call concurrently.
#ifndef KAUTH_PROXY_UPSTREAM_AUTHORIZER_H_
#define KAUTH_PROXY_UPSTREAM_AUTHORIZER_H_

#include <optional>
#include <string>
#include <vector>

#include "http/server_request.h"
#include "http/server_response.h"
#include "http/status.h"
#include "kauth/error.h"
#include "kauth/user.h"

namespace kauth::proxy {

struct UpstreamAuthorizerOptions {
  // --upstream-allowed-users: empty by default.
  std::vector<std::string> allowed_users;
  // --upstream-allowed-groups. Setting the flag replaces the default.
  std::vector<std::string> allowed_groups = {std::string(kGroupAuthenticated)};
};

// Start-up check. Error when both lists are empty (nothing could ever reach the upstream):
//   --upstream-allowed-users and --upstream-allowed-groups are both empty: no request would reach
//   the upstream
Result<void> ValidateUpstreamAuthorizerOptions(const UpstreamAuthorizerOptions& options);

class UpstreamAuthorizer final {
 public:
  explicit UpstreamAuthorizer(UpstreamAuthorizerOptions options);

  // True when `user` may reach the upstream; false for nullopt.
  bool Allows(const std::optional<UserInfo>& user) const;

  // nullopt when `user` may pass; otherwise the 403 Status for `request` (see the file comment).
  std::optional<http::Status> Check(const http::ServerRequest& request,
                                    const std::optional<UserInfo>& user) const;

  const UpstreamAuthorizerOptions& options() const { return options_; }

 private:
  UpstreamAuthorizerOptions options_;
};

// A 403 response as kube-apiserver's responsewriters.Forbidden sends it: the negotiated Status
// body (http::StatusResponse) plus X-Content-Type-Options: nosniff. For Check's and
// ImpersonationRefusal's statuses.
http::ServerResponse ForbiddenResponse(const http::ServerRequest& request,
                                       const http::Status& status);

}  // namespace kauth::proxy

#endif  // KAUTH_PROXY_UPSTREAM_AUTHORIZER_H_
