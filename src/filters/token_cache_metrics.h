// R8.5: the main token cache's metrics, read from TokenCache::stats() each time /metrics is
// rendered (the cache keeps its own counters; nothing is recorded twice):
//
//   authentication_token_cache_request_total{status="hit"|"miss"}             counter
//   authentication_token_cache_fetch_total{status="ok"|"error"}               counter
//   authentication_token_cache_active_fetch_count{status="in_flight"|"blocked"}  gauge
//
// All ALPHA with an empty help text, as Kubernetes registers them. As in Kubernetes, a counter
// series appears once it has counted something and the gauges once the cache has had a miss.
// `authentication_token_cache_request_duration_seconds{status}` is a histogram recorded as
// lookups happen: TokenCacheDurationObserver gives the hook for TokenCacheOptions.
#ifndef KAUTH_FILTERS_TOKEN_CACHE_METRICS_H_
#define KAUTH_FILTERS_TOKEN_CACHE_METRICS_H_

#include <functional>
#include <memory>
#include <string_view>

#include "kauth/token_cache.h"
#include "metrics/registry.h"

namespace kauth::filters {

// Registers the R8.5 metrics for `cache` (the Chain's token_cache; nullptr when the chain has
// none, and then the metrics never have series). Call once per registry; the registry keeps
// `cache` alive.
void RegisterTokenCacheMetrics(metrics::Registry& registry,
                               std::shared_ptr<const TokenCache> cache);

// Registers authentication_token_cache_request_duration_seconds (default Prometheus buckets) and
// returns the observer to set as TokenCacheOptions::observe_request_duration before the chain is
// built. The registry must outlive the cache.
std::function<void(std::string_view status, double seconds)> TokenCacheDurationObserver(
    metrics::Registry& registry);

}  // namespace kauth::filters

#endif  // KAUTH_FILTERS_TOKEN_CACHE_METRICS_H_
