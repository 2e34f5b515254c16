#include "api/api_handler.h"

#include <cassert>
#include <utility>

namespace kauth::api {

ApiHandler::ApiHandler(std::vector<std::unique_ptr<Api>> apis, std::unique_ptr<http::Handler> next)
    : apis_(std::move(apis)), next_(std::move(next)) {
  assert(next_ != nullptr);
}

Awaitable<http::ServerResponse> ApiHandler::Handle(http::ServerRequest& request,
                                                   http::RequestState& state) const {
  for (const std::unique_ptr<Api>& api : apis_) {
    if (api->Serves(request.path())) co_return co_await api->Handle(request, state);
  }
  co_return co_await next_->Handle(request, state);
}

}  // namespace kauth::api
