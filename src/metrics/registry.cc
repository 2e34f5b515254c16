#include "metrics/registry.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "core/strings.h"

namespace kauth::metrics {
namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "kauth::metrics: %s\n", message.c_str());
  std::abort();
}

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void AddDouble(std::atomic<double>& target, double delta) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
  }
}

// Length-prefixed, so that distinct label value lists never share a key. Built into a
// per-thread buffer: a series is looked up on every request, and a fresh string per lookup was
// the larger part of its cost.
const std::string& SeriesKey(LabelValues values) {
  thread_local std::string key;
  key.clear();
  for (std::string_view value : values) {
    std::size_t size = value.size();
    char digits[20];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + size % 10);
      size /= 10;
    } while (size > 0);
    while (n > 0) key.push_back(digits[--n]);
    key.push_back(':');
    key.append(value);
  }
  return key;
}

// A word at a time over the label values, each preceded by its length, so that ("ab", "") and
// ("a", "b") differ. Only picks a slot of the per-thread cache (from its high bits, which every
// input bit reaches); a hit is still verified exactly, so collisions cost a miss, never a mix-up.
std::uint64_t HashLabels(LabelValues values) {
  constexpr std::uint64_t kMultiplier = 0x9e3779b97f4a7c15;
  std::uint64_t hash = 0;
  for (std::string_view value : values) {
    const char* p = value.data();
    std::size_t n = value.size();
    hash = (hash ^ n) * kMultiplier;
    for (; n > 8; p += 8, n -= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      hash = (hash ^ word) * kMultiplier;
    }
    hash = (hash ^ (n == 0 ? 0 : LoadUpTo8(p, n))) * kMultiplier;
  }
  return hash;
}

// Distinguishes tables in the per-thread caches. Never reused (unlike an address), so a slot
// filled for a destroyed table can never match a table created later.
std::atomic<std::uint64_t> next_table_id{1};

// The series of one metric, keyed by label values. Lookups lock one of kStripes mutexes only
// for the map access; the returned data is updated with atomics outside the lock. Series are
// never removed, so returned references stay valid.
//
// GetOrCreate, which every request calls several times, first looks in a small per-thread cache
// of the series this thread has recorded: a hit takes no lock and builds no key. Entries live in
// unordered_map nodes, which never move, and their label values never change after insertion
// (which happened before this thread's locked lookup), so a cached Entry* may be read unlocked.
template <typename Data>
class SeriesTable {
 public:
  struct Snapshot {
    std::vector<std::string> label_values;
    const Data* data;
  };

  SeriesTable() : id_(next_table_id.fetch_add(1, std::memory_order_relaxed)) {}

  template <typename... Args>
  Data& GetOrCreate(LabelValues values, const Args&... args) {
    const std::uint64_t hash = HashLabels(values);
    CacheSlot& slot = cache_[(hash ^ id_ * 0x9e3779b97f4a7c15) >> (64 - kCacheBits)];
    if (slot.table_id == id_ && slot.hash == hash && Matches(slot.entry->label_values, values)) {
      return *slot.entry->data;
    }
    Entry& entry = GetOrCreateLocked(values, args...);
    slot = {id_, hash, &entry};
    return *entry.data;
  }

  const Data* Find(LabelValues values) const {
    const std::string& key = SeriesKey(values);
    const Stripe& stripe = StripeFor(key);
    std::lock_guard lock(stripe.mu);
    const auto it = stripe.entries.find(key);
    return it == stripe.entries.end() ? nullptr : it->second.data.get();
  }

  std::vector<Snapshot> All() const {
    std::vector<Snapshot> all;
    for (const Stripe& stripe : stripes_) {
      std::lock_guard lock(stripe.mu);
      for (const auto& [key, entry] : stripe.entries) {
        all.push_back({entry.label_values, entry.data.get()});
      }
    }
    return all;
  }

