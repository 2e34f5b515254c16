#include "core/go_format.h"

#include <gtest/gtest.h>

namespace kauth {
namespace {

TEST(GoQuoteTest, MatchesStrconvQuote) {
  const std::pair<std::string, std::string> cases[] = {
      {"alice", R"("alice")"},
      {"", R"("")"},
      {"a\"b\\c", R"("a\"b\\c")"},
      {"\a\b\f\n\r\t\v", R"("\a\b\f\n\r\t\v")"},
      {std::string("\x00\x1f\x7f", 3), R"("\x00\x1f\x7f")"},
      {"caf\xc3\xa9 \xe4\xb8\xad", "\"caf\xc3\xa9 \xe4\xb8\xad\""},
      {"\xff", R"("\xff")"},
      {"\xc2\x85", R"("\u0085")"},
      {"\xc2\xa0", R"("\u00a0")"},
      {"\xe2\x80\xa8", R"("\u2028")"},
      {"\xef\xbb\xbf", R"("\ufeff")"},
      {"\xf3\xb0\x80\x80", R"("\U000f0000")"},
      {"\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},
  };
  for (const auto& [input, want] : cases) EXPECT_EQ(GoQuote(input), want) << want;
}

TEST(GoDurationTest, MatchesTimeDurationString) {
  using std::chrono::nanoseconds;
  const std::pair<long long, const char*> cases[] = {
      {0, "0s"},
      {1, "1ns"},
      {999, "999ns"},
      {1000, "1\xc2\xb5s"},
      {1500, "1.5\xc2\xb5s"},
      {1234567, "1.234567ms"},
      {10000000, "10ms"},
      {1000000000, "1s"},
      {1500000000, "1.5s"},
      {120000000000, "2m0s"},
      {3723000000001, "1h2m3.000000001s"},
      {-1500, "-1.5\xc2\xb5s"},
  };
  for (const auto& [ns, want] : cases) EXPECT_EQ(GoDuration(nanoseconds(ns)), want) << want;
}

TEST(GoStringListTest, MatchesPercentV) {
  EXPECT_EQ(GoStringList({}), "[]");
  EXPECT_EQ(GoStringList({"a"}), "[a]");
  EXPECT_EQ(GoStringList({"a", "b c"}), "[a b c]");
}

}  // namespace
}  // namespace kauth
