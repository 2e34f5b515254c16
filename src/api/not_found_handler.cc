#include "api/not_found_handler.h"

#include "http/status.h"

namespace kauth::api {

http::ServerResponse NotFoundHandler::HandleInline(http::ServerRequest& request,
                                                   http::RequestState& /*state*/) const {
  return http::StatusResponse(request, http::NotFoundStatus());
}

bool NotFoundHandler::HandlesInline(const http::ServerRequest& /*request*/) const { return true; }

Awaitable<http::ServerResponse> NotFoundHandler::Handle(http::ServerRequest& request,
                                                        http::RequestState& state) const {
  co_return HandleInline(request, state);
}

}  // namespace kauth::api
