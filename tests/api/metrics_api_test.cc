#include "api/metrics_api.h"

#include <gtest/gtest.h>

#include <memory>

#include "api/api_test_support.h"

namespace kauth::api {
namespace {

using testing::Call;
using testing::Headers;

TEST(MetricsApiTest, R7_6_RendersTheRegistryAsPrometheusText) {
  auto registry = std::make_shared<metrics::Registry>();
  registry
      ->AddCounter("authentication_attempts", "Counter of authenticated attempts.",
                   metrics::Stability::kAlpha, {"result"})
      .Add({"success"}, 2);
  const MetricsApi api(registry);
  ASSERT_TRUE(api.Serves("/metrics"));
  EXPECT_FALSE(api.Serves("/metrics/slis"));
  for (const char* method : {"GET", "POST"}) {
    const http::ServerResponse response = Call(api, {.method = method, .target = "/metrics"});
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.headers,
              (Headers{{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"},
                       {"Cache-Control", "no-cache, private"}}));
    EXPECT_EQ(response.body, registry->Render());
    EXPECT_EQ(response.body,
              "# HELP authentication_attempts [ALPHA] Counter of authenticated attempts.\n"
              "# TYPE authentication_attempts counter\n"
              "authentication_attempts{result=\"success\"} 2\n");
  }
}

}  // namespace
}  // namespace kauth::api
