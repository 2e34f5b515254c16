#include "server/handler_call.h"

#include <exception>
#include <optional>
#include <string_view>

#include "log/log.h"
#include "server/uuid.h"

namespace kauth::server {
namespace {

constexpr std::string_view kSource = "handler_call.cc";
// kube-apiserver's answer when a handler panics (WithPanicRecovery, through http.Error).
constexpr std::string_view kPanicBody =
    "This request caused apiserver to panic. Look in the logs for details.\n";

http::ServerResponse PanicResponse(const http::ServerRequest& request,
                                   const http::RequestState& state, std::string_view error) {
  log::Error(kSource, "Handler failed",
             {{"method", request.method()},
              {"URI", request.target()},
              {"auditID", state.audit_id},
              {"err", error}});
  http::ServerResponse failed{.status = 500, .body = std::string(kPanicBody)};
  failed.AddHeader("Content-Type", "text/plain; charset=utf-8");
  failed.AddHeader("X-Content-Type-Options", "nosniff");
  return failed;
}

}  // namespace

std::string AuditIdFor(const http::ServerRequest& request) {
  const std::optional<std::string_view> audit_id = request.Header("Audit-ID");
  return audit_id && !audit_id->empty() ? std::string(*audit_id) : NewUuidV4();
}

Awaitable<http::ServerResponse> CallHandler(const http::Handler& handler,
                                            http::ServerRequest& request,
                                            http::RequestState& state) {
  std::string error;
  try {
    co_return co_await handler.Handle(request, state);
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown exception";
  }
  co_return PanicResponse(request, state, error);
}

http::ServerResponse CallHandlerInline(const http::Handler& handler, http::ServerRequest& request,
                                       http::RequestState& state) {
  try {
    return handler.HandleInline(request, state);
  } catch (const std::exception& e) {
    return PanicResponse(request, state, e.what());
  } catch (...) {
    return PanicResponse(request, state, "unknown exception");
  }
}

}  // namespace kauth::server
