// Decoding follows the steps of kube-apiserver's create handler for a JSON body: find apiVersion
// and kind with a lenient first read (Go's encoding/json, case-insensitive keys), default them
// from the URL, check the kind is a TokenReview of a served version, then decode strictly typed
// (sigs.k8s.io/json, exact keys). The texts of the 400s are built the way its
// transformDecodeError builds them.
#include "api/token_review_object.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "api/go_decoder.h"
#include "core/strings.h"

namespace kauth::api {
namespace {

constexpr std::string_view kKind = "TokenReview";
// The scheme kube-apiserver names in "not registered" errors.
constexpr std::string_view kSchemeName = "pkg/api/legacyscheme/scheme.go:30";
// Go's reflect name for the struct apimachinery's SimpleMetaFactory reads apiVersion and kind
// into.
constexpr std::string_view kFindKindType =
    "struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
    "\"json:\\\"kind,omitempty\\\"\" }";

// apiserver's summarizeData(body, 30).
std::string Summarize(std::string_view body) {
  constexpr std::size_t kMax = 30;
  if (body.empty()) return "<empty>";
  const std::string_view head = body.substr(0, kMax);
  std::string out;
  if (body[0] == '{') {
    out = std::string(head);
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    for (const char ch : head) {
      const auto c = static_cast<unsigned char>(ch);
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (body.size() > kMax) out += " ...";
  return out;
}

Error Unrecognized(std::string_view reason, std::string_view body) {
  return Error{"the object provided is unrecognized (must be of type TokenReview): " +
               std::string(reason) + " (" + Summarize(body) + ")"};
}

Error CannotHandle(std::string_view kind, std::string_view version, std::string_view reason) {
  return Error{std::string(kind) + " in version \"" + std::string(version) +
               "\" cannot be handled as a TokenReview: " + std::string(reason)};
}

struct TypeMeta {
  std::string api_version;
  std::string kind;
};

// SimpleMetaFactory.Interpret: encoding/json into the findKind struct.
Result<TypeMeta> Interpret(const JsonValue& root) {
  TypeMeta meta;
  if (root.is_null()) return meta;
  if (root.type() != JsonValue::Type::kObject) {
    return Error{"json: cannot unmarshal " + std::string(GoJsonTypeName(root)) +
                 " into Go value of type " + std::string(kFindKindType)};
  }
  std::optional<std::string> error;
  for (const JsonMember& member : root.members()) {
    // encoding/json matches keys without regard to case.
    std::string* field = EqualsIgnoreCase(member.key, "apiVersion") ? &meta.api_version
                         : EqualsIgnoreCase(member.key, "kind")     ? &meta.kind
                                                                    : nullptr;
    if (field == nullptr || member.value.is_null()) continue;
    if (member.value.type() == JsonValue::Type::kString) {
      *field = member.value.text();
    } else if (!error) {
      error = "json: cannot unmarshal " + std::string(GoJsonTypeName(member.value)) +
              " into Go struct field ." +
              (field == &meta.kind ? std::string("kind") : std::string("apiVersion")) +
              " of type string";
    }
  }
  if (error) return Error{*error};
  return meta;
}

struct GroupVersion {
  std::string group;
  std::string version;

  std::string String() const { return group.empty() ? version : group + "/" + version; }
};

// schema.ParseGroupVersion.
Result<GroupVersion> ParseGroupVersion(std::string_view text) {
  if (text.empty() || text == "/") return GroupVersion{};
  const auto slashes = std::count(text.begin(), text.end(), '/');
  if (slashes == 0) return GroupVersion{"", std::string(text)};
  if (slashes == 1) {
    const std::size_t slash = text.find('/');
    return GroupVersion{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
  }
  return Error{"unexpected GroupVersion string: " + std::string(text)};
}

void DecodeUserInfo(GoDecoder& decoder, JsonValue& value, std::string_view package,
                    UserInfo& user) {
  const std::string type = std::string(package) + ".UserInfo";
  const std::string extra_type = "map[string]" + std::string(package) + ".ExtraValue";
  const std::string extra_value_type = std::string(package) + ".ExtraValue";
  decoder.Struct(value, type, "UserInfo",
                 {{"username", [&](JsonValue& v) { decoder.String(v, user.name); }},
                  {"uid", [&](JsonValue& v) { decoder.String(v, user.uid); }},
                  {"groups", [&](JsonValue& v) { decoder.StringSlice(v, user.groups); }},
                  {"extra", [&](JsonValue& v) {
                     decoder.StringSliceMap(v, user.extra, extra_type, extra_value_type);
                   }}});
}

JsonValue StringArray(const std::vector<std::string>& values) {
  JsonValue array = JsonValue::Array();
  for (const std::string& value : values) array.elements().push_back(JsonValue::String(value));
  return array;
}

}  // namespace

Result<TokenReviewObject> DecodeTokenReview(std::string_view body, std::string_view url_version) {
  Result<JsonValue> parsed = ParseGoJson(body);
  if (!parsed) {
    return Unrecognized("couldn't get version/kind; json parse error: " + parsed.error().message,
                        body);
  }
  JsonValue& root = *parsed;
  Result<TypeMeta> type_meta = Interpret(root);
  if (!type_meta) {
    return Unrecognized("couldn't get version/kind; json parse error: " + type_meta.error().message,
                        body);
  }
  Result<GroupVersion> gv = ParseGroupVersion(type_meta->api_version);
  if (!gv) return Unrecognized(gv.error().message, body);

  // gvkWithDefaults with the URL's kind, then with the internal type's group.
  std::string kind = type_meta->kind.empty() ? std::string(kKind) : type_meta->kind;
  if (gv->version.empty() && gv->group.empty()) {
    gv->group = std::string(kAuthenticationGroup);
    gv->version = std::string(url_version);
  }
  if (gv->version.empty() && gv->group == kAuthenticationGroup) {
    gv->version = std::string(url_version);
  }
  if (gv->version.empty()) {
    return CannotHandle(kind, "", "Object 'apiVersion' is missing in '" + std::string(body) + "'");
  }
  if (kind != kKind || gv->group != kAuthenticationGroup ||
      (gv->version != "v1" && gv->version != "v1beta1")) {
    return CannotHandle(kind, gv->version,
                        "no kind \"" + kind + "\" is registered for version \"" + gv->String() +
                            "\" in scheme \"" + std::string(kSchemeName) + "\"");
  }

  TokenReviewObject review;
  review.api_version = gv->String();
  const std::string& package = gv->version;  // Go package of the versioned types
  GoDecoder decoder;
  decoder.Struct(
      root, package + ".TokenReview", "TokenReview",
      {{"metadata", [&](JsonValue& v) { DecodeObjectMeta(decoder, v, review.metadata); }},
       {"spec",
        [&](JsonValue& v) {
          decoder.Struct(
              v, package + ".TokenReviewSpec", "TokenReviewSpec",
              {{"token", [&](JsonValue& f) { decoder.String(f, review.token); }},
               {"audiences", [&](JsonValue& f) { decoder.StringSlice(f, review.audiences); }}});
        }},
       {"status", [&](JsonValue& v) {
          TokenReviewObject::Status& status = review.status;
          decoder.Struct(
              v, package + ".TokenReviewStatus", "TokenReviewStatus",
              {{"authenticated", [&](JsonValue& f) { decoder.Bool(f, status.authenticated); }},
               {"user", [&](JsonValue& f) { DecodeUserInfo(decoder, f, package, status.user); }},
               {"audiences", [&](JsonValue& f) { decoder.StringSlice(f, status.audiences); }},
               {"error", [&](JsonValue& f) { decoder.String(f, status.error); }}});
        }}});
  if (std::optional<std::string> error = decoder.error()) {
    return CannotHandle(kind, gv->version, *error);
  }
  // A cluster-scoped object carries no namespace (rest.EnsureObjectNamespaceMatchesRequest...).
  review.metadata.namespace_name.clear();
  return review;
}

JsonValue UserInfoToJson(const UserInfo& user) {
  JsonValue out = JsonValue::Object();
  if (!user.name.empty()) out.Add("username", JsonValue::String(user.name));
  if (!user.uid.empty()) out.Add("uid", JsonValue::String(user.uid));
  if (!user.groups.empty()) out.Add("groups", StringArray(user.groups));
  if (!user.extra.empty()) {
    JsonValue extra = JsonValue::Object();
    for (const auto& [key, values] : user.extra) extra.Add(key, StringArray(values));
    out.Add("extra", std::move(extra));
  }
  return out;
}

JsonValue TokenReviewToJson(TokenReviewObject review) {
  JsonValue out = JsonValue::Object();
  out.Add("kind", JsonValue::String(std::string(kKind)));
  out.Add("apiVersion", JsonValue::String(review.api_version));
  out.Add("metadata", ObjectMetaToJson(std::move(review.metadata)));
  JsonValue spec = JsonValue::Object();
  if (!review.token.empty()) spec.Add("token", JsonValue::String(review.token));
  if (!review.audiences.empty()) spec.Add("audiences", StringArray(review.audiences));
  out.Add("spec", std::move(spec));
  // TokenReviewStatus: user is a struct, so it is always written, as {} when empty.
  JsonValue status = JsonValue::Object();
  if (review.status.authenticated) status.Add("authenticated", JsonValue::Bool(true));
  status.Add("user", UserInfoToJson(review.status.user));
  if (!review.status.audiences.empty()) {
    status.Add("audiences", StringArray(review.status.audiences));
  }
  if (!review.status.error.empty()) status.Add("error", JsonValue::String(review.status.error));
  out.Add("status", std::move(status));
  return out;
}

}  // namespace kauth::api
