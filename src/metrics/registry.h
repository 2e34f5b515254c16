// A small Prometheus metrics registry for kauthd: counters, gauges and histograms with labels,
// rendered in the Prometheus text exposition format (version 0.0.4) for /metrics, the way
// Kubernetes' component-base/metrics and Prometheus' Go client write it:
//
//   # HELP <name> [ALPHA] <help>          (stability prefix; "\" and newline escaped)
//   # TYPE <name> counter|gauge|histogram
//   <name>{<label>="<value>",...} <value>  (labels sorted by name; series sorted by label values)
//
// Values are formatted as Go's strconv.FormatFloat(v, 'g', -1, 64) ("1", "0.005", "100000",
// "1e+06", "+Inf"); histogram buckets are cumulative, with le="+Inf", then _sum and _count.
// A metric with labels appears only once a series has been recorded; an unlabelled one is
// always rendered (its value starts at 0). Families are sorted by name.
//
// Metric objects are created once at start-up and live as long as the registry. Recording on a
// series the calling thread has recorded before usually finds it in a per-thread cache, without
// a lock; otherwise a short striped lock covers the lookup. Values are updated with atomics;
// everything is thread-safe from every server thread. Passing a number of label values that
// differs from the metric's label names is a programming error and aborts.
#ifndef KAUTH_METRICS_REGISTRY_H_
#define KAUTH_METRICS_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kauth::metrics {

// Label values in the order of the metric's label names. A span, so that recording
// (`counter.Add({code, method})`, from a braced list, an array or a vector) allocates nothing.
using LabelValues = std::span<const std::string_view>;

// Kubernetes' stability levels appear in HELP text as "[ALPHA] ..." / "[BETA] ..." /
// "[STABLE] ..."; kNone writes the help text alone.
enum class Stability { kAlpha, kBeta, kStable, kNone };

struct SeriesCell;  // one series' storage, opaque outside the registry

class Counter {
 public:
  virtual ~Counter() = default;
  // The storage of the series with `label_values`, created if new; it lives as long as the
  // counter. For BoundCounter.
  virtual SeriesCell& Cell(LabelValues label_values) = 0;
  virtual void Add(SeriesCell& cell, double delta) = 0;
  // `label_values` in the order of the metric's label names. `delta` must be >= 0.
  virtual void Add(LabelValues label_values, double delta = 1) = 0;
  void Add(std::initializer_list<std::string_view> label_values, double delta = 1) {
    Add(LabelValues(label_values.begin(), label_values.size()), delta);
  }
  // 0 for a series never recorded.
  virtual double Value(LabelValues label_values) const = 0;
  double Value(std::initializer_list<std::string_view> label_values) const {
    return Value(LabelValues(label_values.begin(), label_values.size()));
  }
};

class Gauge {
 public:
  virtual ~Gauge() = default;
  virtual void Set(LabelValues label_values, double value) = 0;
  virtual void Add(LabelValues label_values, double delta) = 0;
  virtual double Value(LabelValues label_values) const = 0;
  void Set(std::initializer_list<std::string_view> label_values, double value) {
    Set(LabelValues(label_values.begin(), label_values.size()), value);
  }
  void Add(std::initializer_list<std::string_view> label_values, double delta) {
    Add(LabelValues(label_values.begin(), label_values.size()), delta);
  }
  double Value(std::initializer_list<std::string_view> label_values) const {
    return Value(LabelValues(label_values.begin(), label_values.size()));
  }
};