 private:
  static constexpr std::size_t kStripes = 16;
  // 2^kCacheBits direct-mapped slots per thread, shared by every table of this Data type: a
  // request records about six series, and a collision only costs the locked lookup.
  static constexpr int kCacheBits = 7;
  struct Entry {
    std::vector<std::string> label_values;
    std::unique_ptr<Data> data;
  };
  struct Stripe {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry> entries;
  };
  // Trivial, so that the thread_local array needs no initialisation guard; table_id 0 is
  // never assigned, so a zeroed slot never matches.
  struct CacheSlot {
    std::uint64_t table_id;
    std::uint64_t hash;
    Entry* entry;
  };

  static bool Matches(const std::vector<std::string>& stored, LabelValues values) {
    if (stored.size() != values.size()) return false;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (stored[i] != values[i]) return false;
    }
    return true;
  }

  // Kept out of line so that the cache hit in GetOrCreate stays a small leaf.
  template <typename... Args>
  [[gnu::noinline]] Entry& GetOrCreateLocked(LabelValues values, const Args&... args) {
    const std::string& key = SeriesKey(values);
    Stripe& stripe = StripeFor(key);
    std::lock_guard lock(stripe.mu);
    auto it = stripe.entries.find(key);
    if (it == stripe.entries.end()) {
      Entry entry{std::vector<std::string>(values.begin(), values.end()),
                  std::make_unique<Data>(args...)};
      it = stripe.entries.emplace(key, std::move(entry)).first;
    }
    return it->second;
  }

  Stripe& StripeFor(const std::string& key) {
    return stripes_[std::hash<std::string>{}(key) % kStripes];
  }
  const Stripe& StripeFor(const std::string& key) const {
    return stripes_[std::hash<std::string>{}(key) % kStripes];
  }

  static thread_local std::array<CacheSlot, std::size_t{1} << kCacheBits> cache_;

  const std::uint64_t id_;
  std::array<Stripe, kStripes> stripes_;
};

template <typename Data>
thread_local std::array<typename SeriesTable<Data>::CacheSlot,
                        std::size_t{1} << SeriesTable<Data>::kCacheBits>
    SeriesTable<Data>::cache_{};

enum class Type { kCounter, kGauge, kHistogram };

// What Render needs of one series, read once per scrape.
struct SeriesValues {
  std::vector<std::string> label_values;
  double value = 0;                    // counter and gauge
  std::vector<std::uint64_t> buckets;  // histogram: cumulative, +Inf last
  double sum = 0;                      // histogram
};

