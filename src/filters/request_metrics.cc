#include "filters/request_metrics.h"

#include <chrono>
#include <string>
#include <utility>

#include "core/go_format.h"
#include "core/strings.h"
#include "filters/audit_id.h"
#include "log/log.h"

namespace kauth::filters {
namespace {

// The method label is bounded: a client can send any token as a method.
std::string_view MethodLabel(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",    "POST",    "PUT",  "PATCH",
                                                "DELETE", "OPTIONS", "CONNECT", "TRACE"};
  for (const std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

bool HasHeader(const http::ServerResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (EqualsIgnoreCase(key, name)) return true;
  }
  return false;
}

}  // namespace

RequestMetricFamilies::RequestMetricFamilies(metrics::Registry& registry)
    : requests(registry.AddCounter("kauth_http_requests_total",
                                   "Counter of HTTP requests kauthd answered, by status code, "
                                   "method and protocol.",
                                   metrics::Stability::kAlpha, {"code", "method", "protocol"})),
      duration(registry.AddHistogram(
          "kauth_http_request_duration_seconds",
          "Time kauthd's handlers took to answer an HTTP request, in seconds, by status code.",
          metrics::Stability::kAlpha, {"code"}, kRequestDurationBuckets)) {}

RequestMetrics::RequestMetrics(metrics::Registry& registry, std::unique_ptr<http::Handler> next)
    : RequestMetrics(RequestMetricFamilies(registry), std::move(next)) {}

RequestMetrics::RequestMetrics(const RequestMetricFamilies& families,
                               std::unique_ptr<http::Handler> next)
    : requests_(families.requests), duration_(families.duration), next_(std::move(next)) {}

bool RequestMetrics::HandlesInline(const http::ServerRequest& request) const {
  return next_->HandlesInline(request);
}

http::ServerResponse RequestMetrics::HandleInline(http::ServerRequest& request,
                                                  http::RequestState& state) const {
  if (state.start == std::chrono::steady_clock::time_point{}) {
    state.start = std::chrono::steady_clock::now();
  }
  EnsureAuditId(request, state);
  http::ServerResponse response = next_->HandleInline(request, state);
  Finish(request, state, response);
  return response;
}

Awaitable<http::ServerResponse> RequestMetrics::Handle(http::ServerRequest& request,
                                                       http::RequestState& state) const {
  if (state.start == std::chrono::steady_clock::time_point{}) {
    state.start = std::chrono::steady_clock::now();
  }
  EnsureAuditId(request, state);
  http::ServerResponse response = co_await next_->Handle(request, state);
  Finish(request, state, response);
  co_return response;
}

void RequestMetrics::Finish(const http::ServerRequest& request, http::RequestState& state,
                            http::ServerResponse& response) const {
  if (!HasHeader(response, "Audit-Id")) response.AddHeader("Audit-Id", state.audit_id);
  if (!HasHeader(response, "Cache-Control")) {
    response.AddHeader("Cache-Control", "no-cache, private");
  }

  state.finished = std::chrono::steady_clock::now();
  const auto elapsed = state.finished - state.start;
  const std::string code = std::to_string(response.status);
  // The ALPN names: which protocol clients such as kubectl actually negotiated.
  const std::string_view protocol =
      request.protocol() == http::Protocol::kHttp2 ? "h2" : "http/1.1";
  requests_.Add({code, MethodLabel(request.method()), protocol});
  duration_.Observe({code}, std::chrono::duration<double>(elapsed).count());
  if (log::V(2)) {
    log::Info(
        "request_metrics.cc", "HTTP",
        {{"verb", request.method()},
         {"path", request.path()},
         {"code", code},
         {"latency", GoDuration(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed))},
         {"user", state.user ? std::string_view(state.user->name) : std::string_view()},
         {"userAgent", request.Header("User-Agent").value_or("")},
         {"auditID", state.audit_id},
         {"srcIP", request.remote_address()}});
  }
}

}  // namespace kauth::filters
