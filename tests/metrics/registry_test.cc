#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kauth::metrics {
namespace {

// Prometheus' writeFloat: strconv.FormatFloat(v, 'g', -1, 64) with %e from exponent 6 / -5.
TEST(FormatValueTest, MatchesGoShortestG) {
  const std::pair<double, const char*> cases[] = {
      {0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-1, "-1"},
      {2, "2"},
      {0.5, "0.5"},
      {-0.25, "-0.25"},
      {0.005, "0.005"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {0.000015, "1.5e-05"},
      {16.384, "16.384"},
      {100000, "100000"},
      {123456.5, "123456.5"},
      {999999, "999999"},
      {1e6, "1e+06"},
      {1234567, "1.234567e+06"},
      {2592000, "2.592e+06"},
      {31104000, "3.1104e+07"},
      {1e21, "1e+21"},
      {1e100, "1e+100"},
      {0.1 + 0.2, "0.30000000000000004"},
      {5e-324, "5e-324"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::nan(""), "NaN"},
  };
  for (const auto& [value, want] : cases) EXPECT_EQ(FormatValue(value), want) << want;
}

TEST(BucketsTest, ExponentialAndDefault) {
  EXPECT_EQ(ExponentialBuckets(0.001, 2, 3), (std::vector<double>{0.001, 0.002, 0.004}));
  EXPECT_EQ(ExponentialBuckets(0.001, 2, 15).back(), 16.384);
  EXPECT_EQ(DefaultBuckets().size(), 11u);
}

TEST(RegistryTest, CountersRenderSortedLabelsAndSeries) {
  Registry registry;
  // Declared as (method, code): rendered sorted by label name, series sorted by those values.
  Counter& requests = registry.AddCounter("kauth_http_requests_total", "Requests by code.",
                                          Stability::kAlpha, {"method", "code"});
  requests.Add({"POST", "201"});
  requests.Add({"GET", "200"}, 2);
  requests.Add({"GET", "404"});
  requests.Add({"GET", "200"});
  Counter& unlabelled = registry.AddCounter("a_total", "Unlabelled.", Stability::kNone, {});
  (void)unlabelled;
  registry.AddCounter("b_unused", "Labelled, never recorded.", Stability::kAlpha, {"x"});

  EXPECT_EQ(requests.Value({"GET", "200"}), 3);
  EXPECT_EQ(requests.Value({"PUT", "200"}), 0);
  EXPECT_EQ(registry.Render(),
            "# HELP a_total Unlabelled.\n"
            "# TYPE a_total counter\n"
            "a_total 0\n"
            "# HELP kauth_http_requests_total [ALPHA] Requests by code.\n"
            "# TYPE kauth_http_requests_total counter\n"
            "kauth_http_requests_total{code=\"200\",method=\"GET\"} 3\n"
            "kauth_http_requests_total{code=\"201\",method=\"POST\"} 1\n"
            "kauth_http_requests_total{code=\"404\",method=\"GET\"} 1\n");
}

TEST(RegistryTest, HistogramIsCumulativeWithInfSumAndCount) {
  Registry registry;
  Histogram& expiry =
      registry.AddHistogram("apiserver_client_certificate_expiration_seconds",
                            "Remaining lifetime.", Stability::kAlpha, {}, {0, 1800, 3600, 2592000});
  for (const double v : {-5.0, 0.0, 100.0, 1800.0, 1e9}) expiry.Observe({}, v);
  EXPECT_EQ(expiry.Count({}), 5u);
  EXPECT_EQ(expiry.Sum({}), 1000001895);
  EXPECT_EQ(registry.Render(),
            "# HELP apiserver_client_certificate_expiration_seconds [ALPHA] Remaining lifetime.\n"
            "# TYPE apiserver_client_certificate_expiration_seconds histogram\n"
            "apiserver_client_certificate_expiration_seconds_bucket{le=\"0\"} 2\n"
            "apiserver_client_certificate_expiration_seconds_bucket{le=\"1800\"} 4\n"
            "apiserver_client_certificate_expiration_seconds_bucket{le=\"3600\"} 4\n"
            "apiserver_client_certificate_expiration_seconds_bucket{le=\"2.592e+06\"} 4\n"
            "apiserver_client_certificate_expiration_seconds_bucket{le=\"+Inf\"} 5\n"
            "apiserver_client_certificate_expiration_seconds_sum 1.000001895e+09\n"
            "apiserver_client_certificate_expiration_seconds_count 5\n");
}

TEST(RegistryTest, LabelledHistogramPutsLeLastAndStartsEmpty) {
  Registry registry;
  Histogram& duration =
      registry.AddHistogram("authentication_duration_seconds", "Duration.", Stability::kAlpha,
                            {"result"}, ExponentialBuckets(0.001, 2, 3));
  EXPECT_EQ(registry.Render(), "");
  duration.Observe({"success"}, 0.0015);
  duration.Observe({"error"}, 0.5);
  duration.Observe({"success"}, std::nan(""));
  EXPECT_EQ(registry.Render(),
            "# HELP authentication_duration_seconds [ALPHA] Duration.\n"
            "# TYPE authentication_duration_seconds histogram\n"
            "authentication_duration_seconds_bucket{result=\"error\",le=\"0.001\"} 0\n"
            "authentication_duration_seconds_bucket{result=\"error\",le=\"0.002\"} 0\n"
            "authentication_duration_seconds_bucket{result=\"error\",le=\"0.004\"} 0\n"
            "authentication_duration_seconds_bucket{result=\"error\",le=\"+Inf\"} 1\n"
            "authentication_duration_seconds_sum{result=\"error\"} 0.5\n"
            "authentication_duration_seconds_count{result=\"error\"} 1\n"
            "authentication_duration_seconds_bucket{result=\"success\",le=\"0.001\"} 0\n"
            "authentication_duration_seconds_bucket{result=\"success\",le=\"0.002\"} 1\n"
            "authentication_duration_seconds_bucket{result=\"success\",le=\"0.004\"} 1\n"
            "authentication_duration_seconds_bucket{result=\"success\",le=\"+Inf\"} 2\n"
            "authentication_duration_seconds_sum{result=\"success\"} NaN\n"
            "authentication_duration_seconds_count{result=\"success\"} 2\n");
}

TEST(RegistryTest, GaugesSetAndAdd) {
  Registry registry;
  Gauge& gauge = registry.AddGauge("g", "", Stability::kBeta, {"status"});
  gauge.Set({"in_flight"}, 3);
  gauge.Add({"in_flight"}, -1);
  gauge.Add({"blocked"}, -0.5);
  EXPECT_EQ(gauge.Value({"in_flight"}), 2);
  EXPECT_EQ(registry.Render(),
            "# HELP g [BETA] \n"
            "# TYPE g gauge\n"
            "g{status=\"blocked\"} -0.5\n"
            "g{status=\"in_flight\"} 2\n");
}

TEST(RegistryTest, HelpAndLabelValuesAreEscaped) {
  Registry registry;
  Counter& counter =
      registry.AddCounter("c", "back\\slash\nnew \"quoted\"", Stability::kStable, {"v"});
  counter.Add({"a\"b\\c\nd"});
  EXPECT_EQ(registry.Render(),
            "# HELP c [STABLE] back\\\\slash\\nnew \"quoted\"\n"
            "# TYPE c counter\n"
            "c{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(RegistryTest, CollectedMetricsAreReadAtScrapeTime) {
  Registry registry;
  double hits = 0;
  registry.AddCollectedCounter("cache_total", "", Stability::kAlpha, {"status"}, [&] {
    std::vector<CollectedSample> samples;
    if (hits > 0) samples.push_back({{"hit"}, hits});
    samples.push_back({{"miss"}, 1e6});
    return samples;
  });
  registry.AddCollectedGauge("active", "", Stability::kAlpha, {},
                             [] { return std::vector<CollectedSample>{}; });
  EXPECT_EQ(registry.Render(),
            "# HELP cache_total [ALPHA] \n"
            "# TYPE cache_total counter\n"
            "cache_total{status=\"miss\"} 1e+06\n");
  hits = 2;
  EXPECT_EQ(registry.Render(),
            "# HELP cache_total [ALPHA] \n"
            "# TYPE cache_total counter\n"
            "cache_total{status=\"hit\"} 2\n"
            "cache_total{status=\"miss\"} 1e+06\n");
}

TEST(RegistryTest, ConcurrentRecordingLosesNothing) {
  Registry registry;
  Counter& counter = registry.AddCounter("c", "", Stability::kNone, {"k"});
  Histogram& histogram = registry.AddHistogram("h", "", Stability::kNone, {"k"}, {1});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = t % 2 == 0 ? "even" : "odd";
      for (int i = 0; i < kPerThread; ++i) {
        counter.Add({key});
        histogram.Observe({key}, 0.5);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.Value({"even"}), kThreads / 2 * kPerThread);
  EXPECT_EQ(counter.Value({"odd"}), kThreads / 2 * kPerThread);
  EXPECT_EQ(histogram.Count({"odd"}), static_cast<std::uint64_t>(kThreads / 2 * kPerThread));
  EXPECT_EQ(histogram.Sum({"even"}), kThreads / 2 * kPerThread * 0.5);
}

// Recording goes through a per-thread cache of series; these pin down that it never hands one
// metric's series to another.
TEST(RegistryTest, RegistriesAliveTogetherKeepTheirOwnSeries) {
  Registry first;
  Registry second;
  Counter& a = first.AddCounter("requests", "", Stability::kNone, {"code"});
  Counter& b = second.AddCounter("requests", "", Stability::kNone, {"code"});
  Histogram& h = second.AddHistogram("duration", "", Stability::kNone, {"code"}, {1});
  for (int i = 0; i < 3; ++i) {
    a.Add({"200"});
    b.Add({"200"}, 10);
    h.Observe({"200"}, 0.5);
  }
  EXPECT_EQ(a.Value({"200"}), 3);
  EXPECT_EQ(b.Value({"200"}), 30);
  EXPECT_EQ(h.Count({"200"}), 3u);
}

TEST(RegistryTest, NewRegistryNeverSeesADestroyedOnesSeries) {
  // Each new registry's metric usually lands at the destroyed one's address, with the same
  // label values: recording must reach the new series.
  for (int i = 0; i < 50; ++i) {
    Registry registry;
    Counter& counter = registry.AddCounter("c", "", Stability::kNone, {"k"});
    counter.Add({"v"});
    ASSERT_EQ(counter.Value({"v"}), 1) << "iteration " << i;
  }
}

TEST(RegistryTest, ManySeriesAndAmbiguousConcatenationsStayApart) {
  Registry registry;
  Counter& counter = registry.AddCounter("c", "", Stability::kNone, {"a", "b"});
  // More series than the per-thread cache has slots, so they collide and evict each other.
  std::vector<std::string> values;
  for (int i = 0; i < 1000; ++i) values.push_back("value-" + std::to_string(i));
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      counter.Add({values[i], ""}, static_cast<double>(i));
    }
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(counter.Value({values[i], ""}), 2.0 * static_cast<double>(i)) << values[i];
  }
  counter.Add({"ab", ""});
  counter.Add({"a", "b"}, 2);
  counter.Add({"", "ab"}, 4);
  counter.Add({"ab", ""});
  EXPECT_EQ(counter.Value({"ab", ""}), 2);
  EXPECT_EQ(counter.Value({"a", "b"}), 2);
  EXPECT_EQ(counter.Value({"", "ab"}), 4);
}

TEST(RegistryDeathTest, ProgrammingErrorsAbort) {
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddCounter("x", "", Stability::kNone, {});
        registry.AddGauge("x", "", Stability::kNone, {});
      },
      "metric x registered twice");
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddCounter("x", "", Stability::kNone, {"a", "b"}).Add({"only-one"});
      },
      "metric x has 2 labels, got 1 values");
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddHistogram("h", "", Stability::kNone, {"le"}, {1});
      },
      "invalid label name \"le\" for h");
}

