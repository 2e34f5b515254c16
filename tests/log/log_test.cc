#include "log/log.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

namespace kauth::log {
namespace {

std::vector<std::string>* captured = nullptr;

void Capture(std::string_view line) { captured->emplace_back(line); }

TEST(LogTest, KlogLineShape) {
  const std::string line =
      FormatLine('E', "authentication.cc", "Unable to authenticate the request",
                 {{"err", "invalid bearer token"}});
  EXPECT_TRUE(std::regex_match(
      line, std::regex(R"(E\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ authentication\.cc\] )"
                       R"("Unable to authenticate the request" err="invalid bearer token")")))
      << line;
}

TEST(LogTest, ValuesAreQuotedAndEscaped) {
  const std::string line = FormatLine('I', "x", "m", {{"v", "a\"b\\c\nd\x01"}});
  EXPECT_TRUE(line.ends_with(R"("m" v="a\"b\\c\nd\x01")")) << line;
}

TEST(LogTest, VerbosityFiltersOnlyByLevel) {
  std::vector<std::string> lines;
  captured = &lines;
  SetSinkForTesting(&Capture);
  SetVerbosity(2);
  EXPECT_TRUE(V(2));
  EXPECT_FALSE(V(3));
  Info("t", "hello");
  Error("t", "bad");
  SetSinkForTesting(nullptr);
  SetVerbosity(0);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0][0], 'I');
  EXPECT_EQ(lines[1][0], 'E');
}

}  // namespace
}  // namespace kauth::log
