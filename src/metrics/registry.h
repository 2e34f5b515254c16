// A small Prometheus metrics registry for kauthd: counters, gauges and histograms with labels,
// rendered in the Prometheus text exposition format (version 0.0.4) for /metrics.
//
// Metric objects are created once at start-up and live as long as the registry; recording is
// lock-free for an existing label set and thread-safe from every server thread.
#ifndef KAUTH_METRICS_REGISTRY_H_
#define KAUTH_METRICS_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kauth::metrics {

// Kubernetes' stability levels appear in HELP text as "[ALPHA] ..." / "[BETA] ...".
enum class Stability { kAlpha, kBeta, kStable, kNone };

class Counter {
 public:
  virtual ~Counter() = default;
  // `label_values` in the order of the metric's label names.
  virtual void Add(const std::vector<std::string_view>& label_values, double delta = 1) = 0;
  virtual double Value(const std::vector<std::string_view>& label_values) const = 0;
};

class Gauge {
 public:
  virtual ~Gauge() = default;
  virtual void Set(const std::vector<std::string_view>& label_values, double value) = 0;
  virtual void Add(const std::vector<std::string_view>& label_values, double delta) = 0;
  virtual double Value(const std::vector<std::string_view>& label_values) const = 0;
};

class Histogram {
 public:
  virtual ~Histogram() = default;
  virtual void Observe(const std::vector<std::string_view>& label_values, double value) = 0;
  virtual std::uint64_t Count(const std::vector<std::string_view>& label_values) const = 0;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Returned references live as long as the registry. Registering a name twice is a
  // programming error and aborts.
  Counter& AddCounter(std::string name, std::string help, Stability stability,
                      std::vector<std::string> label_names);
  Gauge& AddGauge(std::string name, std::string help, Stability stability,
                  std::vector<std::string> label_names);
  Histogram& AddHistogram(std::string name, std::string help, Stability stability,
                          std::vector<std::string> label_names, std::vector<double> buckets);

  // The text exposition of every metric, sorted by name.
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kauth::metrics

#endif  // KAUTH_METRICS_REGISTRY_H_
