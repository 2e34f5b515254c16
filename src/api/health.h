// HealthApi: /healthz, /livez and /readyz as k8s.io/apiserver's healthz package serves them, for
// any method:
//   200 "ok" (text/plain; charset=utf-8) when every check passes;
//   ?verbose: one "[+]<name> ok" line per check, then "<endpoint> check passed";
//   ?exclude=<name> (repeatable): that check is skipped and printed "[+]<name> excluded: ok";
//     names that match no check get a "warn: some health checks cannot be excluded: no matches
//     for ..." line;
//   a failing check: 500 with every line ("[-]<name> failed: reason withheld"), then
//     "<endpoint> check failed"; the reason goes to the log (-v=2) only.
// /<endpoint>/<check> runs one check: 200 "ok", or 500 "internal server error: <reason>".
// A path below an endpoint that names no check is not served (it falls through to 404).
#ifndef KAUTH_API_HEALTH_H_
#define KAUTH_API_HEALTH_H_

#include <memory>

#include "api/api.h"
#include "api/health_checks.h"

namespace kauth::api {

class HealthApi final : public Api {
 public:
  // `checks` must not be null; the caller keeps it to add checks and to flip shutdown.
  explicit HealthApi(std::shared_ptr<const HealthChecks> checks);

  bool Serves(std::string_view path) const override;
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;
  // Answers from memory.
  bool HandlesInline(const http::ServerRequest& request) const override;
  http::ServerResponse HandleInline(http::ServerRequest& request,
                                    http::RequestState& state) const override;

 private:
  std::shared_ptr<const HealthChecks> checks_;
};

}  // namespace kauth::api

#endif  // KAUTH_API_HEALTH_H_
