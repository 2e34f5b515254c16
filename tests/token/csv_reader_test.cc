#include "token/csv_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kauth {
namespace {

using Fields = std::vector<std::string>;

struct Records {
  std::vector<Fields> fields;
  std::vector<std::size_t> lines;
};

// Reads `input` to the end; the error text replaces the records on failure.
struct ReadOutcome {
  Records records;
  std::string error;
};

ReadOutcome ReadAll(std::string_view input) {
  ReadOutcome out;
  CsvReader reader(input);
  for (;;) {
    auto next = reader.Next();
    if (next.has_error()) {
      out.error = next.error().ToString();
      return out;
    }
    const CsvRecord* record = next.value();
    if (record == nullptr) return out;
    out.records.fields.emplace_back(record->fields.begin(), record->fields.end());
    out.records.lines.push_back(record->line);
  }
}

// R2.2: Go encoding/csv's dialect, with any number of fields per record.
TEST(CsvReaderTest, R2_2_Records) {
  struct Case {
    const char* name;
    std::string input;
    std::vector<Fields> want;
    std::vector<std::size_t> want_lines;
  };
  const Case cases[] = {
      {"empty input", "", {}, {}},
      {"simple", "a,b,c\n", {{"a", "b", "c"}}, {1}},
      {"no final newline", "a,b,c", {{"a", "b", "c"}}, {1}},
      {"any number of fields", "a,b,c\nd\ne,f", {{"a", "b", "c"}, {"d"}, {"e", "f"}}, {1, 2, 3}},
      {"crlf ends a line", "a,b\r\nc,d\r\n", {{"a", "b"}, {"c", "d"}}, {1, 2}},
      {"bare cr is data", "a,b\rc,d\r\n", {{"a", "b\rc", "d"}}, {1}},
      {"cr before end of input dropped", "a,b\r", {{"a", "b"}}, {1}},
      {"only one cr dropped before newline", "a\r\r\nb", {{"a\r"}, {"b"}}, {1, 2}},
      {"lone cr at end of input is a blank line", "a\n\r", {{"a"}}, {1}},
      {"blank lines skipped and counted", "\n\na,b\n\n\r\nc\n\n", {{"a", "b"}, {"c"}}, {3, 6}},
      {"space-only line is a one-field record", "   \n", {{"   "}}, {1}},
      {"tab-only line is a one-field record", "\t", {{"\t"}}, {1}},
      {"leading spaces kept", " a,  b", {{" a", "  b"}}, {1}},
      {"trailing spaces kept", "a ,b ", {{"a ", "b "}}, {1}},
      {"utf-8 bom kept",
       "\xEF\xBB\xBF"
       "a,b",
       {{"\xEF\xBB\xBF"
         "a",
         "b"}},
       {1}},
      {"hash is data", "#a,b\n", {{"#a", "b"}}, {1}},
      {"trailing comma at end of input", "a,b,", {{"a", "b", ""}}, {1}},
      {"trailing comma at end of line", "a,b,\n", {{"a", "b", ""}}, {1}},
      {"only a comma", ",\n", {{"", ""}}, {1}},
      {"quoted fields", R"("a","b,c","d""e")", {{"a", "b,c", "d\"e"}}, {1}},
      {"quoted empty fields", R"("","")", {{"", ""}}, {1}},
      {"doubled quote at the end of a quoted field", R"("a""",b)", {{"a\"", "b"}}, {1}},
      {"only a doubled quote", R"("""")", {{"\""}}, {1}},
      {"quoted then trailing comma", "\"a\",", {{"a", ""}}, {1}},
      {"quoted empty at end of line", "a,\"\"\n", {{"a", ""}}, {1}},
      {"quoted mixed with unquoted", "x,\"y\",z", {{"x", "y", "z"}}, {1}},
      {"newline in quotes", "\"a\nb\",c\nd,e\n", {{"a\nb", "c"}, {"d", "e"}}, {1, 3}},
      {"crlf in quotes becomes lf", "\"a\r\nb\"\r\n", {{"a\nb"}}, {1}},
      {"bare cr in quotes kept", "\"a\rb\"", {{"a\rb"}}, {1}},
      {"blank lines in quotes kept", "\"a\n\nb\"\nc", {{"a\n\nb"}, {"c"}}, {1, 4}},
      {"quoted field ending a line then more lines", "\"a\n\",b\nc", {{"a\n", "b"}, {"c"}}, {1, 3}},
      {"multi-byte text", "\xC3\xA9,\xC3\xBC", {{"\xC3\xA9", "\xC3\xBC"}}, {1}},
      {"invalid utf-8 is data", "\xFF,\"\xFE\"", {{"\xFF", "\xFE"}}, {1}},
      {"nul is data", std::string("a\0b,c", 5), {{std::string("a\0b", 3), "c"}}, {1}},
  };
  for (const auto& c : cases) {
    const ReadOutcome got = ReadAll(c.input);
    EXPECT_EQ(got.error, "") << c.name;
    EXPECT_EQ(got.records.fields, c.want) << c.name;
    EXPECT_EQ(got.records.lines, c.want_lines) << c.name;
  }
}

// R2.2: errors carry Go's text; columns are 1-based byte offsets (Go 1.17 and later).
TEST(CsvReaderTest, R2_2_Errors) {
  struct Case {
    const char* name;
    std::string input;
    std::string want;
  };
  const Case cases[] = {
      {"bare quote (R2.5)", "a\"b,bob,2",
       "parse error on line 1, column 2: bare \" in non-quoted-field"},
      {"doubled quote in unquoted field", "a\"\"b,c",
       "parse error on line 1, column 2: bare \" in non-quoted-field"},
      {"bare quote after space", "a \"word\",\"b\"",
       "parse error on line 1, column 3: bare \" in non-quoted-field"},
      {"bare quote after quoted field", "\"a word\",b\"",
       "parse error on line 1, column 11: bare \" in non-quoted-field"},
      {"space before quote makes it bare", " \"a\",b",
       "parse error on line 1, column 2: bare \" in non-quoted-field"},
      {"columns count bytes, not runes", "\xC3\xA9\"",
       "parse error on line 1, column 3: bare \" in non-quoted-field"},
      {"bare quote on a later record", "a,b\n\nc\"d",
       "parse error on line 3, column 2: bare \" in non-quoted-field"},
      {"stray quote in quoted field", "\"a \"word\",\"b\"",
       "parse error on line 1, column 4: extraneous or missing \" in quoted-field"},
      {"text after closing quote", "x,\"y\"z",
       "parse error on line 1, column 5: extraneous or missing \" in quoted-field"},
      {"missing closing quote at end of input", "\"abc",
       "parse error on line 1, column 5: extraneous or missing \" in quoted-field"},
      {"missing closing quote after newline", "\"abc\n",
       "parse error on line 1, column 6: extraneous or missing \" in quoted-field"},
      {"missing closing quote before dropped cr", "\"a\r",
       "parse error on line 1, column 3: extraneous or missing \" in quoted-field"},
      {"multi-line record, missing closing quote", "\"abc\ndef",
       "record on line 1; parse error on line 2, column 4: extraneous or missing \" in "
       "quoted-field"},
      {"multi-line record, trailing blank line", "\"a\n\n",
       "record on line 1; parse error on line 2, column 2: extraneous or missing \" in "
       "quoted-field"},
      {"multi-line record, stray quote", "\"a\nb\"x",
       "record on line 1; parse error on line 2, column 2: extraneous or missing \" in "
       "quoted-field"},
      {"multi-line record, bare quote in later field", "\"a\nb\",c\"d",
       "record on line 1; parse error on line 2, column 5: bare \" in non-quoted-field"},
      {"multi-line record starting after blank lines", "x,y\n\n\"a\r\nb",
       "record on line 3; parse error on line 4, column 2: extraneous or missing \" in "
       "quoted-field"},
  };
  for (const auto& c : cases) EXPECT_EQ(ReadAll(c.input).error, c.want) << c.name;
}

TEST(CsvReaderTest, R2_2_ErrorFieldsAndRecordsBeforeIt) {
  CsvReader reader("a,b\n\"c\nd\"e");
  auto first = reader.Next();
  ASSERT_TRUE(first.has_value());
  const CsvRecord* record = first.value();
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->fields, (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(record->line, 1u);

  auto second = reader.Next();
  ASSERT_TRUE(second.has_error());
  EXPECT_EQ(second.error(), (CsvError{CsvErrorKind::kQuote, 2, 3, 2}));
  // The error sticks: the reader does not resynchronise on later lines.
  auto third = reader.Next();
  ASSERT_TRUE(third.has_error());
  EXPECT_EQ(third.error(), second.error());
}

TEST(CsvReaderTest, EndOfInputRepeats) {
  CsvReader reader("a\n");
  ASSERT_NE(reader.Next().value(), nullptr);
  EXPECT_EQ(reader.Next().value(), nullptr);
  EXPECT_EQ(reader.Next().value(), nullptr);
}

}  // namespace
}  // namespace kauth