class Histogram {
 public:
  virtual ~Histogram() = default;
  // As Counter::Cell, for BoundHistogram.
  virtual SeriesCell& Cell(LabelValues label_values) = 0;
  virtual void Observe(SeriesCell& cell, double value) = 0;
  // Counts `value` in the first bucket whose upper bound is >= value (Prometheus' "le").
  virtual void Observe(LabelValues label_values, double value) = 0;
  void Observe(std::initializer_list<std::string_view> label_values, double value) {
    Observe(LabelValues(label_values.begin(), label_values.size()), value);
  }
  // 0 for a series never recorded.
  virtual std::uint64_t Count(LabelValues label_values) const = 0;
  virtual double Sum(LabelValues label_values) const = 0;
  std::uint64_t Count(std::initializer_list<std::string_view> label_values) const {
    return Count(LabelValues(label_values.begin(), label_values.size()));
  }
  double Sum(std::initializer_list<std::string_view> label_values) const {
    return Sum(LabelValues(label_values.begin(), label_values.size()));
  }
};

// A metric's series for label values fixed at construction (a filter's "success"), found on
// its first use and kept: later records skip the label lookup, a hash and compare of every
// label per record. The series is created by the first record, as the Prometheus client
// creates series, so one never recorded is not rendered. Thread-safe; must not outlive the
// metric.
template <typename Metric>
class Bound {
 public:
  Bound(Metric& metric, std::vector<std::string> label_values)
      : metric_(&metric), label_values_(std::move(label_values)) {}
  Bound(const Bound&) = delete;
  Bound& operator=(const Bound&) = delete;

 protected:
  SeriesCell& Cell() const {
    SeriesCell* cell = cell_.load(std::memory_order_acquire);
    if (cell == nullptr) {
      // Threads racing here find the same series.
      const std::vector<std::string_view> views(label_values_.begin(), label_values_.end());
      cell = &metric_->Cell(LabelValues(views.data(), views.size()));
      cell_.store(cell, std::memory_order_release);
    }
    return *cell;
  }
  Metric* metric_;

 private:
  std::vector<std::string> label_values_;
  mutable std::atomic<SeriesCell*> cell_{nullptr};
};

class BoundCounter final : public Bound<Counter> {
 public:
  using Bound::Bound;
  void Add(double delta = 1) const { metric_->Add(Cell(), delta); }
};

class BoundHistogram final : public Bound<Histogram> {
 public:
  using Bound::Bound;
  void Observe(double value) const { metric_->Observe(Cell(), value); }
};

// One series of a metric whose values are read at scrape time (see AddCollected*).
struct CollectedSample {
  std::vector<std::string> label_values;
  double value = 0;
};
// Called on every Render, from the rendering thread: must be thread-safe and quick. The samples
// it returns are the series that exist now (none: the metric is not rendered).
using Collector = std::function<std::vector<CollectedSample>()>;

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
  // `buckets`: the upper bounds, strictly increasing, without +Inf (it is always added).
  Histogram& AddHistogram(std::string name, std::string help, Stability stability,
                          std::vector<std::string> label_names, std::vector<double> buckets);

  // Counters and gauges owned elsewhere (e.g. a cache's own statistics), read through `collect`
  // when rendering. The registry keeps `collect` (and what it captures) until it is destroyed.
  void AddCollectedCounter(std::string name, std::string help, Stability stability,
                           std::vector<std::string> label_names, Collector collect);
  void AddCollectedGauge(std::string name, std::string help, Stability stability,
                         std::vector<std::string> label_names, Collector collect);

  // The text exposition of every metric, sorted by name.
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Go's strconv.FormatFloat(value, 'g', -1, 64) as Prometheus' text format writes sample values
// and bucket bounds: "0", "1", "0.005", "100000", "1e+06", "1.5e-05", "+Inf", "-Inf", "NaN".
std::string FormatValue(double value);

// Bucket helpers with Prometheus' Go client semantics.
// start, start*factor, ... (count bounds); ExponentialBuckets(0.001, 2, 15) is R7.6's.
std::vector<double> ExponentialBuckets(double start, double factor, int count);
// Prometheus' DefBuckets: .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10.
std::vector<double> DefaultBuckets();

}  // namespace kauth::metrics

#endif  // KAUTH_METRICS_REGISTRY_H_
