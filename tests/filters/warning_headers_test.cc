#include "filters/warning_headers.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kauth::filters {
namespace {

using V = std::vector<std::string>;

std::string Repeat(std::string_view unit, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += unit;
  return out;
}

std::string Header(const std::string& text) { return "299 - \"" + text + "\""; }

TEST(WarningHeaderValuesTest, R7_7_FormatEscapingAndDeduplication) {
  struct Case {
    const char* name;
    V warnings;
    V want;
  };
  const Case cases[] = {
      {"none", {}, {}},
      {"agent is '-', text quoted", {"hello"}, {R"(299 - "hello")"}},
      {"quote and backslash escaped", {R"(say "hi" \ bye)"}, {R"(299 - "say \"hi\" \\ bye")"}},
      {"non-ASCII kept", {"caf\xc3\xa9"}, {"299 - \"caf\xc3\xa9\""}},
      {"empty ignored", {"", "a"}, {R"(299 - "a")"}},
      {"duplicates dropped, first order kept",
       {"b", "a", "b", "a", "c"},
       {R"(299 - "b")", R"(299 - "a")", R"(299 - "c")"}},
      {"control characters are not sent",
       {"tab\there", "del\x7f", "c1\xc2\x85", "ok"},
       {R"(299 - "ok")"}},
      {"invalid UTF-8 is not sent", {"bad\xff", "ok"}, {R"(299 - "ok")"}},
  };
  for (const Case& c : cases) EXPECT_EQ(WarningHeaderValues(c.warnings), c.want) << c.name;
}

TEST(WarningHeaderValuesTest, R7_7_ExactlyTheBudgetFitsWithoutTruncation) {
  V warnings;
  V want;
  for (char c = 'a'; c < 'a' + 16; ++c) {
    warnings.push_back(std::string(256, c));
    want.push_back(Header(std::string(256, c)));
  }
  EXPECT_EQ(WarningHeaderValues(warnings), want);  // 16 * 256 = 4096 runes: fits
}

TEST(WarningHeaderValuesTest, R7_7_PassingTheBudgetTruncatesEveryItemTo256Runes) {
  // One item over 4096 runes switches to truncation mode at once; later items are cut too.
  const V warnings = {Repeat("\xc3\xa9", 5000), "short", std::string(300, 'z')};
  EXPECT_EQ(WarningHeaderValues(warnings),
            (V{Header(Repeat("\xc3\xa9", 256)), Header("short"), Header(std::string(256, 'z'))}));

  // 17 items of 256 runes: the 17th passes the budget; the replay keeps all 17; in truncation
  // mode, once 4096 runes are written, the rest is dropped.
  V many;
  V want;
  for (int i = 0; i < 18; ++i) {
    many.push_back(std::string(255, 'a') + static_cast<char>('A' + i));
    if (i < 17) want.push_back(Header(many.back()));
  }
  EXPECT_EQ(WarningHeaderValues(many), want);
}

TEST(WarningHeaderValuesTest, R7_7_TruncationRepairsInvalidUtf8LikeGoRuneConversion) {
  // []rune(text)[:256] turns each invalid byte into U+FFFD, so a long invalid text is sent once
  // truncation mode cuts it.
  const V warnings = {std::string(5000, 'x'), std::string(300, '\xff'), std::string(10, '\xff')};
  EXPECT_EQ(WarningHeaderValues(warnings),
            (V{Header(std::string(256, 'x')), Header(Repeat("\xef\xbf\xbd", 256))}));
}

}  // namespace
}  // namespace kauth::filters
