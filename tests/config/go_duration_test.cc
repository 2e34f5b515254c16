#include "config/go_duration.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

namespace kauth::config {
namespace {

using std::chrono::nanoseconds;
using namespace std::chrono_literals;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

// time.ParseDuration's accepted syntax: pflag's DurationVar parses every duration flag with it.
TEST(GoDurationTest, ParsesGoSyntax) {
  struct Case {
    const char* text;
    nanoseconds want;
  };
  const Case cases[] = {
      {"0", 0ns},
      {"-0", 0ns},
      {"+0", 0ns},
      {"5s", 5s},
      {"30s", 30s},
      {"1478s", 1478s},
      {"-5s", -5s},
      {"+5s", 5s},
      {"-0s", 0ns},
      {"5.0s", 5s},
      {"5.6s", 5600ms},
      {"5.s", 5s},
      {".5s", 500ms},
      {"1.004s", 1004ms},
      {"1.0040s", 1004ms},
      {"100.00100s", 100001ms},
      {"10ns", 10ns},
      {"11us", 11us},
      {"12\xC2\xB5s", 12us},  // U+00B5 micro sign
      {"12\xCE\xBCs", 12us},  // U+03BC Greek mu
      {"13ms", 13ms},
      {"14s", 14s},
      {"15m", 15min},
      {"16h", 16h},
      {"3h30m", 3h + 30min},
      {"10.5s4m", 4min + 10500ms},
      {"-2m3.4s", -(2min + 3400ms)},
      {"1h2m3s4ms5us6ns", 1h + 2min + 3s + 4ms + 5us + 6ns},
      {"39h9m14.425s", 39h + 9min + 14425ms},
      {"1h2m3.5s", 1h + 2min + 3500ms},
      {"300ms", 300ms},
      {"-1.5h", -90min},
      {"52763797000ns", 52763797000ns},
      {"0.3333333333333333333h", 20min},
      {"9007199254740993ns", nanoseconds((std::int64_t{1} << 53) + 1)},
      {"9223372036854775807ns", nanoseconds(kMax)},
      {"9223372036854775.807us", nanoseconds(kMax)},
      {"9223372036s854ms775us807ns", nanoseconds(kMax)},
      {"-9223372036854775808ns", nanoseconds(kMin)},
      {"-9223372036854775.808us", nanoseconds(kMin)},
      {"0.100000000000000000000h", 6min},
      {"0.830103483285477580700h", 49min + 48s + 372539827ns},
  };
  for (const Case& c : cases) {
    auto got = ParseGoDuration(c.text);
    ASSERT_TRUE(got.has_value()) << c.text << ": " << got.error().message;
    EXPECT_EQ(got->count(), c.want.count()) << c.text;
  }
}

// time.ParseDuration's three error texts, with the time package's own quoting (\xNN for every
// byte outside printable ASCII).
TEST(GoDurationTest, ErrorsAsGoWritesThem) {
  struct Case {
    const char* text;
    const char* want;
  };
  const Case cases[] = {
      {"", R"(time: invalid duration "")"},
      {"x", R"(time: invalid duration "x")"},
      {"-", R"(time: invalid duration "-")"},
      {"s", R"(time: invalid duration "s")"},
      {".", R"(time: invalid duration ".")"},
      {"-.", R"(time: invalid duration "-.")"},
      {".s", R"(time: invalid duration ".s")"},
      {"+.s", R"(time: invalid duration "+.s")"},
      {"1", R"(time: missing unit in duration "1")"},
      {"3", R"(time: missing unit in duration "3")"},
      {"1h2", R"(time: missing unit in duration "1h2")"},
      {"1x", R"(time: unknown unit "x" in duration "1x")"},
      {"1d", R"(time: unknown unit "d" in duration "1d")"},
      {"1 h", R"(time: unknown unit " h" in duration "1 h")"},
      {"1H", R"(time: unknown unit "H" in duration "1H")"},
      {"2\"q", R"(time: unknown unit "\"q" in duration "2\"q")"},
      {"1\xC3\xA9", R"(time: unknown unit "\xc3\xa9" in duration "1\xc3\xa9")"},
      {"\x85\x85", R"(time: invalid duration "\x85\x85")"},
      {"\xff"
       "ff",
       R"(time: invalid duration "\xffff")"},
      {"hello \xff"
       "ff world",
       R"(time: invalid duration "hello \xffff world")"},
      {"9223372036854775810ns", R"(time: invalid duration "9223372036854775810ns")"},
      {"9223372036854775808ns", R"(time: invalid duration "9223372036854775808ns")"},
      {"-9223372036854775809ns", R"(time: invalid duration "-9223372036854775809ns")"},
      {"9223372036854775.808us", R"(time: invalid duration "9223372036854775.808us")"},
      {"3000000h", R"(time: invalid duration "3000000h")"},
  };
  for (const Case& c : cases) {
    auto got = ParseGoDuration(c.text);
    ASSERT_TRUE(got.has_error()) << c.text << " parsed as " << got->count();
    EXPECT_EQ(got.error().message, c.want) << c.text;
  }
}

// Duration.String(): how --help prints duration defaults (`(default 1m0s)`).
TEST(GoDurationTest, FormatsAsGoPrints) {
  struct Case {
    nanoseconds value;
    const char* want;
  };
  const Case cases[] = {
      {0ns, "0s"},
      {1ns, "1ns"},
      {1100ns, "1.1\xC2\xB5s"},
      {2200us, "2.2ms"},
      {3300ms, "3.3s"},
      {1500ms, "1.5s"},
      {10s, "10s"},
      {32s, "32s"},
      {60s, "1m0s"},
      {2min, "2m0s"},
      {4min + 5s, "4m5s"},
      {4min + 5001ms, "4m5.001s"},
      {1h, "1h0m0s"},
      {5h + 6min + 7001ms, "5h6m7.001s"},
      {8min + 1ns, "8m0.000000001s"},
      {-1s, "-1s"},
      {-90min, "-1h30m0s"},
      {-1ns, "-1ns"},
      {nanoseconds(kMax), "2562047h47m16.854775807s"},
      {nanoseconds(kMin), "-2562047h47m16.854775808s"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatGoDuration(c.value), c.want) << c.value.count();
  }
}

TEST(GoDurationTest, FormatThenParseRoundTrips) {
  const nanoseconds values[] = {
      0ns, 1ns, 999ns, 1us, 1234567ns, 59s, 3601s, nanoseconds(kMax), nanoseconds(kMin), -1500ms};
  for (const nanoseconds d : values) {
    auto parsed = ParseGoDuration(FormatGoDuration(d));
    ASSERT_TRUE(parsed.has_value()) << FormatGoDuration(d);
    EXPECT_EQ(parsed->count(), d.count());
  }
}

}  // namespace
}  // namespace kauth::config
