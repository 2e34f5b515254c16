#include "filters/token_cache_metrics.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kauth::filters {
namespace {

using metrics::CollectedSample;

void AddIfCounted(std::vector<CollectedSample>& samples, const char* status, std::uint64_t n) {
  if (n > 0) samples.push_back({{status}, static_cast<double>(n)});
}

}  // namespace

void RegisterTokenCacheMetrics(metrics::Registry& registry,
                               std::shared_ptr<const TokenCache> cache) {
  registry.AddCollectedCounter("authentication_token_cache_request_total", "",
                               metrics::Stability::kAlpha, {"status"}, [cache] {
                                 std::vector<CollectedSample> samples;
                                 if (!cache) return samples;
                                 const TokenCacheStats stats = cache->stats();
                                 AddIfCounted(samples, "hit", stats.hits);
                                 AddIfCounted(samples, "miss", stats.misses);
                                 return samples;
                               });
  registry.AddCollectedCounter("authentication_token_cache_fetch_total", "",
                               metrics::Stability::kAlpha, {"status"}, [cache] {
                                 std::vector<CollectedSample> samples;
                                 if (!cache) return samples;
                                 const TokenCacheStats stats = cache->stats();
                                 AddIfCounted(samples, "ok", stats.fetches_ok);
                                 AddIfCounted(samples, "error", stats.fetches_error);
                                 return samples;
                               });
  registry.AddCollectedGauge(
      "authentication_token_cache_active_fetch_count", "", metrics::Stability::kAlpha, {"status"},
      [cache] {
        std::vector<CollectedSample> samples;
        if (!cache) return samples;
        const TokenCacheStats stats = cache->stats();
        // Kubernetes touches both gauges on every miss, so they exist from the first miss on.
        if (stats.misses == 0) return samples;
        samples.push_back({{"blocked"}, static_cast<double>(stats.blocked)});
        samples.push_back({{"in_flight"}, static_cast<double>(stats.in_flight)});
        return samples;
      });
}

std::function<void(std::string_view status, double seconds)> TokenCacheDurationObserver(
    metrics::Registry& registry) {
  metrics::Histogram& histogram =
      registry.AddHistogram("authentication_token_cache_request_duration_seconds", "",
                            metrics::Stability::kAlpha, {"status"}, metrics::DefaultBuckets());
  // Every cached lookup records one: "hit" and "miss" are bound once.
  auto hit = std::make_shared<const metrics::BoundHistogram>(histogram,
                                                             std::vector<std::string>{"hit"});
  auto miss = std::make_shared<const metrics::BoundHistogram>(histogram,
                                                              std::vector<std::string>{"miss"});
  return [&histogram, hit, miss](std::string_view status, double seconds) {
    if (status == "hit") {
      hit->Observe(seconds);
    } else if (status == "miss") {
      miss->Observe(seconds);
    } else {
      histogram.Observe({status}, seconds);
    }
  };
}

}  // namespace kauth::filters
