// CsvReader: the CSV dialect that kube-apiserver reads the token file with (R2.2), that is Go's
// encoding/csv Reader with its defaults (separator ',', no comment character, strict quotes, no
// trimming) and any number of fields per record.
//
// What it reproduces, because operators see it:
//   - "\r\n" ends a line like "\n" (also inside quoted fields, which then hold "\n"); a "\r" just
//     before the end of the input is dropped; any other "\r" is data.
//   - Empty lines are skipped; a line of spaces is a record with one field. A UTF-8 BOM is data.
//   - A field that starts with '"' is quoted: "" is a quote, and ',' and line breaks are data.
//     Any other '"' inside it, or a missing closing quote, is an error; so is a '"' anywhere in
//     a field that does not start with one.
//   - Errors carry Go's text, with lines counted from 1 and columns as 1-based byte offsets, as
//     Go has done since 1.17 (earlier releases counted runes from 0).
//
// The reader borrows its input, which must outlive it. Not thread-safe; use one per input.
#ifndef KAUTH_TOKEN_CSV_READER_H_
#define KAUTH_TOKEN_CSV_READER_H_

#include <boost/system/result.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kauth {

enum class CsvErrorKind {
  kBareQuote,  // a '"' in a field that does not start with one
  kQuote,      // a quoted field with a stray '"' or without its closing quote
};

struct CsvError {
  CsvErrorKind kind;
  std::size_t start_line;  // the line the record starts on
  std::size_t line;        // the line the error is on
  std::size_t column;      // 1-based byte offset in that line

  // Go's ParseError text, e.g. `parse error on line 1, column 2: bare " in non-quoted-field`,
  // with the prefix "record on line <start_line>; " when the record spans several lines.
  std::string ToString() const;

  friend bool operator==(const CsvError&, const CsvError&) = default;
};

// Found through ADL when a result holding a CsvError is read as a value: a programming error.
[[noreturn]] void throw_exception_from_error(const CsvError& error,
                                             const boost::source_location& loc);

struct CsvRecord {
  std::size_t line = 0;  // the line the record starts on
  // At least one field. The views point into the reader and stay valid until the next Next().
  std::vector<std::string_view> fields;
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view input) : input_(input) {}
  // Field contents may be secrets (tokens); the buffer is wiped.
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // The next record, or nullptr at the end of the input. Once it has returned an error, every
  // later call returns the same error.
  boost::system::result<const CsvRecord*, CsvError> Next();

 private:
  // One physical line with its terminator ("\n" or "\r\n") removed.
  struct Line {
    std::string_view text;
    bool newline = false;  // whether a terminator followed `text`
  };

  // Counts a line (even at the end of the input, as Go does) and reads it; false at the end.
  bool ReadLine(Line& line);
  CsvError Fail(CsvErrorKind kind, std::size_t start_line, std::size_t line, std::size_t column);

  std::string_view input_;
  std::size_t offset_ = 0;
  std::size_t line_count_ = 0;
  bool failed_ = false;
  CsvError error_{};
  // Unquoted field contents, one field after another; fields are cut out of it once the record
  // is complete, because appending may move it.
  std::string buffer_;
  std::vector<std::size_t> field_ends_;
  CsvRecord record_;
};

}  // namespace kauth

#endif  // KAUTH_TOKEN_CSV_READER_H_
