#include "config/authentication_config.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "testing/cert_factory.h"

namespace kauth::config {
namespace {

using Paths = std::vector<std::string>;

std::string DecodeError(std::string_view data) {
  auto config = DecodeAuthenticationConfig(data);
  return config.has_error() ? config.error().message : "<decoded>";
}

// R12.1/R12.3: the three API versions, YAML or JSON, with the anonymous section and an empty
// or absent jwt list.
TEST(AuthenticationConfigTest, R12_3_DecodesAnonymousSection) {
  struct Case {
    const char* name;
    const char* data;
    std::string api_version;
    std::optional<AnonymousAuthConfig> anonymous;
    std::size_t jwt_count;
  };
  const Case cases[] = {
      {"v1 with conditions",
       "apiVersion: apiserver.config.k8s.io/v1\n"
       "kind: AuthenticationConfiguration\n"
       "anonymous:\n"
       "  enabled: true\n"
       "  conditions:\n"
       "  - path: /livez\n"
       "  - path: \"/readyz\"\n",
       "apiserver.config.k8s.io/v1", AnonymousAuthConfig{true, {"/livez", "/readyz"}}, 0},
      {"v1beta1 disabled",
       "apiVersion: apiserver.config.k8s.io/v1beta1\n"
       "kind: AuthenticationConfiguration\n"
       "anonymous:\n"
       "  enabled: false\n",
       "apiserver.config.k8s.io/v1beta1", AnonymousAuthConfig{false, {}}, 0},
      {"v1alpha1 without anonymous",
       "apiVersion: apiserver.config.k8s.io/v1alpha1\nkind: AuthenticationConfiguration\n",
       "apiserver.config.k8s.io/v1alpha1", std::nullopt, 0},
      {"JSON",
       R"({"apiVersion":"apiserver.config.k8s.io/v1","kind":"AuthenticationConfiguration",)"
       R"("jwt":[],"anonymous":{"enabled":true,"conditions":[{"path":"/healthz"}]}})",
       "apiserver.config.k8s.io/v1", AnonymousAuthConfig{true, {"/healthz"}}, 0},
      {"empty anonymous object",
       "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n"
       "anonymous: {}\n",
       "apiserver.config.k8s.io/v1", AnonymousAuthConfig{false, {}}, 0},
      {"null anonymous is absent",
       "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n"
       "anonymous: null\njwt: null\n",
       "apiserver.config.k8s.io/v1", std::nullopt, 0},
      {"YAML 1.1 yes is true",
       "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n"
       "anonymous:\n  enabled: yes\n",
       "apiserver.config.k8s.io/v1", AnonymousAuthConfig{true, {}}, 0},
      {"null enabled keeps false, null condition is an empty path",
       "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n"
       "anonymous:\n  enabled: ~\n  conditions: [null, {path: null}, {path: /x}]\n",
       "apiserver.config.k8s.io/v1", AnonymousAuthConfig{false, {"", "", "/x"}}, 0},
      {"comments and document marker",
       "# authentication\n---\napiVersion: apiserver.config.k8s.io/v1 # v1\n"
       "kind: AuthenticationConfiguration\n",
       "apiserver.config.k8s.io/v1", std::nullopt, 0},
      {"jwt entries are counted",
       "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n"
       "jwt:\n- issuer: {url: https://issuer.example}\n- null\n",
       "apiserver.config.k8s.io/v1", std::nullopt, 2},
  };
  for (const Case& c : cases) {
    auto config = DecodeAuthenticationConfig(c.data);
    ASSERT_TRUE(config.has_value()) << c.name << ": " << config.error().message;
    EXPECT_EQ(config->api_version, c.api_version) << c.name;
    EXPECT_EQ(config->anonymous, c.anonymous) << c.name;
    EXPECT_EQ(config->jwt_count, c.jwt_count) << c.name;
  }
}

constexpr char kHead[] =
    "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n";

// R12.1: the decoder's errors with kube-apiserver's texts (strict decoding, type errors,
// missing or unknown apiVersion/kind).
TEST(AuthenticationConfigTest, R12_1_DecodeErrors) {
  struct Case {
    const char* name;
    std::string data;
    std::string want;
  };
  const std::string head = kHead;
  const Case cases[] = {
      {"empty file", "", "empty config data"},
      {"blank file", "  \n", R"(Object 'Kind' is missing in '  \n')"},
      {"missing kind", "apiVersion: apiserver.config.k8s.io/v1\n",
       R"(Object 'Kind' is missing in 'apiVersion: apiserver.config.k8s.io/v1\n')"},
      {"missing apiVersion", "kind: AuthenticationConfiguration\n",
       R"(Object 'apiVersion' is missing in 'kind: AuthenticationConfiguration\n')"},
      {"apiVersion without version", "apiVersion: apiserver.config.k8s.io/\nkind: X\n",
       R"(Object 'apiVersion' is missing in 'apiVersion: apiserver.config.k8s.io/\nkind: X\n')"},
      {"unknown kind", "apiVersion: apiserver.config.k8s.io/v1\nkind: Foo\n",
       R"(no kind "Foo" is registered for version "apiserver.config.k8s.io/v1")"},
      {"unknown version",
       "apiVersion: apiserver.config.k8s.io/v2\nkind: AuthenticationConfiguration\n",
       R"(no kind "AuthenticationConfiguration" is registered for version "apiserver.config.k8s.io/v2")"},
      {"core group", "apiVersion: v1\nkind: AuthenticationConfiguration\n",
       R"(no kind "AuthenticationConfiguration" is registered for version "v1")"},
      {"too many slashes", "apiVersion: a/b/c\nkind: AuthenticationConfiguration\n",
       "unexpected GroupVersion string: a/b/c"},
      // Found by fuzz/authentication_config_fuzz: a quoted scalar can hold line breaks.
      {"too many slashes, line breaks", "apiVersion: \"a/\\r\\n/c\"\nkind: X\n",
       R"(unexpected GroupVersion string: a/\r\n/c)"},
      {"document is a list", "- a\n",
       R"(couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" })"},
      {"document is a string", "hello\n",
       R"(couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" })"},
      {"apiVersion is a number", "apiVersion: 5\nkind: AuthenticationConfiguration\n",
       "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go "
       "struct field .apiVersion of type string"},
      {"YAML syntax", "apiVersion: a\nkind: b: c\n",
       "error converting YAML to JSON: yaml: line 2: illegal map value"},
      {"JSON syntax", "{\"apiVersion\": [}",
       "couldn't get version/kind; json parse error: illegal flow end at line 1, column 17"},
      // Strict decoding.
      {"unknown field", head + "foo: 1\n", R"(strict decoding error: unknown field "foo")"},
      {"unknown field in anonymous", head + "anonymous:\n  enabled: true\n  foo: 1\n",
       R"(strict decoding error: unknown field "anonymous.foo")"},
      {"unknown field in a condition",
       head + "anonymous:\n  enabled: true\n  conditions:\n  - path: /a\n  - pth: /b\n",
       R"(strict decoding error: unknown field "anonymous.conditions[1].pth")"},
      {"field names are case-sensitive", head + "Anonymous:\n  enabled: true\n",
       R"(strict decoding error: unknown field "Anonymous")"},
      {"YAML keys come sorted", head + "zeta: 1\nalpha: 2\n",
       R"(strict decoding error: unknown field "alpha", unknown field "zeta")"},
      {"JSON keys keep their order",
       R"({"apiVersion":"apiserver.config.k8s.io/v1","kind":"AuthenticationConfiguration","zeta":1,"alpha":2})",
       R"(strict decoding error: unknown field "zeta", unknown field "alpha")"},
      {"YAML duplicate key", head + "anonymous:\n  enabled: true\n  enabled: false\n",
       "strict decoding error: error converting YAML to JSON: yaml: unmarshal errors: line 5: "
       "key \"enabled\" already set in map"},
      {"YAML duplicates and unknown fields",
       head + "anonymous:\n  enabled: true\n  enabled: true\nkind: AuthenticationConfiguration\n"
              "foo: 1\n",
       "strict decoding error: error converting YAML to JSON: yaml: unmarshal errors: line 5: "
       "key \"enabled\" already set in map; line 6: key \"kind\" already set in map, unknown "
       "field \"foo\""},
      {"JSON duplicate field",
       R"({"apiVersion":"apiserver.config.k8s.io/v1","kind":"AuthenticationConfiguration",)"
       R"("anonymous":{"enabled":true,"enabled":false},"kind":"AuthenticationConfiguration"})",
       R"(strict decoding error: duplicate field "anonymous.enabled", duplicate field "kind")"},
      {"JSON duplicate in a condition",
       R"({"apiVersion":"apiserver.config.k8s.io/v1","kind":"AuthenticationConfiguration",)"
       R"("anonymous":{"enabled":true,"conditions":[{"path":"/a","path":"/b"}]}})",
       R"(strict decoding error: duplicate field "anonymous.conditions[0].path")"},
      // Type errors are fatal and hide strict errors.
      {"quoted bool", head + "anonymous:\n  enabled: \"true\"\n",
       "json: cannot unmarshal string into Go struct field AnonymousAuthConfig.anonymous.enabled "
       "of type bool"},
      {"number for bool", head + "anonymous:\n  enabled: 1\n",
       "json: cannot unmarshal number into Go struct field AnonymousAuthConfig.anonymous.enabled "
       "of type bool"},
      {"anonymous is a list", head + "anonymous: []\n",
       "json: cannot unmarshal array into Go struct field AuthenticationConfiguration.anonymous "
       "of type v1.AnonymousAuthConfig"},
      {"anonymous is a string (v1beta1)",
       "apiVersion: apiserver.config.k8s.io/v1beta1\nkind: AuthenticationConfiguration\n"
       "anonymous: x\n",
       "json: cannot unmarshal string into Go struct field AuthenticationConfiguration.anonymous "
       "of type v1beta1.AnonymousAuthConfig"},
      {"conditions is a string", head + "anonymous:\n  conditions: x\n",
       "json: cannot unmarshal string into Go struct field "
       "AnonymousAuthConfig.anonymous.conditions of type []v1.AnonymousAuthCondition"},
      {"condition is a number", head + "anonymous:\n  conditions: [5]\n",
       "json: cannot unmarshal number into Go struct field "
       "AnonymousAuthConfig.anonymous.conditions of type v1.AnonymousAuthCondition"},
      {"path is a number", head + "anonymous:\n  conditions:\n  - path: 5\n",
       "json: cannot unmarshal number into Go struct field "
       "AnonymousAuthCondition.anonymous.conditions.path of type string"},
      {"path is YAML 1.1 bool", head + "anonymous:\n  conditions:\n  - path: on\n",
       "json: cannot unmarshal bool into Go struct field "
       "AnonymousAuthCondition.anonymous.conditions.path of type string"},
      {"jwt is an object (v1alpha1)",
       "apiVersion: apiserver.config.k8s.io/v1alpha1\nkind: AuthenticationConfiguration\n"
       "jwt: {}\n",
       "json: cannot unmarshal object into Go struct field AuthenticationConfiguration.jwt of "
       "type []v1alpha1.JWTAuthenticator"},
      {"jwt entry is a string", head + "jwt: [x]\n",
       "json: cannot unmarshal string into Go struct field AuthenticationConfiguration.jwt of "
       "type v1.JWTAuthenticator"},
      {"type error beats unknown field", head + "aaa: 1\nanonymous:\n  enabled: 2\n",
       "json: cannot unmarshal number into Go struct field AnonymousAuthConfig.anonymous.enabled "
       "of type bool"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DecodeError(c.data), c.want) << c.name;
  }
}

