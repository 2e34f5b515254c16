#include <utility>
#include <vector>

#include "api/go_json.h"

namespace kauth::api {

JsonValue::~JsonValue() {
  if (elements_.empty() && members_.empty()) return;
  // Detach the children, and theirs in turn, so each destructor call meets a leaf.
  std::vector<JsonValue> pending;
  const auto detach = [&pending](JsonValue& value) {
    for (JsonValue& element : value.elements_) pending.push_back(std::move(element));
    for (JsonMember& member : value.members_) pending.push_back(std::move(member.value));
    value.elements_.clear();
    value.members_.clear();
  };
  detach(*this);
  while (!pending.empty()) {
    JsonValue value = std::move(pending.back());
    pending.pop_back();
    detach(value);
  }
}

JsonValue JsonValue::Bool(bool value) {
  JsonValue v;
  v.type_ = Type::kBool;
  v.boolean_ = value;
  return v;
}

JsonValue JsonValue::Number(std::string literal) {
  JsonValue v;
  v.type_ = Type::kNumber;
  v.text_ = std::move(literal);
  return v;
}

JsonValue JsonValue::String(std::string text) {
  JsonValue v;
  v.type_ = Type::kString;
  v.text_ = std::move(text);
  return v;
}

JsonValue JsonValue::Array(std::vector<JsonValue> elements) {
  JsonValue v;
  v.type_ = Type::kArray;
  v.elements_ = std::move(elements);
  return v;
}

JsonValue JsonValue::Object() {
  JsonValue v;
  v.type_ = Type::kObject;
  return v;
}

JsonValue& JsonValue::Add(std::string key, JsonValue value) {
  members_.push_back({std::move(key), std::move(value)});
  return members_.back().value;
}

}  // namespace kauth::api
