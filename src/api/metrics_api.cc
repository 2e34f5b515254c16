#include "api/metrics_api.h"

#include <string>
#include <utility>

#include "api/responses.h"

namespace kauth::api {

MetricsApi::MetricsApi(std::shared_ptr<const metrics::Registry> registry)
    : registry_(std::move(registry)) {}

bool MetricsApi::Serves(std::string_view path) const { return path == "/metrics"; }

http::ServerResponse MetricsApi::HandleInline(http::ServerRequest& /*request*/,
                                              http::RequestState& /*state*/) const {
  http::ServerResponse response;
  response.AddHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  response.AddHeader("Cache-Control", std::string(kCacheControl));
  response.body = registry_->Render();
  return response;
}

bool MetricsApi::HandlesInline(const http::ServerRequest& /*request*/) const { return true; }

Awaitable<http::ServerResponse> MetricsApi::Handle(http::ServerRequest& request,
                                                   http::RequestState& state) const {
  co_return HandleInline(request, state);
}

}  // namespace kauth::api
