// Micro-benchmarks of recording on an existing series, the metrics cost every request pays about
// five times (requests_total{code,method,protocol}, duration{code}, authentication attempts and
// duration{result}, authenticated_user_requests{username}).
#include <benchmark/benchmark.h>

#include <string_view>
#include <vector>

#include "metrics/registry.h"

namespace kauth::metrics {
namespace {

// One registry for every benchmark thread, as kauthd's server threads share theirs.
Registry& SharedRegistry() {
  static Registry registry;
  return registry;
}

void BM_CounterAddOneLabel(benchmark::State& state) {
  static Counter& counter =
      SharedRegistry().AddCounter("attempts", "", Stability::kAlpha, {"result"});
  const std::string_view result = "success";
  for (auto _ : state) counter.Add({result});
}
BENCHMARK(BM_CounterAddOneLabel)->ThreadRange(1, 2);

void BM_CounterAddThreeLabels(benchmark::State& state) {
  static Counter& counter = SharedRegistry().AddCounter("requests", "", Stability::kAlpha,
                                                        {"code", "method", "protocol"});
  const std::string_view code = "200", method = "GET", protocol = "HTTP/1.1";
  for (auto _ : state) counter.Add({code, method, protocol});
}
BENCHMARK(BM_CounterAddThreeLabels)->ThreadRange(1, 2);

void BM_HistogramObserveOneLabel(benchmark::State& state) {
  Registry registry;
  Histogram& histogram =
      registry.AddHistogram("h", "", Stability::kAlpha, {"code"}, ExponentialBuckets(0.001, 2, 15));
  const std::string_view code = "200";
  histogram.Observe({code}, 0.003);
  for (auto _ : state) histogram.Observe({code}, 0.003);
  benchmark::DoNotOptimize(histogram.Count({code}));
}
BENCHMARK(BM_HistogramObserveOneLabel);

// authenticated_user_requests{username}: one counter, several series recorded in turn (the
// compressed usernames AuthenticationMetrics writes).
void BM_CounterAddRotatingSeries(benchmark::State& state) {
  Registry registry;
  Counter& counter = registry.AddCounter("c", "", Stability::kAlpha, {"username"});
  const std::vector<std::string_view> users = {
      "admin",    "client", "kube_proxy", "kubelet", "system:serviceaccount:kube-system:default",
      "email_id", "other"};
  for (const std::string_view user : users) counter.Add({user});
  std::size_t i = 0;
  for (auto _ : state) {
    counter.Add({users[i]});
    i = i + 1 == users.size() ? 0 : i + 1;
  }
}
BENCHMARK(BM_CounterAddRotatingSeries);

}  // namespace
}  // namespace kauth::metrics