void AppendEscaped(std::string& out, std::string_view text, bool quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

class Family {
 public:
  Family(std::string name, std::string help, Stability stability, Type type,
         std::vector<std::string> label_names)
      : name_(std::move(name)),
        help_(std::move(help)),
        stability_(stability),
        type_(type),
        label_names_(std::move(label_names)),
        label_order_(label_names_.size()) {
    if (!IsValidName(name_, /*allow_colon=*/true)) Die("invalid metric name \"" + name_ + "\"");
    for (const std::string& label : label_names_) {
      if (!IsValidName(label, /*allow_colon=*/false) || label.starts_with("__") ||
          (type_ == Type::kHistogram && label == "le")) {
        Die("invalid label name \"" + label + "\" for " + name_);
      }
    }
    // Prometheus' Go client writes label pairs sorted by name, whatever the declared order.
    std::iota(label_order_.begin(), label_order_.end(), std::size_t{0});
    std::sort(label_order_.begin(), label_order_.end(),
              [&](std::size_t a, std::size_t b) { return label_names_[a] < label_names_[b]; });
  }
  virtual ~Family() = default;

  const std::string& name() const { return name_; }

  void Render(std::string& out) const {
    std::vector<SeriesValues> series = Collect();
    if (series.empty()) return;
    for (const SeriesValues& s : series) CheckLabels(s.label_values.size());
    std::sort(series.begin(), series.end(), [&](const SeriesValues& a, const SeriesValues& b) {
      for (const std::size_t i : label_order_) {
        if (a.label_values[i] != b.label_values[i]) return a.label_values[i] < b.label_values[i];
      }
      return false;
    });
    out += "# HELP ";
    out += name_;
    out.push_back(' ');
    switch (stability_) {
      case Stability::kAlpha:
        out += "[ALPHA] ";
        break;
      case Stability::kBeta:
        out += "[BETA] ";
        break;
      case Stability::kStable:
        out += "[STABLE] ";
        break;
      case Stability::kNone:
        break;
    }
    AppendEscaped(out, help_, /*quote=*/false);
    out += "\n# TYPE ";
    out += name_;
    out += type_ == Type::kCounter ? " counter\n"
           : type_ == Type::kGauge ? " gauge\n"
                                   : " histogram\n";
    for (const SeriesValues& s : series) {
      if (type_ != Type::kHistogram) {
        AppendSample(out, "", s.label_values, nullptr, s.value);
        continue;
      }
      const std::vector<double>& bounds = histogram_bounds();
      for (std::size_t i = 0; i < s.buckets.size(); ++i) {
        const std::string le = i < bounds.size() ? FormatValue(bounds[i]) : std::string("+Inf");
        AppendSample(out, "_bucket", s.label_values, &le, static_cast<double>(s.buckets[i]));
      }
      AppendSample(out, "_sum", s.label_values, nullptr, s.sum);
      AppendSample(out, "_count", s.label_values, nullptr,
                   static_cast<double>(s.buckets.empty() ? 0 : s.buckets.back()));
    }
  }

 protected:
  void CheckLabels(std::size_t count) const {
    if (count != label_names_.size()) {
      Die("metric " + name_ + " has " + std::to_string(label_names_.size()) + " labels, got " +
          std::to_string(count) + " values");
    }
  }
  bool unlabelled() const { return label_names_.empty(); }

  virtual std::vector<SeriesValues> Collect() const = 0;
  virtual const std::vector<double>& histogram_bounds() const {
    static const std::vector<double> kNone;
    return kNone;
  }

 private:
  void AppendSample(std::string& out, std::string_view suffix,
                    const std::vector<std::string>& label_values, const std::string* le,
                    double value) const {
    out += name_;
    out += suffix;
    if (!label_order_.empty() || le != nullptr) {
      char separator = '{';
      for (const std::size_t i : label_order_) {
        out.push_back(separator);
        out += label_names_[i];
        out += "=\"";
        AppendEscaped(out, label_values[i], /*quote=*/true);
        out.push_back('"');
        separator = ',';
      }
      if (le != nullptr) {
        out.push_back(separator);
        out += "le=\"";
        out += *le;
        out.push_back('"');
      }
      out.push_back('}');
    }
    out.push_back(' ');
    out += FormatValue(value);
    out.push_back('\n');
  }

  std::string name_;
  std::string help_;
  Stability stability_;
  Type type_;
  std::vector<std::string> label_names_;
  std::vector<std::size_t> label_order_;
};

}  // namespace

// A series' storage is a SeriesCell to the bound handles (registry.h), which hand it back to
// the metric that made it.
struct SeriesCell {};

namespace {

struct Scalar : SeriesCell {
  std::atomic<double> value{0};
};

class ScalarFamily : public Family {
 public:
  ScalarFamily(std::string name, std::string help, Stability stability, Type type,
               std::vector<std::string> label_names)
      : Family(std::move(name), std::move(help), stability, type, std::move(label_names)) {
    if (unlabelled()) series_.GetOrCreate({});
  }

 protected:
  Scalar& Get(LabelValues label_values) {
    CheckLabels(label_values.size());
    return series_.GetOrCreate(label_values);
  }
  double Read(LabelValues label_values) const {
    CheckLabels(label_values.size());
    const Scalar* scalar = series_.Find(label_values);
    return scalar == nullptr ? 0 : scalar->value.load(std::memory_order_relaxed);
  }
  std::vector<SeriesValues> Collect() const override {
    std::vector<SeriesValues> out;
    for (auto& snapshot : series_.All()) {
      out.push_back({std::move(snapshot.label_values),
                     snapshot.data->value.load(std::memory_order_relaxed),
                     {},
                     0});
    }
    return out;
  }

