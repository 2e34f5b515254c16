#include "config/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <exception>
#include <map>
#include <utility>

#include "config/go_strconv.h"
#include "core/go_format.h"

namespace kauth::config {
namespace {

using Kind = JsonValue::Kind;

constexpr std::string_view kTagInt = "tag:yaml.org,2002:int";
constexpr std::string_view kTagFloat = "tag:yaml.org,2002:float";
constexpr std::string_view kTagBool = "tag:yaml.org,2002:bool";
constexpr std::string_view kTagNull = "tag:yaml.org,2002:null";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string EscapeControlBytes(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// go-yaml v2's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool IsYamlStyleFloat(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
  } else {
    const std::size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && IsDigit(s[i])) ++i;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const std::size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

// go-yaml v2's resolve() for a plain scalar, reduced to what JSON sees: the kind, and for
// booleans the value.
struct Resolved {
  Kind kind = Kind::kString;
  bool boolean = false;
};

Resolved ResolvePlain(std::string_view s) {
  static constexpr std::string_view kTrue[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                               "True", "TRUE", "on",  "On",  "ON"};
  static constexpr std::string_view kFalse[] = {"n",     "N",     "no",  "No",  "NO", "false",
                                                "False", "FALSE", "off", "Off", "OFF"};
  static constexpr std::string_view kSpecialFloats[] = {".inf",  ".Inf",  ".INF",  "+.inf",
                                                        "+.Inf", "+.INF", "-.inf", "-.Inf",
                                                        "-.INF", ".nan",  ".NaN",  ".NAN"};
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return {Kind::kNull};
  for (const auto t : kTrue) {
    if (s == t) return {Kind::kBool, true};
  }
  for (const auto f : kFalse) {
    if (s == f) return {Kind::kBool, false};
  }
  for (const auto f : kSpecialFloats) {
    if (s == f) return {Kind::kNumber};
  }
  const char c = s[0];
  if (c == '.') {
    return IsYamlStyleFloat(s) ? Resolved{Kind::kNumber} : Resolved{Kind::kString};
  }
  if (c != '+' && c != '-' && !IsDigit(c)) return {Kind::kString};
  std::string plain(s);
  plain.erase(std::remove(plain.begin(), plain.end(), '_'), plain.end());
  if (ParseGoInt(plain, 0, 64).has_value() || ParseGoUint(plain, 0, 64).has_value() ||
      IsYamlStyleFloat(plain)) {
    return {Kind::kNumber};
  }
  if (plain.starts_with("0b") && ParseGoInt(plain.substr(2), 2, 64).has_value()) {
    return {Kind::kNumber};
  }
  if (plain.starts_with("-0b") && ParseGoInt("-" + plain.substr(3), 2, 64).has_value()) {
    return {Kind::kNumber};
  }
  return {Kind::kString};
}

// A map key as Go sees it: its resolved value (for duplicate detection) and the JSON key it
// becomes.
struct Key {
  Kind kind = Kind::kString;
  std::string canonical;  // compared for duplicates
  std::string json_key;
  std::string go_syntax;  // %#v, for the duplicate-key message
};

class Converter {
 public:
  explicit Converter(bool json) : json_(json) {}

  JsonValue Convert(const YAML::Node& node) {
    JsonValue out;
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        ConvertScalar(node, out);
        break;
      case YAML::NodeType::Sequence:
        out.kind = Kind::kArray;
        for (const YAML::Node& item : node) out.items.push_back(Convert(item));
        break;
      case YAML::NodeType::Map:
        out.kind = Kind::kObject;
        ConvertMap(node, out);
        break;
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        out.kind = Kind::kNull;
        break;
    }
    return out;
  }

  std::vector<std::string> TakeDuplicates() { return std::move(duplicates_); }

 private:
  static void ConvertScalar(const YAML::Node& node, JsonValue& out) {
    const std::string& tag = node.Tag();
    const std::string& value = node.Scalar();
    if (tag == "?") {
      const Resolved r = ResolvePlain(value);
      out.kind = r.kind;
      out.boolean = r.boolean;
      out.text = value;
      return;
    }
    out.text = value;
    if (tag == kTagInt || tag == kTagFloat) {
      out.kind = Kind::kNumber;
    } else if (tag == kTagBool) {
      const Resolved r = ResolvePlain(value);
      out.kind = Kind::kBool;
      out.boolean = r.kind == Kind::kBool && r.boolean;
    } else if (tag == kTagNull) {
      out.kind = Kind::kNull;
    } else {
      // "!" (quoted or block scalars), !!str and unknown tags are strings.
      out.kind = Kind::kString;
    }
  }

