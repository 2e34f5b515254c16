#include "api/object_meta.h"

#include <utility>

namespace kauth::api {
namespace {

void AddString(JsonValue& object, const char* key, const std::string& value) {
  if (!value.empty()) object.Add(key, JsonValue::String(value));
}

JsonValue StringArray(const std::vector<std::string>& values) {
  JsonValue array = JsonValue::Array();
  for (const std::string& value : values) array.elements().push_back(JsonValue::String(value));
  return array;
}

JsonValue StringMap(const std::map<std::string, std::string>& values) {
  JsonValue object = JsonValue::Object();
  for (const auto& [key, value] : values) object.Add(key, JsonValue::String(value));
  return object;
}

JsonValue Time(GoTime time) {
  return time.IsZero() ? JsonValue() : JsonValue::String(FormatRfc3339Utc(time));
}

// metav1.OwnerReference: the four strings are always written.
JsonValue DecodeOwnerReference(GoDecoder& decoder, JsonValue& value) {
  std::string api_version, kind, name, uid;
  std::optional<bool> controller, block_owner_deletion;
  decoder.Struct(value, "v1.OwnerReference", "OwnerReference",
                 {{"apiVersion", [&](JsonValue& v) { decoder.String(v, api_version); }},
                  {"kind", [&](JsonValue& v) { decoder.String(v, kind); }},
                  {"name", [&](JsonValue& v) { decoder.String(v, name); }},
                  {"uid", [&](JsonValue& v) { decoder.String(v, uid, "types.UID"); }},
                  {"controller", [&](JsonValue& v) { decoder.OptionalBool(v, controller); }},
                  {"blockOwnerDeletion",
                   [&](JsonValue& v) { decoder.OptionalBool(v, block_owner_deletion); }}});
  JsonValue out = JsonValue::Object();
  out.Add("apiVersion", JsonValue::String(api_version));
  out.Add("kind", JsonValue::String(kind));
  out.Add("name", JsonValue::String(name));
  out.Add("uid", JsonValue::String(uid));
  if (controller) out.Add("controller", JsonValue::Bool(*controller));
  if (block_owner_deletion) out.Add("blockOwnerDeletion", JsonValue::Bool(*block_owner_deletion));
  return out;
}

// metav1.ManagedFieldsEntry; fieldsV1 is raw JSON that Go keeps as sent.
JsonValue DecodeManagedFieldsEntry(GoDecoder& decoder, JsonValue& value) {
  std::string manager, operation, api_version, fields_type, subresource;
  std::optional<GoTime> time;
  std::optional<JsonValue> fields_v1;
  decoder.Struct(
      value, "v1.ManagedFieldsEntry", "ManagedFieldsEntry",
      {{"manager", [&](JsonValue& v) { decoder.String(v, manager); }},
       {"operation",
        [&](JsonValue& v) { decoder.String(v, operation, "v1.ManagedFieldsOperationType"); }},
       {"apiVersion", [&](JsonValue& v) { decoder.String(v, api_version); }},
       {"time", [&](JsonValue& v) { decoder.OptionalTime(v, time); }},
       {"fieldsType", [&](JsonValue& v) { decoder.String(v, fields_type); }},
       {"fieldsV1",
        [&](JsonValue& v) {
          if (v.is_null()) {
            fields_v1.reset();
          } else {
            fields_v1 = std::move(v);
          }
        }},
       {"subresource", [&](JsonValue& v) { decoder.String(v, subresource); }}});
  JsonValue out = JsonValue::Object();
  AddString(out, "manager", manager);
  AddString(out, "operation", operation);
  AddString(out, "apiVersion", api_version);
  if (time) out.Add("time", Time(*time));
  AddString(out, "fieldsType", fields_type);
  if (fields_v1) out.Add("fieldsV1", std::move(*fields_v1));
  AddString(out, "subresource", subresource);
  return out;
}

}  // namespace

void DecodeObjectMeta(GoDecoder& decoder, JsonValue& value, ObjectMeta& meta) {
  decoder.Struct(
      value, "v1.ObjectMeta", "ObjectMeta",
      {{"name", [&](JsonValue& v) { decoder.String(v, meta.name); }},
       {"generateName", [&](JsonValue& v) { decoder.String(v, meta.generate_name); }},
       {"namespace", [&](JsonValue& v) { decoder.String(v, meta.namespace_name); }},
       {"selfLink", [&](JsonValue& v) { decoder.String(v, meta.self_link); }},
       {"uid", [&](JsonValue& v) { decoder.String(v, meta.uid, "types.UID"); }},
       {"resourceVersion", [&](JsonValue& v) { decoder.String(v, meta.resource_version); }},
       {"generation", [&](JsonValue& v) { decoder.Int64(v, meta.generation); }},
       {"creationTimestamp", [&](JsonValue& v) { decoder.Time(v, meta.creation_timestamp); }},
       {"deletionTimestamp",
        [&](JsonValue& v) { decoder.OptionalTime(v, meta.deletion_timestamp); }},
       {"deletionGracePeriodSeconds",
        [&](JsonValue& v) { decoder.OptionalInt64(v, meta.deletion_grace_period_seconds); }},
       {"labels", [&](JsonValue& v) { decoder.StringMap(v, meta.labels); }},
       {"annotations", [&](JsonValue& v) { decoder.StringMap(v, meta.annotations); }},
       {"ownerReferences",
        [&](JsonValue& v) {
          meta.owner_references.clear();
          decoder.Slice(v, "[]v1.OwnerReference", [&](JsonValue& element) {
            meta.owner_references.push_back(DecodeOwnerReference(decoder, element));
          });
        }},
       {"finalizers", [&](JsonValue& v) { decoder.StringSlice(v, meta.finalizers); }},
       {"managedFields", [&](JsonValue& v) {
          meta.managed_fields.clear();
          decoder.Slice(v, "[]v1.ManagedFieldsEntry", [&](JsonValue& element) {
            meta.managed_fields.push_back(DecodeManagedFieldsEntry(decoder, element));
          });
        }}});
}

JsonValue ObjectMetaToJson(ObjectMeta meta) {
  JsonValue out = JsonValue::Object();
  AddString(out, "name", meta.name);
  AddString(out, "generateName", meta.generate_name);
  AddString(out, "namespace", meta.namespace_name);
  AddString(out, "selfLink", meta.self_link);
  AddString(out, "uid", meta.uid);
  AddString(out, "resourceVersion", meta.resource_version);
  if (meta.generation != 0)
    out.Add("generation", JsonValue::Number(std::to_string(meta.generation)));
  out.Add("creationTimestamp", Time(meta.creation_timestamp));
  if (meta.deletion_timestamp) out.Add("deletionTimestamp", Time(*meta.deletion_timestamp));
  if (meta.deletion_grace_period_seconds) {
    out.Add("deletionGracePeriodSeconds",
            JsonValue::Number(std::to_string(*meta.deletion_grace_period_seconds)));
  }
  if (!meta.labels.empty()) out.Add("labels", StringMap(meta.labels));
  if (!meta.annotations.empty()) out.Add("annotations", StringMap(meta.annotations));
  if (!meta.owner_references.empty()) {
    out.Add("ownerReferences", JsonValue::Array(std::move(meta.owner_references)));
  }
  if (!meta.finalizers.empty()) out.Add("finalizers", StringArray(meta.finalizers));
  if (!meta.managed_fields.empty()) {
    out.Add("managedFields", JsonValue::Array(std::move(meta.managed_fields)));
  }
  return out;
}

}  // namespace kauth::api
