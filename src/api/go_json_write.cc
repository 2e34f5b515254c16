// Output as Go's encoding/json writes it with its defaults (HTML escaping on), which is what
// kube-apiserver's JSON serializer sends; strings are escaped by kauth_http's Go-compatible
// AppendJsonString, the one the Status bodies use.
#include <string>
#include <vector>

#include "api/go_json.h"
#include "http/status.h"

namespace kauth::api {
namespace {

void Newline(std::string& out, int depth) {
  out += '\n';
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

void WriteScalar(std::string& out, const JsonValue& value) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      out += "null";
      return;
    case JsonValue::Type::kBool:
      out += value.boolean() ? "true" : "false";
      return;
    case JsonValue::Type::kNumber:
      out += value.text();
      return;
    case JsonValue::Type::kString:
      http::AppendJsonString(out, value.text());
      return;
    case JsonValue::Type::kArray:
    case JsonValue::Type::kObject:
      return;
  }
}

std::size_t ChildCount(const JsonValue& value) {
  return value.type() == JsonValue::Type::kArray ? value.elements().size() : value.members().size();
}

// Iterative, so that a deeply nested input echoed back cannot exhaust the stack.
void Write(std::string& out, const JsonValue& root, bool indent) {
  struct Frame {
    const JsonValue* container;
    std::size_t next = 0;
  };
  std::vector<Frame> stack;
  const JsonValue* value = &root;
  for (;;) {
    if (value != nullptr) {
      const bool is_array = value->type() == JsonValue::Type::kArray;
      if (is_array || value->type() == JsonValue::Type::kObject) {
        out += is_array ? '[' : '{';
        stack.push_back({value});
      } else {
        WriteScalar(out, *value);
      }
      value = nullptr;
    }
    if (stack.empty()) return;
    Frame& top = stack.back();
    const int depth = static_cast<int>(stack.size());
    const std::size_t count = ChildCount(*top.container);
    if (top.next == count) {
      if (indent && count > 0) Newline(out, depth - 1);
      out += top.container->type() == JsonValue::Type::kArray ? ']' : '}';
      stack.pop_back();
      continue;
    }
    if (top.next > 0) out += ',';
    if (indent) Newline(out, depth);
    if (top.container->type() == JsonValue::Type::kArray) {
      value = &top.container->elements()[top.next];
    } else {
      const JsonMember& member = top.container->members()[top.next];
      http::AppendJsonString(out, member.key);
      out += indent ? ": " : ":";
      value = &member.value;
    }
    ++top.next;
  }
}

}  // namespace

std::string WriteGoJson(const JsonValue& value, bool indent) {
  std::string out;
  Write(out, value, indent);
  return out;
}

}  // namespace kauth::api
