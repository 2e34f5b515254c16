#include "api/go_json.h"

#include <gtest/gtest.h>

#include <string>

namespace kauth::api {
namespace {

std::string ParseError(std::string_view input) {
  Result<JsonValue> parsed = ParseGoJson(input);
  return parsed ? std::string("<parsed>") : parsed.error().message;
}

std::string RoundTrip(std::string_view input, bool indent = false) {
  Result<JsonValue> parsed = ParseGoJson(input);
  return parsed ? WriteGoJson(*parsed, indent) : "<error: " + parsed.error().message + ">";
}

// R14.1: a TokenReview body that is not JSON gets Go's encoding/json syntax error texts.
TEST(GoJsonTest, R14_1_SyntaxErrorsAreGosTexts) {
  struct Case {
    const char* name;
    std::string input;
    std::string want;
  };
  const Case cases[] = {
      {"empty body", "", "unexpected end of JSON input"},
      {"only spaces", " \n\t", "unexpected end of JSON input"},
      {"bare word", "x", "invalid character 'x' looking for beginning of value"},
      {"unclosed object", "{", "unexpected end of JSON input"},
      {"unclosed string", "\"abc", "unexpected end of JSON input"},
      {"unclosed array after a number", "[1", "unexpected end of JSON input"},
      {"bracket for a key", "{]",
       "invalid character ']' looking for beginning of object key string"},
      {"missing colon", R"({"a" 1})", "invalid character '1' after object key"},
      {"missing comma in object", R"({"a":1 "b":2})",
       "invalid character '\"' after object key:value pair"},
      {"missing comma in array", "[1 2]", "invalid character '2' after array element"},
      {"trailing comma in array", "[1,]", "invalid character ']' looking for beginning of value"},
      {"trailing garbage", "{} x", "invalid character 'x' after top-level value"},
      {"leading zero", "01", "invalid character '1' after top-level value"},
      {"bad escape", R"("\x")", "invalid character 'x' in string escape code"},
      {"bad unicode escape", R"("\u12G4")",
       "invalid character 'G' in \\u hexadecimal character escape"},
      {"newline in a string", "\"a\nb\"", "invalid character '\\n' in string literal"},
      {"lone minus: Go feeds a space at the end", "-", "invalid character ' ' in numeric literal"},
      {"minus letter", "-a", "invalid character 'a' in numeric literal"},
      {"dot at the end", "1.", "invalid character ' ' after decimal point in numeric literal"},
      {"dot letter", "1.e", "invalid character 'e' after decimal point in numeric literal"},
      {"exponent sign at the end", "1e+", "invalid character ' ' in exponent of numeric literal"},
      {"truncated true", "tru", "invalid character ' ' in literal true (expecting 'e')"},
      {"wrong true", "[tx]", "invalid character 'x' in literal true (expecting 'r')"},
      {"truncated false", "fals", "invalid character ' ' in literal false (expecting 'e')"},
      {"truncated null", "nul", "invalid character ' ' in literal null (expecting 'l')"},
      {"not json at all", "not json", "invalid character 'o' in literal null (expecting 'u')"},
      {"single quote", "'a'", "invalid character '\\'' looking for beginning of value"},
      {"control byte", std::string("\x01"),
       "invalid character '\\x01' looking for beginning of value"},
      {"DEL byte", std::string("\x7f"), "invalid character '\\x7f' looking for beginning of value"},
      {"Latin-1 byte as its rune", std::string("\xff"),
       "invalid character '\xc3\xbf' looking for beginning of value"},
      {"C1 byte", std::string("\x85"),
       "invalid character '\\u0085' looking for beginning of value"},
      {"NUL in an object", std::string("{\0}", 3),
       "invalid character '\\x00' looking for beginning of object key string"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseError(c.input), c.want) << c.name;
  }
}

TEST(GoJsonTest, R14_1_NestingDepthLimitIsGos) {
  EXPECT_EQ(ParseError(std::string(10000, '[') + std::string(10000, ']')), "<parsed>");
  EXPECT_EQ(ParseError(std::string(10001, '[')), "invalid character '[' exceeded max depth");
  EXPECT_EQ(ParseError(std::string(10000, '[')), "unexpected end of JSON input");
}

TEST(GoJsonTest, DeepValuesRoundTripWithoutRecursion) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += i % 2 == 0 ? "[" : "{\"k\":";
  deep += "1";
  for (int i = 9999; i >= 0; --i) deep += i % 2 == 0 ? "]" : "}";
  EXPECT_EQ(RoundTrip(deep), deep);
}

TEST(GoJsonTest, StringsDecodeAsGoDoes) {
  struct Case {
    const char* name;
    std::string input;
    std::string want;  // the decoded text
  };
  const Case cases[] = {
      {"escapes", R"("\"\\\/\b\f\n\r\t")", "\"\\/\b\f\n\r\t"},
      {"BMP escape", R"("\u00e9")", "\xc3\xa9"},
      {"surrogate pair", R"("\ud83d\ude00")", "\xf0\x9f\x98\x80"},
      {"lone high surrogate", R"("\ud800")", "\xef\xbf\xbd"},
      {"lone low surrogate", R"("\udc00x")", "\xef\xbf\xbdx"},
      {"high surrogate then a non-surrogate escape", R"("\ud800\u0041")",
       "\xef\xbf\xbd"
       "A"},
      {"raw UTF-8 kept", "\"\xe2\x82\xac\"", "\xe2\x82\xac"},
      {"invalid byte replaced",
       "\"a\xff"
       "b\"",
       "a\xef\xbf\xbd"
       "b"},
      {"UTF-8 surrogate: one replacement per byte", "\"\xed\xa0\x80\"",
       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"truncated sequence", "\"\xe2\x82\"", "\xef\xbf\xbd\xef\xbf\xbd"},
  };
  for (const Case& c : cases) {
    Result<JsonValue> parsed = ParseGoJson(c.input);
    ASSERT_TRUE(parsed) << c.name << ": " << parsed.error().message;
    ASSERT_EQ(parsed->type(), JsonValue::Type::kString) << c.name;
    EXPECT_EQ(parsed->text(), c.want) << c.name;
  }
}

