// JSON as Go's encoding/json reads and writes it, for the built-in APIs whose bodies Kubernetes
// decodes and encodes with it: the syntax errors a client sees are Go's texts, strings decode
// with Go's replacement of invalid UTF-8 and lone surrogates, and output escapes HTML characters
// and U+2028/U+2029 and indents the way json.MarshalIndent does.
//
// JsonValue is a plain value type: objects keep their members in document order, duplicates
// included (Go's decoder lets the last one win; readers do the same by reading in order), and
// numbers keep their literal text so nothing is lost before a typed reader interprets them.
#ifndef KAUTH_API_GO_JSON_H_
#define KAUTH_API_GO_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "kauth/error.h"

namespace kauth::api {

struct JsonMember;

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;  // null
  // Destroys nested values iteratively: a body nested 10,000 deep must not exhaust the stack.
  // Copying is recursive; copy only values built here, never a parsed body.
  ~JsonValue();
  JsonValue(const JsonValue&) = default;
  JsonValue& operator=(const JsonValue&) = default;
  JsonValue(JsonValue&&) noexcept = default;
  JsonValue& operator=(JsonValue&&) noexcept = default;

  static JsonValue Bool(bool value);
  // `literal` must be a valid JSON number.
  static JsonValue Number(std::string literal);
  static JsonValue String(std::string text);
  static JsonValue Array(std::vector<JsonValue> elements = {});
  static JsonValue Object();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool boolean() const { return boolean_; }
  // The literal of a number, or the decoded text of a string.
  const std::string& text() const { return text_; }
  const std::vector<JsonValue>& elements() const { return elements_; }
  std::vector<JsonValue>& elements() { return elements_; }
  const std::vector<JsonMember>& members() const { return members_; }
  std::vector<JsonMember>& members() { return members_; }

  // Appends a member to an object (no check for duplicates). Requires type() == kObject.
  JsonValue& Add(std::string key, JsonValue value);

 private:
  Type type_ = Type::kNull;
  bool boolean_ = false;
  std::string text_;
  std::vector<JsonValue> elements_;
  std::vector<JsonMember> members_;
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

// Parses `data` as Go's json.Unmarshal would accept it. On a syntax error the message is Go's
// SyntaxError text, e.g. "invalid character 'x' looking for beginning of value" or
// "unexpected end of JSON input".
Result<JsonValue> ParseGoJson(std::string_view data);

// Go's json.Marshal (compact, no trailing newline) or json.MarshalIndent(v, "", "  ").
std::string WriteGoJson(const JsonValue& value, bool indent);

}  // namespace kauth::api

#endif  // KAUTH_API_GO_JSON_H_
