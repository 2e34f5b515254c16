// The --authentication-config file (R12.1, R12.3): an AuthenticationConfiguration of
// apiserver.config.k8s.io/v1, v1beta1 or v1alpha1, in YAML or JSON, decoded strictly as
// kube-apiserver decodes it (unknown and duplicate fields are errors, field names are
// case-sensitive, values must have the field's JSON type).
//
// This release supports the `anonymous` section (R6.3: enabled, conditions[].path) and an
// empty `jwt` list; JWT authenticators arrive in a later kauth release, so a non-empty list
// fails validation with a message that says so.
//
// Error texts are kube-apiserver's, with these differences (docs/deviations.md):
//   - every message is one line: go-yaml's multi-line "unmarshal errors" list is joined with
//     "; ", and file contents quoted by "Object 'Kind' is missing in '...'" (and the apiVersion
//     in "unexpected GroupVersion string: ...") have control bytes escaped (\n, \r, \t, \xNN:
//     EscapeControlBytes in config/yaml_json.h);
//   - YAML/JSON syntax errors carry yaml-cpp's reason instead of go-yaml's/encoding/json's;
//   - "no kind ... is registered" omits the Go scheme name.
//
// Value types and pure functions; thread-safe.
#ifndef KAUTH_CONFIG_AUTHENTICATION_CONFIG_H_
#define KAUTH_CONFIG_AUTHENTICATION_CONFIG_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kauth/error.h"

namespace kauth::config {

struct AnonymousAuthConfig {
  bool enabled = false;
  // conditions[].path in file order; empty means every path (when enabled).
  std::vector<std::string> condition_paths;

  friend bool operator==(const AnonymousAuthConfig&, const AnonymousAuthConfig&) = default;
};

struct AuthenticationConfig {
  std::string api_version;  // e.g. "apiserver.config.k8s.io/v1beta1"
  // Present when the file has an `anonymous` section (then --anonymous-auth must not be set).
  std::optional<AnonymousAuthConfig> anonymous;
  // Entries in `jwt` (each an object or null); must be 0 in this release.
  std::size_t jwt_count = 0;
  // The file's bytes as read (LoadAuthenticationConfig only): a reload compares them.
  std::string data;
};

// Decodes file contents; no validation. Errors (no file-name prefix):
//   empty config data
//   Object 'Kind' is missing in '<data>'              Object 'apiVersion' is missing in '<data>'
//   no kind "<kind>" is registered for version "<apiVersion>"
//   couldn't get version/kind; json parse error: <reason>
//   json: cannot unmarshal <json kind> into Go struct field <Struct>.<path> of type <type>
//   strict decoding error: unknown field "<path>", duplicate field "<path>", ...
Result<AuthenticationConfig> DecodeAuthenticationConfig(std::string_view data);

// Reads and decodes `path`; every error reads
//   failed to load authentication configuration from file "<path>": <reason>
// where a read failure is Go's os.ReadFile text (`open <path>: no such file or directory`).
Result<AuthenticationConfig> LoadAuthenticationConfig(const std::string& path);

// R12.3's checks of a decoded configuration. The error lists every problem:
//   invalid authentication configuration: <error>            (one)
//   invalid authentication configuration: [<error>, <error>]  (several)
// with <error> one of
//   jwt: Forbidden: JWT authenticators are not supported yet; they arrive in a later kauth release
//   anonymous.conditions: Invalid value: []apiserver.AnonymousAuthCondition{...}: enabled should
//   be set to true when conditions are defined
Result<void> ValidateAuthenticationConfig(const AuthenticationConfig& config);

// R12.3: the error when --anonymous-auth is given and the file has an anonymous section.
inline constexpr std::string_view kAnonymousFlagConflict =
    "anonymous: Forbidden: --anonymous-auth flag cannot be set when anonymous field is "
    "configured in authentication configuration file";

}  // namespace kauth::config

#endif  // KAUTH_CONFIG_AUTHENTICATION_CONFIG_H_
