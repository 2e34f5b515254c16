// GoDecoder: reads a parsed JSON value into typed C++ fields the way Go's encoding/json (as
// vendored in sigs.k8s.io/json, which kube-apiserver decodes request bodies with) reads it into a
// Go struct: keys match field names exactly, unknown keys are skipped, null leaves scalars as
// they are and empties slices and maps, a value of the wrong JSON type is remembered as the
// first error ("json: cannot unmarshal number into Go struct field TokenReviewSpec.spec.token of
// type string") while decoding goes on, and an error from a field with its own decoder (a
// timestamp) ends decoding at once and wins.
//
// Not thread-safe; one decoder reads one body.
#ifndef KAUTH_API_GO_DECODER_H_
#define KAUTH_API_GO_DECODER_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/go_json.h"
#include "api/go_time.h"

namespace kauth::api {

class GoDecoder {
 public:
  struct Field {
    std::string_view name;  // the JSON name
    std::function<void(JsonValue&)> decode;
  };

  // A struct of Go type `go_type` (e.g. "v1.TokenReviewSpec"); errors inside it name
  // `struct_name` (e.g. "TokenReviewSpec"). Values may be moved out of `value`.
  void Struct(JsonValue& value, std::string_view go_type, std::string_view struct_name,
              std::initializer_list<Field> fields);

  void String(const JsonValue& value, std::string& out, std::string_view go_type = "string");
  void Bool(const JsonValue& value, bool& out);
  // A pointer field (*bool): null resets it.
  void OptionalBool(const JsonValue& value, std::optional<bool>& out);
  void Int64(const JsonValue& value, std::int64_t& out);
  void OptionalInt64(const JsonValue& value, std::optional<std::int64_t>& out);
  void StringSlice(const JsonValue& value, std::vector<std::string>& out,
                   std::string_view go_type = "[]string");
  void StringMap(const JsonValue& value, std::map<std::string, std::string>& out,
                 std::string_view go_type = "map[string]string");
  // map[string][]string with a named slice type (e.g. v1.ExtraValue).
  void StringSliceMap(const JsonValue& value, std::map<std::string, std::vector<std::string>>& out,
                      std::string_view go_type, std::string_view slice_go_type);
  // metav1.Time (null is the zero time) and *metav1.Time (null is absent).
  void Time(const JsonValue& value, GoTime& out);
  void OptionalTime(const JsonValue& value, std::optional<GoTime>& out);
  // A slice of Go type `go_type` whose elements `element` decodes in order; nothing is called for
  // null, and a non-array is a type error.
  void Slice(JsonValue& value, std::string_view go_type,
             const std::function<void(JsonValue& element)>& element);

  // The error Go's Unmarshal would return, or nullopt.
  std::optional<std::string> error() const { return fatal_ ? fatal_ : saved_; }

 private:
  // Remembers "json: cannot unmarshal <value_name> into Go ... of type <go_type>" if it is the
  // first error.
  void TypeError(std::string_view value_name, std::string_view go_type);
  bool Stopped() const { return fatal_.has_value(); }
  std::string Context() const;

  std::vector<std::string_view> fields_;
  std::string_view struct_name_;
  bool in_struct_ = false;
  std::optional<std::string> saved_;
  std::optional<std::string> fatal_;
};

// Go's name for the JSON type of `value` in "cannot unmarshal <name>": "string", "number",
// "bool", "array", "object" (never called for null).
std::string_view GoJsonTypeName(const JsonValue& value);

}  // namespace kauth::api

#endif  // KAUTH_API_GO_DECODER_H_