  static Key MakeKey(const YAML::Node& node) {
    Key key;
    if (!node.IsScalar()) {
      // Complex keys cannot become JSON keys; sigs.k8s.io/yaml rejects them. Keep their text
      // so the decoder reports an unknown field instead.
      key.kind = Kind::kNull;
      key.canonical = key.json_key = key.go_syntax = "null";
      return key;
    }
    JsonValue scalar;
    ConvertScalar(node, scalar);
    key.kind = scalar.kind;
    switch (scalar.kind) {
      case Kind::kBool:
        key.canonical = key.json_key = key.go_syntax = scalar.boolean ? "true" : "false";
        break;
      case Kind::kNumber: {
        std::string plain = scalar.text;
        plain.erase(std::remove(plain.begin(), plain.end(), '_'), plain.end());
        auto as_int = ParseGoInt(plain, 0, 64);
        key.canonical = key.json_key = key.go_syntax =
            as_int.has_value() ? std::to_string(*as_int) : scalar.text;
        break;
      }
      case Kind::kNull:
        key.canonical = key.json_key = key.go_syntax = "null";
        break;
      default:
        key.canonical = key.json_key = scalar.text;
        key.go_syntax = GoQuote(scalar.text);
        break;
    }
    return key;
  }

  void ConvertMap(const YAML::Node& node, JsonValue& out) {
    if (json_) {
      for (const auto& pair : node) {
        out.members.push_back({MakeKey(pair.first).json_key, Convert(pair.second)});
      }
      return;
    }
    // YAML: the last of duplicate keys wins (and is a strict-mode error); json.Marshal of the
    // resulting Go map writes the keys sorted.
    std::vector<std::pair<Kind, std::string>> seen;
    std::map<std::string, JsonValue> by_key;
    // yaml-cpp's iterator yields its pairs by value: keep the nodes, not references into them.
    for (const auto& pair : node) {
      const YAML::Node key_node = pair.first;
      const YAML::Node value_node = pair.second;
      const Key key = MakeKey(key_node);
      // go-yaml decodes the value first (its own duplicates come first) and reports the
      // value's line; an empty value sits on the key's line there, not on the next token's.
      JsonValue value = Convert(value_node);
      const YAML::Mark at = value_node.IsNull() ? key_node.Mark() : value_node.Mark();
      const std::pair<Kind, std::string> id{key.kind, key.canonical};
      if (std::find(seen.begin(), seen.end(), id) != seen.end()) {
        duplicates_.push_back("line " + std::to_string(at.line + 1) + ": key " + key.go_syntax +
                              " already set in map");
      } else {
        seen.push_back(id);
      }
      by_key[key.json_key] = std::move(value);
    }
    for (auto& [key, value] : by_key) out.members.push_back({key, std::move(value)});
  }

  bool json_;
  std::vector<std::string> duplicates_;
};

bool LooksLikeJson(std::string_view data) {
  const std::size_t first = data.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && data[first] == '{';
}

}  // namespace

std::string_view JsonKindName(JsonValue::Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "bool";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
  }
  return "null";
}

Result<ConfigDocument> ParseConfigDocument(std::string_view data) {
  ConfigDocument doc;
  doc.json = LooksLikeJson(data);
  try {
    const YAML::Node root = YAML::Load(std::string(data));
    Converter converter(doc.json);
    doc.root = converter.Convert(root);
    doc.duplicate_keys = converter.TakeDuplicates();
  } catch (const YAML::Exception& e) {
    const int line = e.mark.line + 1;
    if (doc.json) {
      return Error{"couldn't get version/kind; json parse error: " + EscapeControlBytes(e.msg) +
                   " at line " + std::to_string(line) + ", column " +
                   std::to_string(e.mark.column + 1)};
    }
    return Error{"error converting YAML to JSON: yaml: line " + std::to_string(line) + ": " +
                 EscapeControlBytes(e.msg)};
  } catch (const std::exception& e) {
    // yaml-cpp can also fail with std::bad_alloc or its recursion guard.
    return Error{"error converting YAML to JSON: " + EscapeControlBytes(e.what())};
  }
  return doc;
}

}  // namespace kauth::config
