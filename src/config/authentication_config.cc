#include "config/authentication_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "config/yaml_json.h"
#include "core/go_format.h"
#include "core/strings.h"

namespace kauth::config {
namespace {

using Kind = JsonValue::Kind;

constexpr std::string_view kGroup = "apiserver.config.k8s.io";
constexpr std::string_view kKind = "AuthenticationConfiguration";
constexpr std::string_view kVersions[] = {"v1", "v1beta1", "v1alpha1"};

// Go's os.ReadFile error: "<op> <path>: <errno text>", errno texts in lower case.
std::string PathError(std::string_view op, const std::string& path, int error) {
  std::string reason = std::strerror(error);
  if (!reason.empty() && reason[0] >= 'A' && reason[0] <= 'Z') {
    reason[0] = static_cast<char>(reason[0] - 'A' + 'a');
  }
  return std::string(op) + " " + path + ": " + reason;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{PathError("open", path, errno)};
  std::string data;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return Error{PathError("read", path, error)};
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  // Error is constructible from a string too, so name the alternative.
  return Result<std::string>(boost::system::in_place_value, std::move(data));
}

// runtime.SimpleMetaFactory.Interpret: encoding/json (case-insensitive field names, later keys
// win, null leaves a field alone) into struct { APIVersion, Kind string }.
struct TypeMeta {
  std::string api_version;
  std::string kind;
};

Result<TypeMeta> Interpret(const JsonValue& root) {
  constexpr std::string_view kPrefix = "couldn't get version/kind; json parse error: ";
  TypeMeta meta;
  if (root.kind == Kind::kNull) return meta;
  if (root.kind != Kind::kObject) {
    return Error{std::string(kPrefix) + "json: cannot unmarshal " +
                 std::string(JsonKindName(root.kind)) +
                 " into Go value of type struct { APIVersion string "
                 "\"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
                 "\"json:\\\"kind,omitempty\\\"\" }"};
  }
  std::optional<std::string> first_error;
  for (const JsonMember& member : root.members) {
    std::string* target = nullptr;
    std::string_view field;
    if (EqualsIgnoreCase(member.key, "apiVersion")) {
      target = &meta.api_version;
      field = "apiVersion";
    } else if (EqualsIgnoreCase(member.key, "kind")) {
      target = &meta.kind;
      field = "kind";
    } else {
      continue;
    }
    if (member.value.kind == Kind::kString) {
      *target = member.value.text;
    } else if (member.value.kind != Kind::kNull && !first_error) {
      first_error = "json: cannot unmarshal " + std::string(JsonKindName(member.value.kind)) +
                    " into Go struct field ." + std::string(field) + " of type string";
    }
  }
  if (first_error) return Error{std::string(kPrefix) + *first_error};
  return meta;
}

// kjson.UnmarshalStrict into the versioned AuthenticationConfiguration. A type mismatch is
// fatal (the first one is reported, as encoding/json does); unknown and duplicate fields are
// collected, deduplicated and capped at 100 as sigs.k8s.io/json does.
class StrictDecoder {
 public:
  explicit StrictDecoder(std::string package) : package_(std::move(package)) {}

  void DecodeRoot(const JsonValue& root, AuthenticationConfig& out) {
    std::vector<std::string> seen;
    for (const JsonMember& m : root.members) {
      const std::string& key = m.key;
      if (key == "apiVersion" || key == "kind") {
        // Checked by Interpret; only the type matters here.
        if (m.value.kind != Kind::kString && m.value.kind != Kind::kNull) {
          TypeError(m.value.kind, "AuthenticationConfiguration", key, "string");
        }
      } else if (key == "jwt") {
        DecodeJwt(m.value, out);
      } else if (key == "anonymous") {
        DecodeAnonymous(m.value, out);
      } else {
        Unknown("", key);
        continue;
      }
      CheckDuplicate(seen, "", key);
    }
  }

  // Kubernetes' strict decoding error, or the fatal type error; nothing when all is well.
  Result<void> Finish(const std::vector<std::string>& yaml_duplicates) const {
    if (type_error_) return Error{*type_error_};
    std::vector<std::string> errors;
    if (!yaml_duplicates.empty()) {
      std::string yaml = "error converting YAML to JSON: yaml: unmarshal errors: ";
      for (std::size_t i = 0; i < yaml_duplicates.size(); ++i) {
        if (i != 0) yaml += "; ";
        yaml += yaml_duplicates[i];
      }
      errors.push_back(std::move(yaml));
    }
    errors.insert(errors.end(), strict_.begin(), strict_.end());
    if (errors.empty()) return {};
    std::string message = "strict decoding error: ";
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (i != 0) message += ", ";
      message += errors[i];
    }
    return Error{std::move(message)};
  }

