#include "core/strings.h"

#include <gtest/gtest.h>

namespace kauth {
namespace {

// R0.3: "trim space" trims Unicode white space, like Go's strings.TrimSpace.
TEST(StringsTest, R0_3_TrimSpaceIsUnicodeAware) {
  struct Case {
    const char* name;
    std::string in;
    std::string want;
  };
  const Case cases[] = {
      {"empty", "", ""},
      {"ascii", " \t\r\n\v\fabc \t", "abc"},
      {"inner space kept", " a b ", "a b"},
      {"nbsp", "\xC2\xA0x\xC2\xA0", "x"},
      {"nel", "\xC2\x85x", "x"},
      {"ideographic space", "\xE3\x80\x80x\xE3\x80\x80", "x"},
      {"en quad .. hair space", "\xE2\x80\x80x\xE2\x80\x8A", "x"},
      {"zero width space is not space", "\xE2\x80\x8Bx", "\xE2\x80\x8Bx"},
      {"invalid utf8 stops trimming", "\xFF x ", "\xFF x"},
      {"only spaces", "   ", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(TrimSpace(c.in), c.want) << c.name;
}

// R0.3: "split on space into <= N parts" keeps empty pieces.
TEST(StringsTest, R0_3_SplitNKeepsEmptyPieces) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(SplitN("Bearer  x", ' ', 3), (V{"Bearer", "", "x"}));
  EXPECT_EQ(SplitN("Bearer a b c", ' ', 3), (V{"Bearer", "a", "b c"}));
  EXPECT_EQ(SplitN("Bearer", ' ', 3), (V{"Bearer"}));
  EXPECT_EQ(SplitN("", ' ', 3), (V{""}));
  EXPECT_EQ(Split("a,,b,", ','), (V{"a", "", "b", ""}));
  EXPECT_EQ(Split("", ','), (V{""}));
}

TEST(StringsTest, CaseInsensitiveComparisonIsAsciiOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("Authorization", "aUTHORIZATION"));
  EXPECT_FALSE(EqualsIgnoreCase("Authorization", "Authorizatio"));
  EXPECT_TRUE(StartsWithIgnoreCase("X-Remote-Extra-Foo", "x-remote-extra-"));
  EXPECT_FALSE(StartsWithIgnoreCase("X-Remote", "x-remote-extra-"));
  EXPECT_EQ(AsciiLower("BeArEr"), "bearer");
}

TEST(StringsTest, Utf8ValidityMatchesGo) {
  EXPECT_TRUE(IsValidUtf8("héllo"));
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
}

}  // namespace
}  // namespace kauth
