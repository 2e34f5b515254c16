#include "config/yaml_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kauth::config {
namespace {

using Kind = JsonValue::Kind;

const JsonValue& Member(const JsonValue& object, std::string_view key) {
  for (const JsonMember& m : object.members) {
    if (m.key == key) return m.value;
  }
  ADD_FAILURE() << "no member " << key;
  static const JsonValue kMissing;
  return kMissing;
}

// R12.1: sigs.k8s.io/yaml resolves plain scalars with go-yaml v2 (YAML 1.1) before JSON sees
// them, so `yes` is a boolean and `0x10` a number; quoted scalars stay strings.
TEST(YamlJsonTest, PlainScalarsResolveAsGoYamlV2) {
  struct Case {
    const char* scalar;
    Kind want;
    bool boolean;
  };
  const Case cases[] = {
      {"true", Kind::kBool, true},
      {"True", Kind::kBool, true},
      {"TRUE", Kind::kBool, true},
      {"yes", Kind::kBool, true},
      {"Yes", Kind::kBool, true},
      {"on", Kind::kBool, true},
      {"ON", Kind::kBool, true},
      {"y", Kind::kBool, true},
      {"Y", Kind::kBool, true},
      {"false", Kind::kBool, false},
      {"no", Kind::kBool, false},
      {"off", Kind::kBool, false},
      {"n", Kind::kBool, false},
      {"~", Kind::kNull, false},
      {"null", Kind::kNull, false},
      {"Null", Kind::kNull, false},
      {"NULL", Kind::kNull, false},
      {"1", Kind::kNumber, false},
      {"-1", Kind::kNumber, false},
      {"+1", Kind::kNumber, false},
      {"0x10", Kind::kNumber, false},
      {"0o17", Kind::kNumber, false},
      {"017", Kind::kNumber, false},
      {"1_000", Kind::kNumber, false},
      {"0b101", Kind::kNumber, false},
      {"1.5", Kind::kNumber, false},
      {"1.", Kind::kNumber, false},
      {".5", Kind::kNumber, false},
      {"1e3", Kind::kNumber, false},
      {"-1.5E-3", Kind::kNumber, false},
      {".inf", Kind::kNumber, false},
      {"-.Inf", Kind::kNumber, false},
      {".nan", Kind::kNumber, false},
      {"08", Kind::kNumber, false},
      {"yEs", Kind::kString, false},
      {"tRue", Kind::kString, false},
      {"1.2.3", Kind::kString, false},
      {"0x", Kind::kString, false},
      {"/livez", Kind::kString, false},
      {"1h", Kind::kString, false},
      {"2001-12-14", Kind::kString, false},
      {".", Kind::kString, false},
  };
  for (const Case& c : cases) {
    auto doc = ParseConfigDocument(std::string("v: ") + c.scalar + "\n");
    ASSERT_TRUE(doc.has_value()) << c.scalar << ": " << doc.error().message;
    const JsonValue& v = Member(doc->root, "v");
    EXPECT_EQ(v.kind, c.want) << c.scalar;
    if (c.want == Kind::kBool) {
      EXPECT_EQ(v.boolean, c.boolean) << c.scalar;
    }
  }
  // Quoting, block scalars and !!str keep strings; an empty value is null.
  auto doc = ParseConfigDocument("a: \"true\"\nb: 'yes'\nc: !!str 5\nd: |\n  x\ne:\n");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(Member(doc->root, "a").kind, Kind::kString);
  EXPECT_EQ(Member(doc->root, "b").kind, Kind::kString);
  EXPECT_EQ(Member(doc->root, "c").kind, Kind::kString);
  EXPECT_EQ(Member(doc->root, "d").text, "x\n");
  EXPECT_EQ(Member(doc->root, "e").kind, Kind::kNull);
}

// YAML maps become Go maps: later duplicates win (reported in strict mode with go-yaml's
// words and 1-based line), and json.Marshal writes the keys sorted.
TEST(YamlJsonTest, YamlMapsAreSortedAndDeduplicated) {
  auto doc = ParseConfigDocument("b: 1\na: x\nb: 2\ntrue: 1\nyes: 2\n1: a\n0x1: b\n");
  ASSERT_TRUE(doc.has_value());
  EXPECT_FALSE(doc->json);
  std::vector<std::string> keys;
  for (const JsonMember& m : doc->root.members) keys.push_back(m.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"1", "a", "b", "true"}));
  EXPECT_EQ(Member(doc->root, "b").text, "2");
  EXPECT_EQ(doc->duplicate_keys, (std::vector<std::string>{R"(line 3: key "b" already set in map)",
                                                           "line 5: key true already set in map",
                                                           "line 7: key 1 already set in map"}));
}

// A document starting with '{' is JSON: members keep their order and duplicates, which the
// strict decoder reports as `duplicate field`.
TEST(YamlJsonTest, JsonKeepsOrderAndDuplicates) {
  auto doc = ParseConfigDocument("  \n{\"b\": 1, \"a\": \"x\", \"b\": 2}");
  ASSERT_TRUE(doc.has_value());
  EXPECT_TRUE(doc->json);
  ASSERT_EQ(doc->root.members.size(), 3u);
  EXPECT_EQ(doc->root.members[0].key, "b");
  EXPECT_EQ(doc->root.members[1].key, "a");
  EXPECT_EQ(doc->root.members[2].key, "b");
  EXPECT_TRUE(doc->duplicate_keys.empty());
}

TEST(YamlJsonTest, SyntaxErrorsNameTheLine) {
  auto yaml = ParseConfigDocument("a: 1\nb: c: d\n");
  ASSERT_TRUE(yaml.has_error());
  EXPECT_EQ(yaml.error().message, "error converting YAML to JSON: yaml: line 2: illegal map value");
  auto json = ParseConfigDocument("{\"a\": [}");
  ASSERT_TRUE(json.has_error());
  EXPECT_EQ(json.error().message,
            "couldn't get version/kind; json parse error: illegal flow end at line 1, column 8");
}

// yaml-cpp ends some reasons with the offending byte; found by fuzz/authentication_config_fuzz
// (a NUL makes yaml-cpp report the newline after it).
TEST(YamlJsonTest, SyntaxErrorsEscapeControlBytes) {
  auto newline = ParseConfigDocument(std::string_view("a: b\0\n", 6));
  ASSERT_TRUE(newline.has_error());
  EXPECT_EQ(newline.error().message,
            R"(error converting YAML to JSON: yaml: line 2: unknown escape character: \n)");
  auto escape = ParseConfigDocument("key: \"a\\\x1b[31m\"\n");
  ASSERT_TRUE(escape.has_error());
  EXPECT_EQ(escape.error().message,
            R"(error converting YAML to JSON: yaml: line 1: unknown escape character: \x1b)");
}

}  // namespace
}  // namespace kauth::config
