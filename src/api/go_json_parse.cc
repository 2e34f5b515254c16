// Parsing in two passes: a byte-at-a-time state machine with the same states as Go's
// encoding/json scanner finds the first syntax error and names it the way Go does (the state a
// byte is rejected in decides the text), then a builder that may assume valid input makes the
// tree. Both passes keep their nesting on the heap, so deep input cannot exhaust the stack.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "api/go_json.h"
#include "core/go_format.h"

namespace kauth::api {
namespace {

// Go's limit on nesting (encoding/json maxNestingDepth).
constexpr std::size_t kMaxNestingDepth = 10000;

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsHex(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Go's quoteChar: the byte as the rune of the same value, quoted with single quotes (strconv's
// quoting of the one-rune string, its double quotes swapped for single ones).
std::string QuoteChar(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string rune;
  AppendRune(rune, c);
  const std::string quoted = GoQuote(rune);
  return "'" + quoted.substr(1, quoted.size() - 2) + "'";
}

// The scanner: states named after Go's step functions.
class Scanner {
 public:
  // Feeds one byte; false once an error was found.
  bool Step(unsigned char c) {
    Dispatch(c);
    return error_.empty();
  }

  // Go's scanner.eof(): a virtual space ends a pending number or literal.
  bool Eof() {
    if (!error_.empty()) return false;
    if (end_top_) return true;
    Dispatch(' ');
    if (end_top_) return true;
    if (error_.empty()) error_ = "unexpected end of JSON input";
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  enum class State {
    kBeginValueOrEmpty,
    kBeginValue,
    kBeginStringOrEmpty,
    kBeginString,
    kEndValue,
    kEndTop,
    kInString,
    kInStringEsc,
    kInStringEscU,
    kInStringEscU1,
    kInStringEscU12,
    kInStringEscU123,
    kNeg,
    k1,
    k0,
    kDot,
    kDot0,
    kE,
    kESign,
    kE0,
    kT,
    kTr,
    kTru,
    kF,
    kFa,
    kFal,
    kFals,
    kN,
    kNu,
    kNul,
    kError,
  };
  enum class Parse { kObjectKey, kObjectValue, kArrayValue };

  void Fail(unsigned char c, std::string_view context) {
    state_ = State::kError;
    error_ = "invalid character " + QuoteChar(c) + " " + std::string(context);
  }

  void Push(unsigned char c, Parse parse, State next) {
    stack_.push_back(parse);
    if (stack_.size() <= kMaxNestingDepth) {
      state_ = next;
    } else {
      Fail(c, "exceeded max depth");
    }
  }

  void Pop() {
    stack_.pop_back();
    if (stack_.empty()) {
      state_ = State::kEndTop;
      end_top_ = true;
    } else {
      state_ = State::kEndValue;
    }
  }

  void Literal(unsigned char c, char want, State next, std::string_view context) {
    if (c == static_cast<unsigned char>(want)) {
      state_ = next;
    } else {
      Fail(c, context);
    }
  }

  void BeginValue(unsigned char c) {
    if (IsSpace(c)) return;
    switch (c) {
      case '{':
        Push(c, Parse::kObjectKey, State::kBeginStringOrEmpty);
        return;
      case '[':
        Push(c, Parse::kArrayValue, State::kBeginValueOrEmpty);
        return;
      case '"':
        state_ = State::kInString;
        return;
      case '-':
        state_ = State::kNeg;
        return;
      case '0':
        state_ = State::k0;
        return;
      case 't':
        state_ = State::kT;
        return;
      case 'f':
        state_ = State::kF;
        return;
      case 'n':
        state_ = State::kN;
        return;
      default:
        if (c >= '1' && c <= '9') {
          state_ = State::k1;
          return;
        }
        Fail(c, "looking for beginning of value");
    }
  }

  void EndValue(unsigned char c) {
    if (stack_.empty()) {
      state_ = State::kEndTop;
      end_top_ = true;
      EndTop(c);
      return;
    }
    if (IsSpace(c)) {
      state_ = State::kEndValue;
      return;
    }
    switch (stack_.back()) {
      case Parse::kObjectKey:
        if (c == ':') {
          stack_.back() = Parse::kObjectValue;
          state_ = State::kBeginValue;
          return;
        }
        Fail(c, "after object key");
        return;
      case Parse::kObjectValue:
        if (c == ',') {
          stack_.back() = Parse::kObjectKey;
          state_ = State::kBeginString;
          return;
        }
        if (c == '}') {
          Pop();
          return;
        }
        Fail(c, "after object key:value pair");
        return;
      case Parse::kArrayValue:
        if (c == ',') {
          state_ = State::kBeginValue;
          return;
        }
        if (c == ']') {
          Pop();
          return;
        }
        Fail(c, "after array element");
        return;
    }
  }

  void EndTop(unsigned char c) {
    if (!IsSpace(c)) Fail(c, "after top-level value");
  }

  void Dispatch(unsigned char c) {
    switch (state_) {
      case State::kBeginValueOrEmpty:
        if (IsSpace(c)) return;
        if (c == ']') {
          EndValue(c);
          return;
        }
        BeginValue(c);
        return;
      case State::kBeginValue:
        BeginValue(c);
        return;
      case State::kBeginStringOrEmpty:
        if (IsSpace(c)) return;
        if (c == '}') {
          stack_.back() = Parse::kObjectValue;
          EndValue(c);
          return;
        }
        [[fallthrough]];
      case State::kBeginString:
        if (IsSpace(c)) return;
        if (c == '"') {
          state_ = State::kInString;
          return;
        }
        Fail(c, "looking for beginning of object key string");
        return;
      case State::kEndValue:
        EndValue(c);
        return;
      case State::kEndTop:
        EndTop(c);
        return;
      case State::kInString:
        if (c == '"') {
          state_ = State::kEndValue;
        } else if (c == '\\') {
          state_ = State::kInStringEsc;
        } else if (c < 0x20) {
          Fail(c, "in string literal");
        }
        return;
      case State::kInStringEsc:
        switch (c) {
          case 'b':
          case 'f':
          case 'n':
          case 'r':
          case 't':
          case '\\':
          case '/':
          case '"':
            state_ = State::kInString;
            return;
          case 'u':
            state_ = State::kInStringEscU;
            return;
          default:
            Fail(c, "in string escape code");
            return;
        }
      case State::kInStringEscU:
      case State::kInStringEscU1:
      case State::kInStringEscU12:
      case State::kInStringEscU123:
        if (!IsHex(c)) {
          Fail(c, "in \\u hexadecimal character escape");
          return;
        }
        state_ = state_ == State::kInStringEscU     ? State::kInStringEscU1
                 : state_ == State::kInStringEscU1  ? State::kInStringEscU12
                 : state_ == State::kInStringEscU12 ? State::kInStringEscU123
                                                    : State::kInString;
        return;
      case State::kNeg:
        if (c == '0') {
          state_ = State::k0;
        } else if (c >= '1' && c <= '9') {
          state_ = State::k1;
        } else {
          Fail(c, "in numeric literal");
        }
        return;
      case State::k1:
        if (IsDigit(c)) return;
        [[fallthrough]];
      case State::k0:
        if (c == '.') {
          state_ = State::kDot;
        } else if (c == 'e' || c == 'E') {
          state_ = State::kE;
        } else {
          EndValue(c);
        }
        return;
      case State::kDot:
        if (IsDigit(c)) {
          state_ = State::kDot0;
        } else {
          Fail(c, "after decimal point in numeric literal");
        }
        return;
      case State::kDot0:
        if (IsDigit(c)) return;
        if (c == 'e' || c == 'E') {
          state_ = State::kE;
        } else {
          EndValue(c);
        }
        return;
      case State::kE:
        if (c == '+' || c == '-') {
          state_ = State::kESign;
          return;
        }
        [[fallthrough]];
      case State::kESign:
        if (IsDigit(c)) {
          state_ = State::kE0;
        } else {
          Fail(c, "in exponent of numeric literal");
        }
        return;
      case State::kE0:
        if (!IsDigit(c)) EndValue(c);
        return;
      case State::kT:
        Literal(c, 'r', State::kTr, "in literal true (expecting 'r')");
        return;
      case State::kTr:
        Literal(c, 'u', State::kTru, "in literal true (expecting 'u')");
        return;
      case State::kTru:
        Literal(c, 'e', State::kEndValue, "in literal true (expecting 'e')");
        return;
      case State::kF:
        Literal(c, 'a', State::kFa, "in literal false (expecting 'a')");
        return;
      case State::kFa:
        Literal(c, 'l', State::kFal, "in literal false (expecting 'l')");
        return;
      case State::kFal:
        Literal(c, 's', State::kFals, "in literal false (expecting 's')");
        return;
      case State::kFals:
        Literal(c, 'e', State::kEndValue, "in literal false (expecting 'e')");
        return;
      case State::kN:
        Literal(c, 'u', State::kNu, "in literal null (expecting 'u')");
        return;
      case State::kNu:
        Literal(c, 'l', State::kNul, "in literal null (expecting 'l')");
        return;
      case State::kNul:
        Literal(c, 'l', State::kEndValue, "in literal null (expecting 'l')");
        return;
      case State::kError:
        return;
    }
  }

  State state_ = State::kBeginValue;
  std::vector<Parse> stack_;
  bool end_top_ = false;
  std::string error_;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Four hex digits after "\u" at data[pos]; -1 when they are not there.
long ReadU4(std::string_view data, std::size_t pos) {
  if (pos + 6 > data.size() || data[pos] != '\\' || data[pos + 1] != 'u') return -1;
  long value = 0;
  for (std::size_t i = pos + 2; i < pos + 6; ++i) {
    if (!IsHex(static_cast<unsigned char>(data[i]))) return -1;
    value = value * 16 + HexValue(data[i]);
  }
  return value;
}

// Builds the tree from input the scanner accepted.
class Builder {
 public:
  explicit Builder(std::string_view data) : data_(data) {}

  JsonValue Build() {
    JsonValue root;
    // Open containers; each holds the key awaiting its value when it is an object.
    struct Open {
      JsonValue* container;
      std::string key;
    };
    std::vector<Open> open;
    JsonValue* slot = &root;  // where the next value goes
    for (;;) {
      SkipSpace();
      const char c = data_[pos_];
      if (c == '{' || c == '[') {
        ++pos_;
        *slot = c == '{' ? JsonValue::Object() : JsonValue::Array();
        open.push_back({slot, {}});
      } else {
        *slot = Scalar();
      }
      // Close containers that end here, then find the next slot.
      for (;;) {
        if (open.empty()) return root;
        Open& top = open.back();
        SkipSpace();
        const char next = data_[pos_];
        if (next == '}' || next == ']') {
          ++pos_;
          open.pop_back();
          continue;
        }
        if (next == ',') ++pos_;
        if (top.container->type() == JsonValue::Type::kObject) {
          SkipSpace();
          std::string key = String();
          SkipSpace();
          ++pos_;  // ':'
          slot = &top.container->Add(std::move(key), JsonValue());
        } else {
          top.container->elements().emplace_back();
          slot = &top.container->elements().back();
        }
        break;
      }
    }
  }

 private:
  void SkipSpace() {
    while (pos_ < data_.size() && IsSpace(static_cast<unsigned char>(data_[pos_]))) ++pos_;
  }

  JsonValue Scalar() {
    const char c = data_[pos_];
    if (c == '"') return JsonValue::String(String());
    if (c == 't') {
      pos_ += 4;
      return JsonValue::Bool(true);
    }
    if (c == 'f') {
      pos_ += 5;
      return JsonValue::Bool(false);
    }
    if (c == 'n') {
      pos_ += 4;
      return JsonValue();
    }
    const std::size_t start = pos_;
    while (pos_ < data_.size()) {
      const char d = data_[pos_];
      if (!(IsDigit(static_cast<unsigned char>(d)) || d == '-' || d == '+' || d == '.' ||
            d == 'e' || d == 'E')) {
        break;
      }
      ++pos_;
    }
    return JsonValue::Number(std::string(data_.substr(start, pos_ - start)));
  }

  // Go's unquote: escapes decoded, a surrogate pair joined, a lone surrogate and every invalid
  // UTF-8 byte replaced by U+FFFD.
  std::string String() {
    ++pos_;  // opening quote
    std::string out;
    while (data_[pos_] != '"') {
      const unsigned char c = static_cast<unsigned char>(data_[pos_]);
      if (c == '\\') {
        const char e = data_[pos_ + 1];
        switch (e) {
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            auto rune = static_cast<std::int32_t>(ReadU4(data_, pos_));
            pos_ += 6;
            if (rune >= 0xd800 && rune < 0xe000) {
              const long low = ReadU4(data_, pos_);
              if (rune < 0xdc00 && low >= 0xdc00 && low < 0xe000) {
                rune =
                    0x10000 + ((rune - 0xd800) << 10) + (static_cast<std::int32_t>(low) - 0xdc00);
                pos_ += 6;
              } else {
                rune = -1;  // a lone surrogate becomes U+FFFD
              }
            }
            AppendRune(out, rune);
            continue;
          }
          default:
            out += e;
            break;  // '"', '\\', '/'
        }
        pos_ += 2;
        continue;
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      const DecodedRune rune = DecodeRune(data_, pos_);
      if (rune.rune >= 0) {
        out.append(data_.substr(pos_, rune.size));
      } else {
        AppendRune(out, -1);  // U+FFFD, as Go's decoder writes for invalid UTF-8
      }
      pos_ += rune.size;
    }
    ++pos_;  // closing quote
    return out;
  }

  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<JsonValue> ParseGoJson(std::string_view data) {
  Scanner scanner;
  for (const char c : data) {
    if (!scanner.Step(static_cast<unsigned char>(c))) return Error{scanner.error()};
  }
  if (!scanner.Eof()) return Error{scanner.error()};
  return Builder(data).Build();
}

}  // namespace kauth::api
