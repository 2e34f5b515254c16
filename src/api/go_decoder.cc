#include "api/go_decoder.h"

#include <charconv>
#include <utility>

namespace kauth::api {

std::string_view GoJsonTypeName(const JsonValue& value) {
  switch (value.type()) {
    case JsonValue::Type::kString:
      return "string";
    case JsonValue::Type::kNumber:
      return "number";
    case JsonValue::Type::kBool:
      return "bool";
    case JsonValue::Type::kArray:
      return "array";
    case JsonValue::Type::kObject:
      return "object";
    case JsonValue::Type::kNull:
      break;
  }
  return "null";
}

std::string GoDecoder::Context() const {
  std::string path;
  for (std::string_view field : fields_) {
    if (!path.empty()) path += '.';
    path += field;
  }
  return std::string(struct_name_) + "." + path;
}

void GoDecoder::TypeError(std::string_view value_name, std::string_view go_type) {
  if (saved_) return;
  std::string message = "json: cannot unmarshal " + std::string(value_name);
  if (in_struct_) {
    message += " into Go struct field " + Context();
  } else {
    message += " into Go value";
  }
  message += " of type " + std::string(go_type);
  saved_ = std::move(message);
}

void GoDecoder::Struct(JsonValue& value, std::string_view go_type, std::string_view struct_name,
                       std::initializer_list<Field> fields) {
  if (Stopped() || value.is_null()) return;
  if (value.type() != JsonValue::Type::kObject) {
    TypeError(GoJsonTypeName(value), go_type);
    return;
  }
  for (JsonMember& member : value.members()) {
    const Field* field = nullptr;
    for (const Field& candidate : fields) {
      if (candidate.name == member.key) field = &candidate;
    }
    if (field == nullptr) continue;
    const std::string_view saved_struct = struct_name_;
    const bool saved_in_struct = in_struct_;
    fields_.push_back(field->name);
    struct_name_ = struct_name;
    in_struct_ = true;
    field->decode(member.value);
    if (Stopped()) return;  // keep the context of the failure, as Go does
    fields_.pop_back();
    struct_name_ = saved_struct;
    in_struct_ = saved_in_struct;
  }
}

void GoDecoder::String(const JsonValue& value, std::string& out, std::string_view go_type) {
  if (value.is_null()) return;
  if (value.type() != JsonValue::Type::kString) {
    TypeError(GoJsonTypeName(value), go_type);
    return;
  }
  out = value.text();
}

void GoDecoder::Bool(const JsonValue& value, bool& out) {
  if (value.is_null()) return;
  if (value.type() != JsonValue::Type::kBool) {
    TypeError(GoJsonTypeName(value), "bool");
    return;
  }
  out = value.boolean();
}

void GoDecoder::OptionalBool(const JsonValue& value, std::optional<bool>& out) {
  if (value.is_null()) {
    out.reset();
    return;
  }
  bool decoded = false;
  Bool(value, decoded);
  if (value.type() == JsonValue::Type::kBool) out = decoded;
}

void GoDecoder::Int64(const JsonValue& value, std::int64_t& out) {
  if (value.is_null()) return;
  if (value.type() != JsonValue::Type::kNumber) {
    TypeError(GoJsonTypeName(value), "int64");
    return;
  }
  // strconv.ParseInt(literal, 10, 64): no fraction, no exponent, no overflow.
  const std::string& literal = value.text();
  std::int64_t parsed = 0;
  const auto [end, ec] = std::from_chars(literal.data(), literal.data() + literal.size(), parsed);
  if (ec != std::errc() || end != literal.data() + literal.size()) {
    TypeError("number " + literal, "int64");
    return;
  }
  out = parsed;
}

void GoDecoder::OptionalInt64(const JsonValue& value, std::optional<std::int64_t>& out) {
  if (value.is_null()) {
    out.reset();
    return;
  }
  // Go allocates the pointer before decoding into it, so a bad value still leaves it set.
  out = 0;
  Int64(value, *out);
}

void GoDecoder::StringSlice(const JsonValue& value, std::vector<std::string>& out,
                            std::string_view go_type) {
  if (value.is_null()) {
    out.clear();
    return;
  }
  if (value.type() != JsonValue::Type::kArray) {
    TypeError(GoJsonTypeName(value), go_type);
    return;
  }
  out.assign(value.elements().size(), std::string());
  for (std::size_t i = 0; i < out.size(); ++i) String(value.elements()[i], out[i]);
}

void GoDecoder::StringMap(const JsonValue& value, std::map<std::string, std::string>& out,
                          std::string_view go_type) {
  if (value.is_null()) {
    out.clear();
    return;
  }
  if (value.type() != JsonValue::Type::kObject) {
    TypeError(GoJsonTypeName(value), go_type);
    return;
  }
  for (const JsonMember& member : value.members()) {
    std::string decoded;
    String(member.value, decoded);
    out.insert_or_assign(member.key, std::move(decoded));
  }
}

void GoDecoder::StringSliceMap(const JsonValue& value,
                               std::map<std::string, std::vector<std::string>>& out,
                               std::string_view go_type, std::string_view slice_go_type) {
  if (value.is_null()) {
    out.clear();
    return;
  }
  if (value.type() != JsonValue::Type::kObject) {
    TypeError(GoJsonTypeName(value), go_type);
    return;
  }
  for (const JsonMember& member : value.members()) {
    std::vector<std::string> decoded;
    StringSlice(member.value, decoded, slice_go_type);
    out.insert_or_assign(member.key, std::move(decoded));
  }
}

void GoDecoder::Time(const JsonValue& value, GoTime& out) {
  if (Stopped()) return;
  if (value.is_null()) {
    out = GoTime{};
    return;
  }
  // metav1.Time.UnmarshalJSON reads a string with json.Unmarshal, then time.Parse.
  if (value.type() != JsonValue::Type::kString) {
    fatal_ = "json: cannot unmarshal " + std::string(GoJsonTypeName(value)) +
             " into Go struct field " + Context() + " of type string";
    return;
  }
  Result<GoTime> parsed = ParseGoRfc3339(value.text());
  if (!parsed) {
    fatal_ = parsed.error().message;
    return;
  }
  out = *parsed;
}

void GoDecoder::OptionalTime(const JsonValue& value, std::optional<GoTime>& out) {
  if (value.is_null()) {
    out.reset();
    return;
  }
  GoTime decoded;
  Time(value, decoded);
  if (!Stopped()) out = decoded;
}

void GoDecoder::Slice(JsonValue& value, std::string_view go_type,
                      const std::function<void(JsonValue& element)>& element) {
  if (Stopped() || value.is_null()) return;
  if (value.type() != JsonValue::Type::kArray) {
    TypeError(GoJsonTypeName(value), go_type);
    return;
  }
  for (JsonValue& item : value.elements()) {
    element(item);
    if (Stopped()) return;
  }
}

}  // namespace kauth::api
