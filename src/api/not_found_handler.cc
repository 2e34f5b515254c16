#include "api/not_found_handler.h"

#include "http/status.h"

namespace kauth::api {

Awaitable<http::ServerResponse> NotFoundHandler::Handle(http::ServerRequest& request,
                                                        http::RequestState& /*state*/) const {
  co_return http::StatusResponse(request, http::NotFoundStatus());
}

}  // namespace kauth::api
