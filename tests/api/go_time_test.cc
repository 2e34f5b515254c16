#include "api/go_time.h"

#include <gtest/gtest.h>

#include <chrono>

namespace kauth::api {
namespace {

// metav1.Time as kube-apiserver reads a TokenReview's timestamps (R14.1) and writes them.
TEST(GoTimeTest, ParsesAndFormatsAsMetav1Time) {
  struct Case {
    const char* input;
    const char* want;  // FormatRfc3339Utc of the parsed time, or the error text
  };
  const Case cases[] = {
      {"2026-07-24T10:00:00Z", "2026-07-24T10:00:00Z"},
      {"2026-07-24T12:30:00+02:00", "2026-07-24T10:30:00Z"},
      {"2026-07-24T00:30:00-01:00", "2026-07-24T01:30:00Z"},
      {"2026-07-24T10:00:00.999999999Z", "2026-07-24T10:00:00Z"},
      {"2026-07-24T10:00:00,5Z", "2026-07-24T10:00:00Z"},
      {"2026-07-24T1:00:00Z", "2026-07-24T01:00:00Z"},
      {"2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"},
      {"1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"},
      {"1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"},
      {"0000-01-01T00:00:00+01:00", "-0001-12-31T23:00:00Z"},
      {"9999-12-31T23:00:00-02:00", "10000-01-01T01:00:00Z"},
      {"x", R"(parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006")"},
      {"2026-07-24",
       R"(parsing time "2026-07-24" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T")"},
      {"2026/07/24T10:00:00Z",
       R"(parsing time "2026/07/24T10:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "/07/24T10:00:00Z" as "-")"},
      {"2026-7-24T10:00:00Z",
       R"(parsing time "2026-7-24T10:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "7-24T10:00:00Z" as "01")"},
      {"2026-07-24T10:00:00",
       R"(parsing time "2026-07-24T10:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00")"},
      {"2026-07-24t10:00:00Z",
       R"(parsing time "2026-07-24t10:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "t10:00:00Z" as "T")"},
      {"2026-07-24T10:00:00Zjunk",
       R"(parsing time "2026-07-24T10:00:00Zjunk": extra text: "junk")"},
      {"2026-13-01T00:00:00Z", R"(parsing time "2026-13-01T00:00:00Z": month out of range)"},
      {"2023-02-29T00:00:00Z", R"(parsing time "2023-02-29T00:00:00Z": day out of range)"},
      {"2026-07-24T24:00:00Z", R"(parsing time "2026-07-24T24:00:00Z": hour out of range)"},
      {"2026-07-24T10:60:00Z", R"(parsing time "2026-07-24T10:60:00Z": minute out of range)"},
      {"2026-07-24T10:00:60Z", R"(parsing time "2026-07-24T10:00:60Z": second out of range)"},
      {"2026-07-24T10:00:00+25:00",
       R"(parsing time "2026-07-24T10:00:00+25:00": time zone offset hour out of range)"},
      {"2026-07-24T10:00:00*01:00",
       R"(parsing time "2026-07-24T10:00:00*01:00" as "2006-01-02T15:04:05Z07:00": cannot parse "*01:00" as "Z07:00")"},
      {"\"quoted\"\xff",
       R"(parsing time "\"quoted\"\xff" as "2006-01-02T15:04:05Z07:00": cannot parse "\"quoted\"\xff" as "2006")"},
  };
  for (const Case& c : cases) {
    Result<GoTime> parsed = ParseGoRfc3339(c.input);
    EXPECT_EQ(parsed ? FormatRfc3339Utc(*parsed) : parsed.error().message, c.want) << c.input;
  }
}

TEST(GoTimeTest, ZeroTimeIsGosZeroInstant) {
  Result<GoTime> zero = ParseGoRfc3339("0001-01-01T00:00:00Z");
  ASSERT_TRUE(zero);
  EXPECT_TRUE(zero->IsZero());
  Result<GoTime> fraction = ParseGoRfc3339("0001-01-01T00:00:00.5Z");
  ASSERT_TRUE(fraction);
  EXPECT_FALSE(fraction->IsZero());
  EXPECT_TRUE(GoTime{}.IsZero());
}

TEST(GoTimeTest, FromSystemClockKeepsWholeSecondsUtc) {
  using std::chrono::seconds;
  const std::chrono::system_clock::time_point t{seconds(1784887200) +
                                                std::chrono::milliseconds(999)};
  const GoTime time = GoTime::FromSystemClock(t);
  EXPECT_EQ(FormatRfc3339Utc(time), "2026-07-24T10:00:00Z");
  EXPECT_EQ(time.nanos, 999000000);
}

}  // namespace
}  // namespace kauth::api
