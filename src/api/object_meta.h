// ObjectMeta: the metadata of an object a built-in API echoes back (metav1.ObjectMeta), decoded
// and written as kube-apiserver's JSON serializer does: fields in Go's order, empty ones omitted
// except creationTimestamp, which is null when unset.
#ifndef KAUTH_API_OBJECT_META_H_
#define KAUTH_API_OBJECT_META_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/go_decoder.h"
#include "api/go_json.h"
#include "api/go_time.h"

namespace kauth::api {

struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_name;
  std::string self_link;
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  GoTime creation_timestamp;  // zero: null
  std::optional<GoTime> deletion_timestamp;
  std::optional<std::int64_t> deletion_grace_period_seconds;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  // Owner references and managed fields, each already in its written form.
  std::vector<JsonValue> owner_references;
  std::vector<std::string> finalizers;
  std::vector<JsonValue> managed_fields;
};

// Decodes `value` (the "metadata" member) into `meta`.
void DecodeObjectMeta(GoDecoder& decoder, JsonValue& value, ObjectMeta& meta);

// Takes `meta` by value: managed fields may be deep, and are moved rather than copied.
JsonValue ObjectMetaToJson(ObjectMeta meta);

}  // namespace kauth::api

#endif  // KAUTH_API_OBJECT_META_H_
