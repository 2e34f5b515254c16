#include "config/named_cert_key.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kauth::config {
namespace {

// component-base's NamedCertKey.Set: the first ':' ends the file pair; blanks, Unicode ones
// included (strings.TrimSpace), are trimmed around every part.
TEST(NamedCertKeyTest, ParsesPairAndNames) {
  struct Case {
    const char* name;
    std::string text;
    NamedCertKey want;
  };
  const Case cases[] = {
      {"pair", "a.crt,a.key", {.cert_file = "a.crt", .key_file = "a.key", .names = {}}},
      {"names",
       " b.crt , b.key : *.b.example.com , b.example.com ",
       {.cert_file = "b.crt", .key_file = "b.key", .names = {"*.b.example.com", "b.example.com"}}},
      {"empty files", ",", {.cert_file = "", .key_file = "", .names = {}}},
      {"empty name between commas",
       "a,b:x,,y",
       {.cert_file = "a", .key_file = "b", .names = {"x", "", "y"}}},
      {"colon in a name", "a,b:x:y", {.cert_file = "a", .key_file = "b", .names = {"x:y"}}},
      {"unicode blanks",
       "\u00a0a.crt,a.key\u2003:\u0085x",
       {.cert_file = "a.crt", .key_file = "a.key", .names = {"x"}}},
  };
  for (const Case& c : cases) {
    const Result<NamedCertKey> parsed = ParseNamedCertKey(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.name << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, c.want) << c.name;
  }
}

TEST(NamedCertKeyTest, RejectsWithComponentBaseMessages) {
  struct Case {
    const char* text;
    const char* want;
  };
  const Case cases[] = {
      {"a.crt,a.key:", "empty names list is not allowed"},
      {"a.crt,a.key: \t", "empty names list is not allowed"},
      {"", "expected comma separated certificate and key file paths"},
      {"a.crt", "expected comma separated certificate and key file paths"},
      {"a,b,c", "expected comma separated certificate and key file paths"},
      {"a.crt:x", "expected comma separated certificate and key file paths"},
  };
  for (const Case& c : cases) {
    const Result<NamedCertKey> parsed = ParseNamedCertKey(c.text);
    ASSERT_FALSE(parsed.has_value()) << c.text;
    EXPECT_EQ(parsed.error().message, c.want) << c.text;
  }
}

TEST(NamedCertKeyTest, FormatsWhatParsesBack) {
  const NamedCertKey values[] = {
      {.cert_file = "a.crt", .key_file = "a.key", .names = {}},
      {.cert_file = "b.crt", .key_file = "b.key", .names = {"*.b.example.com", "b.example.com"}},
      {.cert_file = "", .key_file = "", .names = {"", ""}},
  };
  EXPECT_EQ(FormatNamedCertKey(values[0]), "a.crt,a.key");
  EXPECT_EQ(FormatNamedCertKey(values[1]), "b.crt,b.key:*.b.example.com,b.example.com");
  for (const NamedCertKey& value : values) {
    const Result<NamedCertKey> parsed = ParseNamedCertKey(FormatNamedCertKey(value));
    ASSERT_TRUE(parsed.has_value()) << FormatNamedCertKey(value);
    EXPECT_EQ(*parsed, value) << FormatNamedCertKey(value);
  }
}

}  // namespace
}  // namespace kauth::config
