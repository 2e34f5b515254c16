// RequestMetrics: kauthd's outermost handler. For every request it
//   - assigns the Audit-Id (the client's Audit-ID header or a fresh UUID) and, as
//     kube-apiserver's WithAuditInit and WithCacheControl do, adds `Audit-Id` and
//     `Cache-Control: no-cache, private` to the response unless a handler already set them;
//   - counts it and its latency (from the call to the next handler's answer, not counting the
//     write to the wire) under kauth's own metrics:
//       kauth_http_requests_total{code,method}        counter; method is the HTTP method for
//                                                     the standard ones, "other" otherwise
//       kauth_http_request_duration_seconds{code}     histogram, kRequestDurationBuckets
//   - logs one line at -v=2:
//       "HTTP" verb="GET" path="/healthz" code="200" latency="1.2ms" user="alice"
//       userAgent="curl/8.5.0" auditID="..." srcIP="127.0.0.1:5555"
//     (never the query string: it may carry credentials).
//
// Immutable after construction; Handle is safe to call concurrently. Owns `next`; counts into
// RequestMetricFamilies registered once per registry, which must outlive it.
#ifndef KAUTH_FILTERS_REQUEST_METRICS_H_
#define KAUTH_FILTERS_REQUEST_METRICS_H_

#include <memory>
#include <vector>

#include "http/handler.h"
#include "metrics/registry.h"

namespace kauth::filters {

// 100 µs to 10 s: authentication answers in microseconds, remote backends in up to seconds.
inline const std::vector<double> kRequestDurationBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};

// The two metrics above, registered in a registry. A name registers once per registry, so handler
// chains that share a registry (kauthd's two listeners in proxy mode) share one of these.
struct RequestMetricFamilies {
  explicit RequestMetricFamilies(metrics::Registry& registry);

  metrics::Counter& requests;
  metrics::Histogram& duration;
};

class RequestMetrics final : public http::Handler {
 public:
  // Registers the families in `registry`: the one RequestMetrics of that registry.
  RequestMetrics(metrics::Registry& registry, std::unique_ptr<http::Handler> next);
  // Counts into `families`, shared with other RequestMetrics of the same registry.
  RequestMetrics(const RequestMetricFamilies& families, std::unique_ptr<http::Handler> next);

  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;
  bool HandlesInline(const http::ServerRequest& request) const override;
  http::ServerResponse HandleInline(http::ServerRequest& request,
                                    http::RequestState& state) const override;

 private:
  // Stamps, counts and logs the answer.
  void Finish(const http::ServerRequest& request, http::RequestState& state,
              http::ServerResponse& response) const;

  metrics::Counter& requests_;
  metrics::Histogram& duration_;
  std::unique_ptr<http::Handler> next_;
};

}  // namespace kauth::filters

#endif  // KAUTH_FILTERS_REQUEST_METRICS_H_