 private:
  SeriesTable<Scalar> series_;
};

class CounterImpl final : public Counter, public ScalarFamily {
 public:
  using ScalarFamily::ScalarFamily;
  void Add(LabelValues label_values, double delta) override {
    AddDouble(Get(label_values).value, delta);
  }
  SeriesCell& Cell(LabelValues label_values) override { return Get(label_values); }
  void Add(SeriesCell& cell, double delta) override {
    AddDouble(static_cast<Scalar&>(cell).value, delta);
  }
  double Value(LabelValues label_values) const override { return Read(label_values); }
};

class GaugeImpl final : public Gauge, public ScalarFamily {
 public:
  using ScalarFamily::ScalarFamily;
  void Set(LabelValues label_values, double value) override {
    Get(label_values).value.store(value, std::memory_order_relaxed);
  }
  void Add(LabelValues label_values, double delta) override {
    AddDouble(Get(label_values).value, delta);
  }
  double Value(LabelValues label_values) const override { return Read(label_values); }
};

struct HistogramData : SeriesCell {
  explicit HistogramData(std::size_t bucket_count)
      : size(bucket_count + 1), counts(new std::atomic<std::uint64_t>[bucket_count + 1]) {
    for (std::size_t i = 0; i < size; ++i) counts[i].store(0, std::memory_order_relaxed);
  }
  std::size_t size;                                      // bounds + the +Inf bucket
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts;  // per bucket, not cumulative
  std::atomic<double> sum{0};
};

class HistogramImpl final : public Histogram, public Family {
 public:
  HistogramImpl(std::string name, std::string help, Stability stability,
                std::vector<std::string> label_names, std::vector<double> bounds)
      : Family(std::move(name), std::move(help), stability, Type::kHistogram,
               std::move(label_names)),
        bounds_(std::move(bounds)) {
    // Prometheus drops an explicit +Inf bound: the +Inf bucket is always there.
    if (!bounds_.empty() && std::isinf(bounds_.back()) && bounds_.back() > 0) bounds_.pop_back();
    for (std::size_t i = 1; i < bounds_.size(); ++i) {
      if (!(bounds_[i - 1] < bounds_[i])) Die("histogram buckets must be strictly increasing");
    }
    if (unlabelled()) series_.GetOrCreate({}, bounds_.size());
  }

  void Observe(LabelValues label_values, double value) override {
    CheckLabels(label_values.size());
    Record(series_.GetOrCreate(label_values, bounds_.size()), value);
  }
  SeriesCell& Cell(LabelValues label_values) override {
    CheckLabels(label_values.size());
    return series_.GetOrCreate(label_values, bounds_.size());
  }
  void Observe(SeriesCell& cell, double value) override {
    Record(static_cast<HistogramData&>(cell), value);
  }

  std::uint64_t Count(LabelValues label_values) const override {
    CheckLabels(label_values.size());
    const HistogramData* data = series_.Find(label_values);
    if (data == nullptr) return 0;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < data->size; ++i) {
      total += data->counts[i].load(std::memory_order_relaxed);
    }
    return total;
  }

  double Sum(LabelValues label_values) const override {
    CheckLabels(label_values.size());
    const HistogramData* data = series_.Find(label_values);
    return data == nullptr ? 0 : data->sum.load(std::memory_order_relaxed);
  }

 protected:
  std::vector<SeriesValues> Collect() const override {
    std::vector<SeriesValues> out;
    for (auto& snapshot : series_.All()) {
      SeriesValues values;
      values.label_values = std::move(snapshot.label_values);
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < snapshot.data->size; ++i) {
        cumulative += snapshot.data->counts[i].load(std::memory_order_relaxed);
        values.buckets.push_back(cumulative);
      }
      values.sum = snapshot.data->sum.load(std::memory_order_relaxed);
      out.push_back(std::move(values));
    }
    return out;
  }
  const std::vector<double>& histogram_bounds() const override { return bounds_; }

 private:
  void Record(HistogramData& data, double value) {
    // The first bound >= value; NaN compares false with every bound and lands in +Inf, as
    // sort.SearchFloat64s places it.
    const std::size_t bucket =
        std::isnan(value)
            ? bounds_.size()
            : static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                       bounds_.begin());
    data.counts[bucket].fetch_add(1, std::memory_order_relaxed);
    AddDouble(data.sum, value);
  }

  std::vector<double> bounds_;
  SeriesTable<HistogramData> series_;
};

class CollectedFamily final : public Family {
 public:
  CollectedFamily(std::string name, std::string help, Stability stability, Type type,
                  std::vector<std::string> label_names, Collector collect)
      : Family(std::move(name), std::move(help), stability, type, std::move(label_names)),
        collect_(std::move(collect)) {}