TEST(GoJsonTest, ObjectsKeepDocumentOrderAndDuplicates) {
  Result<JsonValue> parsed = ParseGoJson(R"({"b":1,"a":2,"b":3})");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->members().size(), 3u);
  EXPECT_EQ(parsed->members()[0].key, "b");
  EXPECT_EQ(parsed->members()[2].value.text(), "3");
}

TEST(GoJsonTest, WritesCompactAsGoMarshal) {
  EXPECT_EQ(RoundTrip(R"( { "a" : [ 1 , -2.5e+3 , true , false , null , "x" ] , "b" : { } } )"),
            R"({"a":[1,-2.5e+3,true,false,null,"x"],"b":{}})");
  // HTML-safe escaping and the JavaScript line terminators, as Go's encoder writes them.
  EXPECT_EQ(RoundTrip(R"("<a href='x'>&</a>)"
                      "\xe2\x80\xa8\xe2\x80\xa9\x7f\"",
                      false),
            R"("\u003ca href='x'\u003e\u0026\u003c/a\u003e\u2028\u2029)"
            "\x7f\"");
  EXPECT_EQ(RoundTrip(R"("\u0001\u001f\b\f")"), R"("\u0001\u001f\b\f")");
}

TEST(GoJsonTest, WritesIndentedAsGoMarshalIndent) {
  EXPECT_EQ(RoundTrip(R"({"a":{},"b":[],"c":{"d":[1,2]},"e":"f"})", true),
            "{\n"
            "  \"a\": {},\n"
            "  \"b\": [],\n"
            "  \"c\": {\n"
            "    \"d\": [\n"
            "      1,\n"
            "      2\n"
            "    ]\n"
            "  },\n"
            "  \"e\": \"f\"\n"
            "}");
  EXPECT_EQ(RoundTrip("[]", true), "[]");
  EXPECT_EQ(RoundTrip("1", true), "1");
}

}  // namespace
}  // namespace kauth::api
