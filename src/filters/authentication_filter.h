// AuthenticationFilter: kube-apiserver's WithAuthentication (R7) as a kauthd handler. It runs the
// configured authenticator on every request and either answers 401 or passes the request, with
// its user, to the next handler it owns:
//
//   R7.1  no authenticator: logs "Authentication is disabled" once (at construction) and passes
//         every request on with no user.
//   R7.2  the API audiences go into the request's AuthContext when non-empty; the authenticator
//         is timed. A rejection is logged ("Unable to authenticate the request", with err, the
//         remote address, the user agent and the audit id; never the credential). A rejection,
//         a not-applicable result or an audience mismatch answers the R7.3 401. On success the
//         credential headers (Authorization, X-Remote-User, X-Remote-Uid, X-Remote-Group, every
//         X-Remote-Extra-*, and the configured request-header names and prefixes) are removed,
//         state.user is set, and an anonymous user over HTTP/2 gets close_connection.
//   R7.3  the 401: Status body negotiated by http::StatusResponse, Cache-Control, Audit-Id, the
//         warnings, no WWW-Authenticate; close_connection over HTTP/2.
//   R7.6  authentication_attempts / _duration_seconds / authenticated_user_requests.
//   R7.7  the warnings in state.auth, rendered as Warning headers on the 401 and on the response
//         of the next handler (which may add warnings of its own to state.auth).
//
// Immutable after construction; Handle is safe to call concurrently. Owns `next`; borrows
// `metrics`, which must outlive the filter.
#ifndef KAUTH_FILTERS_AUTHENTICATION_FILTER_H_
#define KAUTH_FILTERS_AUTHENTICATION_FILTER_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "filters/authentication_metrics.h"
#include "http/handler.h"
#include "kauth/audiences.h"
#include "kauth/authenticator.h"

namespace kauth::filters {

struct AuthenticationFilterOptions {
  // The chain from BuildChain; nullptr disables authentication (R7.1).
  std::shared_ptr<const RequestAuthenticator> authenticator;
  // --api-audiences (R7.2 steps 1 and 4). Empty: no audiences in the context, no audience check.
  Audiences api_audiences;
  // R7.2 step 5: request headers removed after a successful authentication whatever method
  // succeeded, besides the standard X-Remote-* set: the --requestheader-*-headers names
  // (exact, case-insensitive) and --requestheader-extra-headers-prefix prefixes
  // (case-insensitive). Empty in issue 3.
  std::vector<std::string> request_header_names;
  std::vector<std::string> request_header_prefixes;
};

class AuthenticationFilter final : public http::Handler {
 public:
  AuthenticationFilter(AuthenticationFilterOptions options, const AuthenticationMetrics& metrics,
                       std::unique_ptr<http::Handler> next);

  // Answers 401 itself, or returns what `next` answered (plus Warning headers, and
  // close_connection for anonymous HTTP/2). Sets state.audit_id when it is empty.
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;
  // When the chain answers inline (CompletesInline) and so does `next`.
  bool HandlesInline(const http::ServerRequest& request) const override;
  http::ServerResponse HandleInline(http::ServerRequest& request,
                                    http::RequestState& state) const override;

 private:
  // The authenticator's answer as the filter's decision: the 401 to send, or nullopt with the
  // request admitted (state.user set, credential headers removed).
  std::optional<http::ServerResponse> Admit(http::ServerRequest& request, http::RequestState& state,
                                            AuthResult result,
                                            std::chrono::steady_clock::time_point start) const;
  // What the filter adds to `next`'s answer.
  void Finish(const http::ServerRequest& request, const http::RequestState& state,
              http::ServerResponse& answer) const;
  http::ServerResponse Unauthorized(const http::ServerRequest& request,
                                    const http::RequestState& state) const;
  void RemoveCredentialHeaders(http::ServerRequest& request) const;

  AuthenticationFilterOptions options_;
  const AuthenticationMetrics& metrics_;
  std::unique_ptr<http::Handler> next_;
  std::vector<std::string> header_names_;     // standard + configured
  std::vector<std::string> header_prefixes_;  // standard + configured
  // The 401 body in both forms (R7.3), built once: a flood of bad credentials must not cost
  // more than good ones.
  const std::string unauthorized_compact_;
  const std::string unauthorized_pretty_;
};

// R7.2 step 5: system:anonymous, or a member of system:unauthenticated.
bool IsAnonymousUser(const UserInfo& user);

// Appends one `Warning` header per value of WarningHeaderValues(warnings) (R7.7).
void AddWarningHeaders(http::ServerResponse& response, const std::vector<std::string>& warnings);

}  // namespace kauth::filters

#endif  // KAUTH_FILTERS_AUTHENTICATION_FILTER_H_
