// MetricsApi: /metrics, the registry in Prometheus' text exposition format (version 0.0.4), for
// any method, as promhttp serves it.
#ifndef KAUTH_API_METRICS_API_H_
#define KAUTH_API_METRICS_API_H_

#include <memory>

#include "api/api.h"
#include "metrics/registry.h"

namespace kauth::api {

class MetricsApi final : public Api {
 public:
  // `registry` must not be null.
  explicit MetricsApi(std::shared_ptr<const metrics::Registry> registry);

  bool Serves(std::string_view path) const override;
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;
  // Answers from memory.
  bool HandlesInline(const http::ServerRequest& request) const override;
  http::ServerResponse HandleInline(http::ServerRequest& request,
                                    http::RequestState& state) const override;

 private:
  std::shared_ptr<const metrics::Registry> registry_;
};

}  // namespace kauth::api

#endif  // KAUTH_API_METRICS_API_H_