// The messages that quote the file (or its apiVersion) escape every control byte, not only line
// breaks: the file's bytes reach the operator's terminal and the logs, where ESC starts a control
// sequence and NUL or BEL do their own damage.
TEST(AuthenticationConfigTest, QuotedFileContentsEscapeControlBytes) {
  EXPECT_EQ(DecodeError("apiVersion: \"a/\\e[2J\\a\\t\\x7f/c\"\nkind: X\n"),
            R"(unexpected GroupVersion string: a/\x1b[2J\x07\t\x7f/c)");
  EXPECT_EQ(DecodeError("# \x1b]0;title\x07\napiVersion: a\tb\r\n"),
            R"(Object 'Kind' is missing in '# \x1b]0;title\x07\napiVersion: a\tb\r\n')");
  EXPECT_EQ(DecodeError(std::string_view("kind: X\n# \0\x1b[31m\n", 17)),
            R"(Object 'apiVersion' is missing in 'kind: X\n# \x00\x1b[31m\n')");
}

// R12.1: loading wraps every failure with the file name, and keeps the bytes for reloads.
TEST(AuthenticationConfigTest, R12_1_LoadWrapsErrorsWithTheFile) {
  testing::TempDir dir;
  const std::string missing = (dir.path() / "missing.yaml").string();
  auto absent = LoadAuthenticationConfig(missing);
  ASSERT_TRUE(absent.has_error());
  EXPECT_EQ(absent.error().message, "failed to load authentication configuration from file \"" +
                                        missing + "\": open " + missing +
                                        ": no such file or directory");

  auto directory = LoadAuthenticationConfig(dir.path().string());
  ASSERT_TRUE(directory.has_error());
  EXPECT_EQ(directory.error().message, "failed to load authentication configuration from file \"" +
                                           dir.path().string() + "\": read " + dir.path().string() +
                                           ": is a directory");

  const std::string empty = dir.WriteFile("empty.yaml", "").string();
  auto empty_config = LoadAuthenticationConfig(empty);
  ASSERT_TRUE(empty_config.has_error());
  EXPECT_EQ(
      empty_config.error().message,
      "failed to load authentication configuration from file \"" + empty + "\": empty config data");

  const std::string strict = dir.WriteFile("strict.yaml", std::string(kHead) + "x: 1\n").string();
  auto strict_config = LoadAuthenticationConfig(strict);
  ASSERT_TRUE(strict_config.has_error());
  EXPECT_EQ(strict_config.error().message,
            "failed to load authentication configuration from file \"" + strict +
                "\": strict decoding error: unknown field \"x\"");

  const std::string data = std::string(kHead) + "anonymous:\n  enabled: true\n";
  const std::string good = dir.WriteFile("good.yaml", data).string();
  auto config = LoadAuthenticationConfig(good);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->data, data);
  EXPECT_EQ(config->anonymous, (AnonymousAuthConfig{true, {}}));
}

