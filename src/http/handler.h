// Handler: one stage of kauthd's handler chain (authentication filter -> authorizer -> built-in
// APIs -> 404), in the way kube-apiserver nests its filters. A handler either answers or passes
// the request to the next one it owns.
//
// Handlers are immutable after construction and called concurrently from every server thread.
#ifndef KAUTH_HTTP_HANDLER_H_
#define KAUTH_HTTP_HANDLER_H_

#include <chrono>
#include <optional>
#include <string>

#include "http/server_request.h"
#include "http/server_response.h"
#include "kauth/auth_context.h"
#include "kauth/authenticator.h"
#include "kauth/user.h"

namespace kauth::http {

// Per-request state that the filters hand to later stages (Kubernetes keeps it in the Go
// context).
struct RequestState {
  // Audiences, warnings and audit annotations collected while authenticating.
  AuthContext auth;
  // The authenticated user; empty before the filter ran, or when authentication is disabled
  // (R7.1).
  std::optional<UserInfo> user;
  // The Audit-Id of this request: the client's Audit-ID header, or a fresh UUID.
  std::string audit_id;
  // When the request's first bytes were at hand (the HTTP/1.1 server sets it, from the reading
  // that starts its header deadline) or else (HTTP/2) when the outermost handler began
  // (RequestMetrics sets it): later stages that time themselves from the request's start reuse
  // it instead of reading the clock again.
  std::chrono::steady_clock::time_point start{};
  // When the handlers finished (RequestMetrics sets it): the HTTP/1.1 server's write deadline
  // counts from it, a few hundred nanoseconds before the write, instead of reading the clock
  // again.
  std::chrono::steady_clock::time_point finished{};
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Never throws for bad input: every request gets a response.
  virtual Awaitable<ServerResponse> Handle(ServerRequest& request, RequestState& state) const = 0;

  // True when this handler answers `request` without suspending, judged from the request's head
  // before any stage runs: the server then calls HandleInline, and an in-memory chain answers
  // /version or a 401 with plain calls instead of a coroutine frame per stage (see the
  // authenticators' CompletesInline). A handler that may wait for a body, an upstream or a
  // webhook says false; that is the default.
  virtual bool HandlesInline(const ServerRequest& /*request*/) const { return false; }
  // The answer Handle would give. Only called after HandlesInline(request) returned true; the
  // default throws std::logic_error.
  virtual ServerResponse HandleInline(ServerRequest& request, RequestState& state) const;
};

}  // namespace kauth::http

#endif  // KAUTH_HTTP_HANDLER_H_
