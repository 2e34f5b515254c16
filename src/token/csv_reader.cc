#include "token/csv_reader.h"

#include <openssl/crypto.h>

#include <stdexcept>

namespace kauth {

std::string CsvError::ToString() const {
  std::string out;
  if (start_line != line) out = "record on line " + std::to_string(start_line) + "; ";
  out +=
      "parse error on line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  out += kind == CsvErrorKind::kBareQuote ? "bare \" in non-quoted-field"
                                          : "extraneous or missing \" in quoted-field";
  return out;
}

void throw_exception_from_error(const CsvError& error, const boost::source_location& /*loc*/) {
  throw std::logic_error("CSV result read as a value but holds an error: " + error.ToString());
}

CsvReader::~CsvReader() {
  buffer_.resize(buffer_.capacity());
  OPENSSL_cleanse(buffer_.data(), buffer_.size());
}

bool CsvReader::ReadLine(Line& line) {
  // Go counts the attempt that finds the end of the input too; the position of a missing
  // closing quote depends on it.
  ++line_count_;
  if (offset_ == input_.size()) return false;
  const std::size_t end = input_.find('\n', offset_);
  std::string_view text;
  if (end == std::string_view::npos) {
    text = input_.substr(offset_);
    offset_ = input_.size();
    line.newline = false;
  } else {
    text = input_.substr(offset_, end - offset_);
    offset_ = end + 1;
    line.newline = true;
  }
  // One '\r' goes, whether it precedes '\n' or the end of the input.
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  line.text = text;
  return true;
}

CsvError CsvReader::Fail(CsvErrorKind kind, std::size_t start_line, std::size_t line,
                         std::size_t column) {
  failed_ = true;
  error_ = CsvError{kind, start_line, line, column};
  return error_;
}

boost::system::result<const CsvRecord*, CsvError> CsvReader::Next() {
  if (failed_) return error_;

  Line line;
  do {
    if (!ReadLine(line)) return nullptr;
  } while (line.text.empty());

  const std::size_t start_line = line_count_;
  buffer_.clear();
  field_ends_.clear();
  // Go tracks the quoted-field position apart from its line count: the two differ only after
  // the line count has moved past the end of the input.
  std::size_t pos_line = line_count_;
  std::size_t column = 1;
  std::string_view rest = line.text;
  bool newline = line.newline;

  bool record_done = false;
  while (!record_done) {
    if (rest.empty() || rest.front() != '"') {
      const std::size_t comma = rest.find(',');
      const std::string_view field = rest.substr(0, comma);
      if (const std::size_t quote = field.find('"'); quote != std::string_view::npos) {
        return Fail(CsvErrorKind::kBareQuote, start_line, line_count_, column + quote);
      }
      buffer_.append(field);
      field_ends_.push_back(buffer_.size());
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
      column += comma + 1;
      continue;
    }

    rest.remove_prefix(1);
    column += 1;
    for (;;) {
      const std::size_t quote = rest.find('"');
      if (quote != std::string_view::npos) {
        buffer_.append(rest.substr(0, quote));
        rest.remove_prefix(quote + 1);
        column += quote + 1;
        if (!rest.empty() && rest.front() == '"') {
          buffer_.push_back('"');
          rest.remove_prefix(1);
          column += 1;
        } else if (!rest.empty() && rest.front() == ',') {
          rest.remove_prefix(1);
          column += 1;
          field_ends_.push_back(buffer_.size());
          break;
        } else if (rest.empty()) {
          field_ends_.push_back(buffer_.size());
          record_done = true;
          break;
        } else {
          // Reported at the quote, not at the character after it.
          return Fail(CsvErrorKind::kQuote, start_line, line_count_, column - 1);
        }
      } else if (!rest.empty() || newline) {
        // The field goes on past the end of this line.
        buffer_.append(rest);
        column += rest.size();
        if (newline) {
          buffer_.push_back('\n');
          column += 1;
        }
        if (ReadLine(line)) {
          rest = line.text;
          newline = line.newline;
          if (!rest.empty() || newline) {
            ++pos_line;
            column = 1;
          }
        } else {
          rest = {};
          newline = false;
        }
      } else {
        return Fail(CsvErrorKind::kQuote, start_line, pos_line, column);
      }
    }
  }

  record_.line = start_line;
  record_.fields.clear();
  const std::string_view all = buffer_;
  std::size_t begin = 0;
  for (const std::size_t end : field_ends_) {
    record_.fields.push_back(all.substr(begin, end - begin));
    begin = end;
  }
  return &record_;
}

}  // namespace kauth