// R12.3's validation: conditions need enabled: true (Go's %#v of the conditions in the
// message), and kauth's own refusal of JWT authenticators in this release.
TEST(AuthenticationConfigTest, R12_3_Validation) {
  struct Case {
    const char* name;
    AuthenticationConfig config;
    std::string want;  // empty: valid
  };
  const Case cases[] = {
      {"no sections", {}, ""},
      {"enabled with conditions", {.anonymous = AnonymousAuthConfig{true, {"/livez"}}}, ""},
      {"disabled without conditions", {.anonymous = AnonymousAuthConfig{false, {}}}, ""},
      {"disabled with conditions",
       {.anonymous = AnonymousAuthConfig{false, {"/livez", "/a\"b"}}},
       "invalid authentication configuration: anonymous.conditions: Invalid value: "
       "[]apiserver.AnonymousAuthCondition{apiserver.AnonymousAuthCondition{Path:\"/livez\"}, "
       "apiserver.AnonymousAuthCondition{Path:\"/a\\\"b\"}}: enabled should be set to true when "
       "conditions are defined"},
      {"jwt authenticators",
       {.jwt_count = 1},
       "invalid authentication configuration: jwt: Forbidden: JWT authenticators are not "
       "supported yet; they arrive in a later kauth release"},
      {"both",
       {.anonymous = AnonymousAuthConfig{false, {"/x"}}, .jwt_count = 2},
       "invalid authentication configuration: [jwt: Forbidden: JWT authenticators are not "
       "supported yet; they arrive in a later kauth release, anonymous.conditions: Invalid "
       "value: []apiserver.AnonymousAuthCondition{apiserver.AnonymousAuthCondition{Path:\"/x\"}}"
       ": enabled should be set to true when conditions are defined]"},
  };
  for (const Case& c : cases) {
    auto valid = ValidateAuthenticationConfig(c.config);
    if (c.want.empty()) {
      EXPECT_TRUE(valid.has_value()) << c.name << ": " << valid.error().message;
    } else {
      ASSERT_TRUE(valid.has_error()) << c.name;
      EXPECT_EQ(valid.error().message, c.want) << c.name;
    }
  }
}

}  // namespace
}  // namespace kauth::config
