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

TEST(StringsTest, HeaderFieldValuesRejectControlBytesButTab) {
  EXPECT_TRUE(ValidHeaderFieldValue(""));
  EXPECT_TRUE(ValidHeaderFieldValue("a\tb c\x80\xff"));
  EXPECT_FALSE(ValidHeaderFieldValue(std::string("a\0b", 3)));
  EXPECT_FALSE(ValidHeaderFieldValue("a\x01"));
  EXPECT_FALSE(ValidHeaderFieldValue("a\x7f"));
  EXPECT_FALSE(ValidHeaderFieldValue("a\r\nb"));
  EXPECT_EQ(HeaderFieldValueLength(""), 0u);
  EXPECT_EQ(HeaderFieldValueLength("Bearer abc\r\nHost: x\r\n"), 10u);
  EXPECT_EQ(HeaderFieldValueLength("a\tb c\x80\xff"), 7u);
}

// The check runs eight bytes at a time: every byte value, at every position of a word and of
// the tail, in values of several lengths, against the byte-by-byte rule.
TEST(StringsTest, HeaderFieldValueCheckAgreesWithTheByteRuleEverywhere) {
  const auto valid_byte = [](unsigned byte) {
    return (byte >= 0x20 || byte == '\t') && byte != 0x7f;
  };
  for (const std::size_t length : {1u, 7u, 8u, 9u, 16u, 23u, 40u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (unsigned byte = 0; byte < 256; ++byte) {
        std::string value(length, 'x');
        value[at] = static_cast<char>(byte);
        ASSERT_EQ(ValidHeaderFieldValue(value), valid_byte(byte))
            << "length " << length << ", byte " << byte << " at " << at;
        // Next to bytes from 0x80 up, whose high bit the word check must not mistake.
        std::string high(length, '\xff');
        high[at] = static_cast<char>(byte);
        ASSERT_EQ(ValidHeaderFieldValue(high), valid_byte(byte))
            << "high, length " << length << ", byte " << byte << " at " << at;
        // The scan for the first invalid byte: here, or nowhere. A second invalid byte after it
        // must not be the one found.
        const std::size_t first_invalid = valid_byte(byte) ? length : at;
        ASSERT_EQ(HeaderFieldValueLength(value), first_invalid)
            << length << " " << byte << " " << at;
        ASSERT_EQ(HeaderFieldValueLength(high), first_invalid)
            << length << " " << byte << " " << at;
        if (at + 1 < length) {
          value[length - 1] = '\r';
          ASSERT_EQ(HeaderFieldValueLength(value), valid_byte(byte) ? length - 1 : at)
              << length << " " << byte << " " << at;
        }
      }
    }
  }
}

// The comparison runs eight bytes at a time (and one overlapping word for the tail): every pair
// of byte values, at the start, middle and end of names of several lengths, against the
// byte-by-byte rule.
TEST(StringsTest, CaseInsensitiveComparisonAgreesWithTheByteRuleEverywhere) {
  const auto lower = [](unsigned byte) { return byte >= 'A' && byte <= 'Z' ? byte + 32 : byte; };
  for (const std::size_t length : {1u, 5u, 8u, 13u, 16u, 21u}) {
    for (const std::size_t at : {std::size_t{0}, length / 2, length - 1}) {
      for (unsigned x = 0; x < 256; ++x) {
        for (unsigned y = 0; y < 256; ++y) {
          std::string a(length, 'q');
          std::string b(length, 'Q');
          a[at] = static_cast<char>(x);
          b[at] = static_cast<char>(y);
          ASSERT_EQ(EqualsIgnoreCase(a, b), lower(x) == lower(y))
              << "length " << length << " at " << at << ": " << x << " vs " << y;
        }
      }
    }
  }
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abcd"));
  EXPECT_TRUE(EqualsIgnoreCase("X-Forwarded-Proto", "x-forwarded-proto"));
  EXPECT_FALSE(EqualsIgnoreCase("X-Forwarded-Proto", "x-forwarded-protp"));
}

// Every byte of a short text reaches the word: changing any one changes it.
TEST(StringsTest, LoadUpTo8SeesEveryByte) {
  for (std::size_t n = 1; n <= 8; ++n) {
    const std::string text = std::string("abcdefgh").substr(0, n);
    EXPECT_EQ(LoadUpTo8(text.data(), n), LoadUpTo8(std::string(text).data(), n));
    for (std::size_t at = 0; at < n; ++at) {
      std::string changed = text;
      changed[at] = 'z';
      EXPECT_NE(LoadUpTo8(changed.data(), n), LoadUpTo8(text.data(), n)) << n << " " << at;
    }
  }
}

TEST(StringsTest, HeaderFieldNamesAreTokens) {
  EXPECT_TRUE(ValidHeaderFieldName("X-Forwarded-For"));
  EXPECT_TRUE(ValidHeaderFieldName("a!#$%&'*+-.^_`|~9"));
  EXPECT_FALSE(ValidHeaderFieldName(""));
  EXPECT_FALSE(ValidHeaderFieldName("Bad Name"));
  EXPECT_FALSE(ValidHeaderFieldName("a:b"));
  EXPECT_FALSE(ValidHeaderFieldName("(x)"));
}

// Every byte, against httpguts' table (RFC 9110 tchar).
TEST(StringsTest, TokenBytesMatchHttpgutsForEveryByte) {
  constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    const bool alphanumeric =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    const bool token = alphanumeric || kTokenPunctuation.find(c) != std::string_view::npos;
    EXPECT_EQ(IsTokenByte(c), token) << byte;
    // At every position of names long enough for the four-at-a-time loop and its tail.
    for (const std::size_t length : {1u, 3u, 4u, 5u, 8u, 9u}) {
      for (std::size_t at = 0; at < length; ++at) {
        std::string name(length, 'a');
        name[at] = c;
        ASSERT_EQ(ValidHeaderFieldName(name), token) << byte << " at " << at << " of " << length;
      }
    }
  }
}

}  // namespace
}  // namespace kauth
