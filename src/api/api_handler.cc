#include "api/api_handler.h"

#include <cassert>
#include <utility>

namespace kauth::api {

ApiHandler::ApiHandler(std::vector<std::unique_ptr<Api>> apis, std::unique_ptr<http::Handler> next)
    : apis_(std::move(apis)), next_(std::move(next)) {
  assert(next_ != nullptr);
}

const http::Handler& ApiHandler::Route(const http::ServerRequest& request) const {
  for (const std::unique_ptr<Api>& api : apis_) {
    if (api->Serves(request.path())) return *api;
  }
  return *next_;
}

Awaitable<http::ServerResponse> ApiHandler::Handle(http::ServerRequest& request,
                                                   http::RequestState& state) const {
  co_return co_await Route(request).Handle(request, state);
}

bool ApiHandler::HandlesInline(const http::ServerRequest& request) const {
  return Route(request).HandlesInline(request);
}

http::ServerResponse ApiHandler::HandleInline(http::ServerRequest& request,
                                              http::RequestState& state) const {
  return Route(request).HandleInline(request, state);
}

}  // namespace kauth::api