 private:
  static std::string Join(std::string_view prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
  }

  void TypeError(Kind got, std::string_view struct_name, std::string_view field,
                 std::string_view go_type) {
    if (type_error_) return;
    type_error_ = "json: cannot unmarshal " + std::string(JsonKindName(got)) +
                  " into Go struct field " + std::string(struct_name) + "." + std::string(field) +
                  " of type " + std::string(go_type);
  }

  void Strict(std::string message) {
    if (strict_.size() >= 100) return;
    if (std::find(strict_.begin(), strict_.end(), message) != strict_.end()) return;
    strict_.push_back(std::move(message));
  }

  void Unknown(std::string_view path, std::string_view key) {
    Strict("unknown field " + GoQuote(Join(path, key)));
  }

  void CheckDuplicate(std::vector<std::string>& seen, std::string_view path,
                      const std::string& key) {
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      Strict("duplicate field " + GoQuote(Join(path, key)));
    } else {
      seen.push_back(key);
    }
  }

  std::string Typed(std::string_view name) const { return package_ + "." + std::string(name); }

  void DecodeJwt(const JsonValue& value, AuthenticationConfig& out) {
    if (value.kind == Kind::kNull) {
      out.jwt_count = 0;
      return;
    }
    if (value.kind != Kind::kArray) {
      TypeError(value.kind, "AuthenticationConfiguration", "jwt", "[]" + Typed("JWTAuthenticator"));
      return;
    }
    // The entries' schema arrives with the JWT authenticator; only their shape is checked.
    for (const JsonValue& item : value.items) {
      if (item.kind != Kind::kObject && item.kind != Kind::kNull) {
        TypeError(item.kind, "AuthenticationConfiguration", "jwt", Typed("JWTAuthenticator"));
      }
    }
    out.jwt_count = value.items.size();
  }

  void DecodeAnonymous(const JsonValue& value, AuthenticationConfig& out) {
    if (value.kind == Kind::kNull) {
      out.anonymous.reset();
      return;
    }
    if (value.kind != Kind::kObject) {
      TypeError(value.kind, "AuthenticationConfiguration", "anonymous",
                Typed("AnonymousAuthConfig"));
      return;
    }
    // A repeated "anonymous" decodes into the same struct, as Go reuses a non-nil pointer.
    if (!out.anonymous) out.anonymous.emplace();
    AnonymousAuthConfig& anonymous = *out.anonymous;
    std::vector<std::string> seen;
    for (const JsonMember& m : value.members) {
      if (m.key == "enabled") {
        if (m.value.kind == Kind::kBool) {
          anonymous.enabled = m.value.boolean;
        } else if (m.value.kind != Kind::kNull) {
          TypeError(m.value.kind, "AnonymousAuthConfig", "anonymous.enabled", "bool");
        }
      } else if (m.key == "conditions") {
        DecodeConditions(m.value, anonymous);
      } else {
        Unknown("anonymous", m.key);
        continue;
      }
      CheckDuplicate(seen, "anonymous", m.key);
    }
  }

  void DecodeConditions(const JsonValue& value, AnonymousAuthConfig& anonymous) {
    if (value.kind == Kind::kNull) {
      anonymous.condition_paths.clear();
      return;
    }
    if (value.kind != Kind::kArray) {
      TypeError(value.kind, "AnonymousAuthConfig", "anonymous.conditions",
                "[]" + Typed("AnonymousAuthCondition"));
      return;
    }
    anonymous.condition_paths.assign(value.items.size(), std::string());
    for (std::size_t i = 0; i < value.items.size(); ++i) {
      const JsonValue& item = value.items[i];
      if (item.kind == Kind::kNull) continue;
      if (item.kind != Kind::kObject) {
        TypeError(item.kind, "AnonymousAuthConfig", "anonymous.conditions",
                  Typed("AnonymousAuthCondition"));
        continue;
      }
      const std::string path = "anonymous.conditions[" + std::to_string(i) + "]";
      std::vector<std::string> seen;
      for (const JsonMember& m : item.members) {
        if (m.key == "path") {
          if (m.value.kind == Kind::kString) {
            anonymous.condition_paths[i] = m.value.text;
          } else if (m.value.kind != Kind::kNull) {
            TypeError(m.value.kind, "AnonymousAuthCondition", "anonymous.conditions.path",
                      "string");
          }
        } else {
          Unknown(path, m.key);
          continue;
        }
        CheckDuplicate(seen, path, m.key);
      }
    }
  }

