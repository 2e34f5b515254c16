// A configuration file read the way Kubernetes' universal decoder sees it: a document that
// starts with '{' is JSON; anything else is YAML that sigs.k8s.io/yaml converts to JSON with
// go-yaml v2's rules (plain `yes`/`on` are booleans, `0x10` is a number, later duplicate keys
// win and, in strict mode, are errors; object keys come out sorted, as json.Marshal writes a
// Go map). Decoders then walk the JsonValue tree with Go's encoding/json semantics.
//
// Parsing uses yaml-cpp (JSON is YAML); its exceptions never escape.
//
// Value types; thread-safe to read.
#ifndef KAUTH_CONFIG_YAML_JSON_H_
#define KAUTH_CONFIG_YAML_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "kauth/error.h"

namespace kauth::config {

struct JsonMember;

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;                 // a string's contents, or a number as written
  std::vector<JsonValue> items;     // kArray
  std::vector<JsonMember> members;  // kObject: JSON input keeps order and duplicates
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

// Go's name for a JSON value kind in "cannot unmarshal <kind> into ...": "null", "bool",
// "number", "string", "array", "object".
std::string_view JsonKindName(JsonValue::Kind kind);

struct ConfigDocument {
  JsonValue root;
  // The input was JSON (first non-blank byte '{'); otherwise YAML.
  bool json = false;
  // YAML only: go-yaml's strict-mode complaints, in document order, each
  // `line <n>: key <%#v of the key> already set in map`.
  std::vector<std::string> duplicate_keys;
};

// Parses the first document of `data`. A syntax error is
//   YAML: `error converting YAML to JSON: yaml: line <n>: <yaml-cpp's reason>`
//   JSON: `couldn't get version/kind; json parse error: <yaml-cpp's reason> at line <n>,
//          column <c>`
// (the reasons are yaml-cpp's words, not go-yaml's or encoding/json's, with control bytes
// escaped as \n, \r, \t or \xNN so that the message is one line).
Result<ConfigDocument> ParseConfigDocument(std::string_view data);

// `text` with control bytes (below 0x20, and DEL) written as \n, \r, \t or \xNN, other bytes as
// they are: for configuration text quoted in a message (yaml-cpp's reasons can end with the
// offending byte, a raw newline or ESC), so that the message stays one line and a configuration
// file cannot write control sequences to the operator's terminal or the logs.
std::string EscapeControlBytes(std::string_view text);

}  // namespace kauth::config

#endif  // KAUTH_CONFIG_YAML_JSON_H_