// A bound series is the labelled series: it appears only once recorded, and records through
// the handle and through the label values add up in one series.
TEST(RegistryTest, BoundSeriesAreTheLabelledSeriesCreatedOnFirstUse) {
  Registry registry;
  Counter& counter = registry.AddCounter("c_total", "c.", Stability::kAlpha, {"result"});
  Histogram& histogram =
      registry.AddHistogram("h_seconds", "h.", Stability::kAlpha, {"result"}, {1, 2});
  const BoundCounter bound_counter(counter, {"success"});
  const BoundHistogram bound_histogram(histogram, {"success"});
  EXPECT_EQ(registry.Render().find("success"), std::string::npos) << registry.Render();
  bound_counter.Add();
  bound_counter.Add(2);
  counter.Add({"success"});
  bound_histogram.Observe(1.5);
  histogram.Observe({"success"}, 0.5);
  EXPECT_EQ(counter.Value({"success"}), 4);
  EXPECT_EQ(histogram.Count({"success"}), 2u);
  EXPECT_EQ(histogram.Sum({"success"}), 2.0);
  EXPECT_NE(registry.Render().find("h_seconds_bucket{result=\"success\",le=\"1\"} 1\n"
                                   "h_seconds_bucket{result=\"success\",le=\"2\"} 2\n"),
            std::string::npos)
      << registry.Render();
}

// Threads racing to a bound series' first use all find the same series.
TEST(RegistryTest, BoundSeriesFirstUseFromManyThreadsIsOneSeries) {
  Registry registry;
  Counter& counter = registry.AddCounter("c_total", "c.", Stability::kAlpha, {"a", "b"});
  const BoundCounter bound(counter, {"x", "y"});
  constexpr int kThreads = 8;
  constexpr int kAdds = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&bound] {
      for (int i = 0; i < kAdds; ++i) bound.Add();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.Value({"x", "y"}), kThreads * kAdds);
}

}  // namespace
}  // namespace kauth::metrics