  std::string package_;
  std::optional<std::string> type_error_;
  std::vector<std::string> strict_;
};

// Go's %#v of []apiserver.AnonymousAuthCondition, which field.Invalid prints.
std::string GoSyntaxConditions(const std::vector<std::string>& paths) {
  std::string out = "[]apiserver.AnonymousAuthCondition{";
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (i != 0) out += ", ";
    out += "apiserver.AnonymousAuthCondition{Path:" + GoQuote(paths[i]) + "}";
  }
  out += "}";
  return out;
}

}  // namespace

Result<AuthenticationConfig> DecodeAuthenticationConfig(std::string_view data) {
  if (data.empty()) return Error{"empty config data"};
  auto doc = ParseConfigDocument(data);
  if (doc.has_error()) return doc.error();

  auto meta = Interpret(doc->root);
  if (meta.has_error()) return meta.error();
  // schema.ParseGroupVersion.
  std::string group;
  std::string version;
  if (!meta->api_version.empty() && meta->api_version != "/") {
    const auto slashes = std::count(meta->api_version.begin(), meta->api_version.end(), '/');
    if (slashes > 1) {
      return Error{"unexpected GroupVersion string: " + EscapeControlBytes(meta->api_version)};
    }
    if (slashes == 0) {
      version = meta->api_version;
    } else {
      const std::size_t slash = meta->api_version.find('/');
      group = meta->api_version.substr(0, slash);
      version = meta->api_version.substr(slash + 1);
    }
  }
  // kube-apiserver quotes the file as it is, line breaks and all; escaped, the message stays one
  // line and the file cannot write control sequences to the operator's terminal or the logs.
  if (meta->kind.empty()) {
    return Error{"Object 'Kind' is missing in '" + EscapeControlBytes(data) + "'"};
  }
  if (version.empty()) {
    return Error{"Object 'apiVersion' is missing in '" + EscapeControlBytes(data) + "'"};
  }
  const bool known_version =
      std::find(std::begin(kVersions), std::end(kVersions), version) != std::end(kVersions);
  if (group != kGroup || !known_version || meta->kind != kKind) {
    const std::string group_version = group.empty() ? version : group + "/" + version;
    return Error{"no kind " + GoQuote(meta->kind) + " is registered for version " +
                 GoQuote(group_version)};
  }

  AuthenticationConfig config;
  config.api_version = meta->api_version;
  StrictDecoder decoder(version);
  decoder.DecodeRoot(doc->root, config);
  auto finished = decoder.Finish(doc->duplicate_keys);
  if (finished.has_error()) return finished.error();
  return config;
}

Result<AuthenticationConfig> LoadAuthenticationConfig(const std::string& path) {
  const std::string prefix =
      "failed to load authentication configuration from file " + GoQuote(path) + ": ";
  auto data = ReadWholeFile(path);
  if (data.has_error()) return Error{prefix + data.error().message};
  auto config = DecodeAuthenticationConfig(*data);
  if (config.has_error()) return Error{prefix + config.error().message};
  config->data = std::move(*data);
  return config;
}

Result<void> ValidateAuthenticationConfig(const AuthenticationConfig& config) {
  std::vector<std::string> errors;
  if (config.jwt_count > 0) {
    errors.emplace_back(
        "jwt: Forbidden: JWT authenticators are not supported yet; they arrive in a later kauth "
        "release");
  }
  if (config.anonymous && !config.anonymous->enabled &&
      !config.anonymous->condition_paths.empty()) {
    errors.push_back("anonymous.conditions: Invalid value: " +
                     GoSyntaxConditions(config.anonymous->condition_paths) +
                     ": enabled should be set to true when conditions are defined");
  }
  if (errors.empty()) return {};
  std::string message = "invalid authentication configuration: ";
  if (errors.size() == 1) {
    message += errors[0];
  } else {
    message += "[";
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (i != 0) message += ", ";
      message += errors[i];
    }
    message += "]";
  }
  return Error{std::move(message)};
}

}  // namespace kauth::config
