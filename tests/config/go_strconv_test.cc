#include "config/go_strconv.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace kauth::config {
namespace {

// strconv.ParseBool: what every bool flag accepts after '='.
TEST(GoStrconvTest, ParseBoolAcceptsGoSpellings) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    auto got = ParseGoBool(t);
    ASSERT_TRUE(got.has_value()) << t;
    EXPECT_TRUE(*got) << t;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    auto got = ParseGoBool(f);
    ASSERT_TRUE(got.has_value()) << f;
    EXPECT_FALSE(*got) << f;
  }
  for (const char* bad : {"", "yes", "no", "tRUE", "on", " true", "2"}) {
    auto got = ParseGoBool(bad);
    ASSERT_TRUE(got.has_error()) << bad;
    EXPECT_EQ(got.error().message,
              std::string("strconv.ParseBool: parsing \"") + bad + "\": invalid syntax");
  }
}

// strconv.ParseInt(s, 0, 64): pflag's Int flags (--secure-port, --threads, ...).
TEST(GoStrconvTest, ParseIntBaseZero) {
  struct Case {
    const char* text;
    std::int64_t want;
  };
  const Case cases[] = {
      {"0", 0},
      {"-0", 0},
      {"+5", 5},
      {"-1", -1},
      {"6443", 6443},
      {"0x1bb", 443},
      {"0X1BB", 443},
      {"0o17", 15},
      {"0O17", 15},
      {"017", 15},
      {"0b101", 5},
      {"1_000", 1000},
      {"0x_1f", 31},
      {"0_17", 15},
      {"9223372036854775807", std::numeric_limits<std::int64_t>::max()},
      {"-9223372036854775808", std::numeric_limits<std::int64_t>::min()},
  };
  for (const Case& c : cases) {
    auto got = ParseGoInt(c.text, 0, 64);
    ASSERT_TRUE(got.has_value()) << c.text << ": " << got.error().message;
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

TEST(GoStrconvTest, ParseIntErrors) {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {"", "invalid syntax"},
      {"x", "invalid syntax"},
      {"+", "invalid syntax"},
      {"-", "invalid syntax"},
      {" 1", "invalid syntax"},
      {"1.5", "invalid syntax"},
      {"08", "invalid syntax"},
      {"0x", "invalid syntax"},
      {"0b2", "invalid syntax"},
      {"_1", "invalid syntax"},
      {"1_", "invalid syntax"},
      {"1__0", "invalid syntax"},
      {"--1", "invalid syntax"},
      {"9223372036854775808", "value out of range"},
      {"-9223372036854775809", "value out of range"},
      {"99999999999999999999", "value out of range"},
      {"-99999999999999999999", "value out of range"},
  };
  for (const Case& c : cases) {
    auto got = ParseGoInt(c.text, 0, 64);
    ASSERT_TRUE(got.has_error()) << c.text;
    EXPECT_EQ(got.error().message,
              std::string("strconv.ParseInt: parsing \"") + c.text + "\": " + c.reason);
  }
}

// strconv.ParseUint(s, 10, 31): component-base's -v flag.
TEST(GoStrconvTest, ParseUintBaseTenThirtyOneBits) {
  auto ok = ParseGoUint("2147483647", 10, 31);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 2147483647u);
  auto zero = ParseGoUint("0", 10, 31);
  ASSERT_TRUE(zero.has_value());
  EXPECT_EQ(*zero, 0u);
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {"2147483648", "value out of range"},
      {"-1", "invalid syntax"},
      {"+1", "invalid syntax"},
      {"0x1", "invalid syntax"},
      {"1_0", "invalid syntax"},
      {"", "invalid syntax"},
      {"x", "invalid syntax"},
  };
  for (const Case& c : cases) {
    auto got = ParseGoUint(c.text, 10, 31);
    ASSERT_TRUE(got.has_error()) << c.text;
    EXPECT_EQ(got.error().message,
              std::string("strconv.ParseUint: parsing \"") + c.text + "\": " + c.reason);
  }
}

// fmt's %q of a byte, as pflag prints an unknown shorthand letter.
TEST(GoStrconvTest, QuoteByteLikeFmt) {
  EXPECT_EQ(GoQuoteByte('s'), "'s'");
  EXPECT_EQ(GoQuoteByte('\''), R"('\'')");
  EXPECT_EQ(GoQuoteByte('"'), R"('"')");
  EXPECT_EQ(GoQuoteByte('\\'), R"('\\')");
  EXPECT_EQ(GoQuoteByte('\n'), R"('\n')");
  EXPECT_EQ(GoQuoteByte(0x01), R"('\x01')");
  EXPECT_EQ(GoQuoteByte(0x7F), R"('\x7f')");
  EXPECT_EQ(GoQuoteByte(0x80), R"('\u0080')");
  EXPECT_EQ(GoQuoteByte(0xE9), "'\xC3\xA9'");
}

TEST(GoStrconvTest, QuoteStringsLikeFmt) {
  EXPECT_EQ(GoQuoteStrings({}), "[]");
  EXPECT_EQ(GoQuoteStrings({"false"}), R"(["false"])");
  EXPECT_EQ(GoQuoteStrings({"a", "", "b\"c"}), R"(["a" "" "b\"c"])");
}

}  // namespace
}  // namespace kauth::config