 protected:
  std::vector<SeriesValues> Collect() const override {
    std::vector<SeriesValues> out;
    for (CollectedSample& sample : collect_()) {
      out.push_back({std::move(sample.label_values), sample.value, {}, 0});
    }
    return out;
  }

 private:
  Collector collect_;
};

}  // namespace

struct Registry::Impl {
  mutable std::mutex mu;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families;  // sorted by name

  template <typename T>
  T& Insert(std::unique_ptr<T> family) {
    T& ref = *family;
    std::lock_guard lock(mu);
    const std::string name = family->name();
    if (!families.emplace(name, std::move(family)).second) {
      Die("metric " + name + " registered twice");
    }
    return ref;
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Counter& Registry::AddCounter(std::string name, std::string help, Stability stability,
                              std::vector<std::string> label_names) {
  return impl_->Insert(std::make_unique<CounterImpl>(std::move(name), std::move(help), stability,
                                                     Type::kCounter, std::move(label_names)));
}

Gauge& Registry::AddGauge(std::string name, std::string help, Stability stability,
                          std::vector<std::string> label_names) {
  return impl_->Insert(std::make_unique<GaugeImpl>(std::move(name), std::move(help), stability,
                                                   Type::kGauge, std::move(label_names)));
}

Histogram& Registry::AddHistogram(std::string name, std::string help, Stability stability,
                                  std::vector<std::string> label_names,
                                  std::vector<double> buckets) {
  return impl_->Insert(std::make_unique<HistogramImpl>(std::move(name), std::move(help), stability,
                                                       std::move(label_names), std::move(buckets)));
}

void Registry::AddCollectedCounter(std::string name, std::string help, Stability stability,
                                   std::vector<std::string> label_names, Collector collect) {
  impl_->Insert(std::make_unique<CollectedFamily>(std::move(name), std::move(help), stability,
                                                  Type::kCounter, std::move(label_names),
                                                  std::move(collect)));
}

void Registry::AddCollectedGauge(std::string name, std::string help, Stability stability,
                                 std::vector<std::string> label_names, Collector collect) {
  impl_->Insert(std::make_unique<CollectedFamily>(std::move(name), std::move(help), stability,
                                                  Type::kGauge, std::move(label_names),
                                                  std::move(collect)));
}

std::string Registry::Render() const {
  std::string out;
  std::lock_guard lock(impl_->mu);
  for (const auto& [name, family] : impl_->families) family->Render(out);
  return out;
}

std::string FormatValue(double value) {
  // Prometheus' writeFloat shortcuts, then strconv's shortest 'g' form.
  if (value == 1) return "1";
  if (value == 0) return "0";
  if (value == -1) return "-1";
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";

  // The shortest round-trip digits and decimal exponent, from "d.ddde±XX".
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  const std::size_t e = text.find('e');
  std::string_view mantissa = text.substr(0, e);
  int exponent = 0;
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(),
                  exponent);
  std::string out;
  if (!mantissa.empty() && mantissa.front() == '-') {
    out.push_back('-');
    mantissa.remove_prefix(1);
  }
  std::string digits;
  for (const char c : mantissa) {
    if (c != '.') digits.push_back(c);
  }

  // Go: %e when the exponent is < -4 or >= 6 (the "shortest" precision rule), %f otherwise.
  if (exponent < -4 || exponent >= 6) {
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out.push_back('0');
    out += std::to_string(magnitude);
    return out;
  }
  const int point = exponent + 1;  // digits before the decimal point
  const int count = static_cast<int>(digits.size());
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-point), '0');
    out += digits;
  } else if (point >= count) {
    out += digits;
    out.append(static_cast<std::size_t>(point - count), '0');
  } else {
    out.append(digits, 0, static_cast<std::size_t>(point));
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(point));
  }
  return out;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> buckets;
  for (int i = 0; i < count; ++i) {
    buckets.push_back(start);
    start *= factor;
  }
  return buckets;
}

std::vector<double> DefaultBuckets() { return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}; }

}  // namespace kauth::metrics
