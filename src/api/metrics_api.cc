#include "api/metrics_api.h"

#include <string>
#include <utility>

#include "api/responses.h"

namespace kauth::api {

MetricsApi::MetricsApi(std::shared_ptr<const metrics::Registry> registry)
    : registry_(std::move(registry)) {}

bool MetricsApi::Serves(std::string_view path) const { return path == "/metrics"; }

Awaitable<http::ServerResponse> MetricsApi::Handle(http::ServerRequest& /*request*/,
                                                   http::RequestState& /*state*/) const {
  http::ServerResponse response;
  response.AddHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  response.AddHeader("Cache-Control", std::string(kCacheControl));
  response.body = registry_->Render();
  co_return response;
}

}  // namespace kauth::api
