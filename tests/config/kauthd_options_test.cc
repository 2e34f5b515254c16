#include "config/kauthd_options.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "testing/cert_factory.h"

namespace kauth::config {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;
using Args = std::vector<const char*>;

Result<KauthdOptions> Parse(const Args& args) { return ParseKauthdFlags(args); }

std::string ParseError(const Args& args) {
  auto options = Parse(args);
  return options.has_error() ? options.error().message : "<parsed>";
}

// Issue 3 item 2 and 4: kube-apiserver's defaults where it has the flag, kauth's otherwise.
TEST(KauthdOptionsTest, Defaults) {
  auto options = Parse({});
  ASSERT_TRUE(options.has_value()) << options.error().message;
  const KauthdOptions& o = *options;
  EXPECT_EQ(o.bind_address, "0.0.0.0");
  EXPECT_EQ(o.secure_port, 6443);
  EXPECT_EQ(o.cert_dir, "/var/run/kubernetes");
  EXPECT_EQ(o.tls_cert_file, "");
  EXPECT_EQ(o.tls_private_key_file, "");
  EXPECT_EQ(o.tls_min_version, TlsVersion::kTls12);
  EXPECT_EQ(o.client_ca_file, "");
  EXPECT_EQ(o.token_auth_file, "");
  EXPECT_TRUE(o.anonymous_auth);
  EXPECT_FALSE(o.anonymous_auth_set);
  EXPECT_EQ(o.api_audiences, Strings{});
  EXPECT_EQ(o.authentication_config_file, "");
  EXPECT_FALSE(o.authentication_config.has_value());
  EXPECT_TRUE(o.anonymous_enabled);
  EXPECT_FALSE(o.anonymous_options.allowed_paths.has_value());
  EXPECT_EQ(o.metrics_allowed_groups, Strings{"system:masters"});
  EXPECT_EQ(o.metrics_allowed_users, Strings{});
  EXPECT_EQ(o.tokenreview_allowed_groups, Strings{"system:masters"});
  EXPECT_EQ(o.tokenreview_allowed_users, Strings{});
  EXPECT_EQ(o.upstream, "");
  EXPECT_EQ(o.upstream_ca_file, "");
  EXPECT_EQ(o.upstream_allowed_users, Strings{});
  EXPECT_EQ(o.upstream_allowed_groups, Strings{"system:authenticated"});
  EXPECT_EQ(o.upstream_identity, UpstreamIdentity::kFrontProxy);
  EXPECT_EQ(o.upstream_username_header, "X-Remote-User");
  EXPECT_EQ(o.upstream_group_header, "X-Remote-Group");
  EXPECT_EQ(o.upstream_uid_header, "X-Remote-Uid");
  EXPECT_EQ(o.upstream_extra_header_prefix, "X-Remote-Extra-");
  EXPECT_EQ(o.proxy_client_cert_file, "");
  EXPECT_EQ(o.proxy_client_key_file, "");
  EXPECT_EQ(o.upstream_token_file, "");
  EXPECT_EQ(o.upstream_timeout, 60s);
  EXPECT_EQ(o.proxy_endpoints_port, std::nullopt);
  EXPECT_EQ(o.max_connections, 10000);
  EXPECT_EQ(o.request_header_timeout, 32s);
  EXPECT_EQ(o.shutdown_grace_period, 60s);
  EXPECT_EQ(o.threads, 0);
  EXPECT_EQ(o.verbosity, 0);
  EXPECT_FALSE(o.help);
  EXPECT_FALSE(o.version);
  EXPECT_EQ(o.subcommand, "");
}

// Every flag reaches its field.
TEST(KauthdOptionsTest, EveryFlagIsParsed) {
  auto options = Parse({"--bind-address=127.0.0.1",
                        "--secure-port",
                        "0",
                        "--cert-dir=/tmp/certs",
                        "--tls-cert-file=/c.crt",
                        "--tls-private-key-file=/c.key",
                        "--tls-min-version=VersionTLS13",
                        "--client-ca-file=/ca.crt",
                        "--token-auth-file=/tokens.csv",
                        "--anonymous-auth=false",
                        "--api-audiences=https://kubernetes.default.svc,kauth",
                        "--api-audiences=third",
                        "--metrics-allowed-groups=ops",
                        "--metrics-allowed-users=alice,bob",
                        "--tokenreview-allowed-groups=system:auth-delegators,system:masters",
                        "--tokenreview-allowed-users=kube-apiserver",
                        "--max-connections=20000",
                        "--request-header-timeout=5s",
                        "--shutdown-grace-period=1m30s",
                        "--threads=4",
                        "-v",
                        "4"});
  ASSERT_TRUE(options.has_value()) << options.error().message;
  const KauthdOptions& o = *options;
  EXPECT_EQ(o.bind_address, "127.0.0.1");
  EXPECT_EQ(o.secure_port, 0);
  EXPECT_EQ(o.cert_dir, "/tmp/certs");
  EXPECT_EQ(o.tls_cert_file, "/c.crt");
  EXPECT_EQ(o.tls_private_key_file, "/c.key");
  EXPECT_EQ(o.tls_min_version, TlsVersion::kTls13);
  EXPECT_EQ(o.client_ca_file, "/ca.crt");
  EXPECT_EQ(o.token_auth_file, "/tokens.csv");
  EXPECT_FALSE(o.anonymous_auth);
  EXPECT_TRUE(o.anonymous_auth_set);
  EXPECT_FALSE(o.anonymous_enabled);
  EXPECT_EQ(o.api_audiences, (Strings{"https://kubernetes.default.svc", "kauth", "third"}));
  EXPECT_EQ(o.metrics_allowed_groups, Strings{"ops"});
  EXPECT_EQ(o.metrics_allowed_users, (Strings{"alice", "bob"}));
  EXPECT_EQ(o.tokenreview_allowed_groups, (Strings{"system:auth-delegators", "system:masters"}));
  EXPECT_EQ(o.tokenreview_allowed_users, Strings{"kube-apiserver"});
  EXPECT_EQ(o.max_connections, 20000);
  EXPECT_EQ(o.request_header_timeout, 5s);
  EXPECT_EQ(o.shutdown_grace_period, 90s);
  EXPECT_EQ(o.threads, 4);
  EXPECT_EQ(o.verbosity, 4);
}

// Issue 4: every proxy flag reaches its field.
TEST(KauthdOptionsTest, EveryProxyFlagIsParsed) {
  auto options =
      Parse({"--token-auth-file=/tokens.csv", "--upstream=https://upstream.example:8443/base",
             "--upstream-ca-file=/upstream-ca.crt", "--upstream-allowed-users=alice,bob",
             "--upstream-allowed-groups=dev", "--upstream-allowed-groups=ops",
             "--upstream-identity=front-proxy", "--upstream-username-header=X-User",
             "--upstream-group-header=X-Group", "--upstream-uid-header=X-Uid",
             "--upstream-extra-header-prefix=X-Extra-", "--proxy-client-cert-file=/proxy.crt",
             "--proxy-client-key-file=/proxy.key", "--upstream-timeout=2m",
             "--proxy-endpoints-port=0x2000"});
  ASSERT_TRUE(options.has_value()) << options.error().message;
  const KauthdOptions& o = *options;
  EXPECT_EQ(o.upstream, "https://upstream.example:8443/base");
  EXPECT_EQ(o.upstream_ca_file, "/upstream-ca.crt");
  EXPECT_EQ(o.upstream_allowed_users, (Strings{"alice", "bob"}));
  EXPECT_EQ(o.upstream_allowed_groups, (Strings{"dev", "ops"}));
  EXPECT_EQ(o.upstream_identity, UpstreamIdentity::kFrontProxy);
  EXPECT_EQ(o.upstream_username_header, "X-User");
  EXPECT_EQ(o.upstream_group_header, "X-Group");
  EXPECT_EQ(o.upstream_uid_header, "X-Uid");
  EXPECT_EQ(o.upstream_extra_header_prefix, "X-Extra-");
  EXPECT_EQ(o.proxy_client_cert_file, "/proxy.crt");
  EXPECT_EQ(o.proxy_client_key_file, "/proxy.key");
  EXPECT_EQ(o.upstream_timeout, 120s);
  EXPECT_EQ(o.proxy_endpoints_port, std::optional<std::int64_t>(8192));

  auto impersonate =
      Parse({"--client-ca-file=/ca.crt", "--upstream=http://127.0.0.1:8080", "--upstream-identity",
             "impersonate", "--upstream-token-file=/upstream-token", "--proxy-endpoints-port=0",
             "--upstream-allowed-groups=", "--upstream-allowed-users=alice"});
  ASSERT_TRUE(impersonate.has_value()) << impersonate.error().message;
  EXPECT_EQ(impersonate->upstream_identity, UpstreamIdentity::kImpersonate);
  EXPECT_EQ(impersonate->upstream_token_file, "/upstream-token");
  // An explicit 0 is a free port, not "no listener".
  EXPECT_EQ(impersonate->proxy_endpoints_port, std::optional<std::int64_t>(0));
  // Only a user list: the allow-list may be narrowed to named users.
  EXPECT_EQ(impersonate->upstream_allowed_groups, Strings{});
}

TEST(KauthdOptionsTest, TlsMinVersion) {
  auto empty = Parse({"--tls-min-version="});
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->tls_min_version, TlsVersion::kTls12);
  auto v12 = Parse({"--tls-min-version", "VersionTLS12"});
  ASSERT_TRUE(v12.has_value());
  EXPECT_EQ(v12->tls_min_version, TlsVersion::kTls12);
  EXPECT_EQ(
      ParseError({"--tls-min-version=VersionTLS14"}),
      R"(invalid argument "VersionTLS14" for "--tls-min-version" flag: unknown tls version "VersionTLS14")");
  EXPECT_EQ(
      ParseError({"--tls-min-version=VersionTLS10"}),
      R"(invalid argument "VersionTLS10" for "--tls-min-version" flag: kauthd does not support TLS versions below 1.2; use VersionTLS12 or VersionTLS13)");
  EXPECT_EQ(
      ParseError({"--tls-min-version=VersionTLS11"}),
      R"(invalid argument "VersionTLS11" for "--tls-min-version" flag: kauthd does not support TLS versions below 1.2; use VersionTLS12 or VersionTLS13)");
}

// component-base's NamedCertKeyArray: repeatable, names optional, blanks trimmed.
TEST(KauthdOptionsTest, TlsSniCertKey) {
  auto none = Parse({});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->tls_sni_cert_key.empty());
  auto parsed = Parse({"--tls-sni-cert-key=a.crt,a.key", "--tls-sni-cert-key",
                       " b.crt , b.key : *.b.example.com , b.example.com ",
                       "--tls-sni-cert-key=c.crt,c.key:*.*.*"});
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(
      parsed->tls_sni_cert_key,
      (std::vector<NamedCertKey>{{.cert_file = "a.crt", .key_file = "a.key", .names = {}},
                                 {.cert_file = "b.crt",
                                  .key_file = "b.key",
                                  .names = {"*.b.example.com", "b.example.com"}},
                                 {.cert_file = "c.crt", .key_file = "c.key", .names = {"*.*.*"}}}));
  EXPECT_EQ(
      ParseError({"--tls-sni-cert-key=a.crt,a.key:"}),
      R"(invalid argument "a.crt,a.key:" for "--tls-sni-cert-key" flag: empty names list is not allowed)");
  for (const char* bad : {"--tls-sni-cert-key=", "--tls-sni-cert-key=   ",
                          "--tls-sni-cert-key=a,b,c", "--tls-sni-cert-key=a.crt:x"}) {
    EXPECT_NE(
        ParseError({bad}).find("flag: expected comma separated certificate and key file paths"),
        std::string::npos)
        << bad;
  }
}

// -v / --v: component-base's Level flag (strconv.ParseUint(s, 10, 31)).
TEST(KauthdOptionsTest, Verbosity) {
  for (const Args& args : {Args{"-v=2"}, Args{"-v2"}, Args{"--v", "2"}, Args{"--v=2"}}) {
    auto options = Parse(args);
    ASSERT_TRUE(options.has_value()) << args[0];
    EXPECT_EQ(options->verbosity, 2) << args[0];
  }
  auto max = Parse({"--v=2147483647"});
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->verbosity, 2147483647);
  EXPECT_EQ(
      ParseError({"--v=2147483648"}),
      R"(invalid argument "2147483648" for "-v, --v" flag: strconv.ParseUint: parsing "2147483648": value out of range)");
  EXPECT_EQ(
      ParseError({"-v", "-1"}),
      R"(invalid argument "-1" for "-v, --v" flag: strconv.ParseUint: parsing "-1": invalid syntax)");
}

// Flag syntax errors come straight from the parser, before anything else.
TEST(KauthdOptionsTest, ParseErrorsNameTheFlag) {
  struct Case {
    Args args;
    const char* want;
  };
  const Case cases[] = {
      {{"--foo"}, "unknown flag: --foo"},
      {{"--help", "--foo"}, "unknown flag: --foo"},
      {{"--oidc-issuer-url=https://x"}, "unknown flag: --oidc-issuer-url"},
      {{"--secure-port"}, "flag needs an argument: --secure-port"},
      {{"--secure-port=x"},
       R"(invalid argument "x" for "--secure-port" flag: strconv.ParseInt: parsing "x": invalid syntax)"},
      {{"--anonymous-auth=maybe"},
       R"(invalid argument "maybe" for "--anonymous-auth" flag: strconv.ParseBool: parsing "maybe": invalid syntax)"},
      {{"--shutdown-grace-period=60"},
       R"(invalid argument "60" for "--shutdown-grace-period" flag: time: missing unit in duration "60")"},
      {{"--request-header-timeout=1d"},
       R"(invalid argument "1d" for "--request-header-timeout" flag: time: unknown unit "d" in duration "1d")"},
      {{"--bind-address=localhost"},
       R"(invalid argument "localhost" for "--bind-address" flag: failed to parse IP: "localhost")"},
      {{"--api-audiences=a\"b"},
       R"(invalid argument "a\"b" for "--api-audiences" flag: parse error on line 1, column 2: bare " in non-quoted-field)"},
      {{"-x"}, "unknown shorthand flag: 'x' in -x"},
      {{"--upstream-identity=Impersonate"},
       R"(invalid argument "Impersonate" for "--upstream-identity" flag: must be front-proxy or impersonate)"},
      {{"--upstream-timeout=5"},
       R"(invalid argument "5" for "--upstream-timeout" flag: time: missing unit in duration "5")"},
      {{"--proxy-endpoints-port=x"},
       R"(invalid argument "x" for "--proxy-endpoints-port" flag: strconv.ParseInt: parsing "x": invalid syntax)"},
      {{"--proxy-endpoints-port"}, "flag needs an argument: --proxy-endpoints-port"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseError(c.args), c.want);
  }
}

// kube-apiserver's cobra Args check: `"kube-apiserver" does not take any arguments, got [...]`;
// empty arguments pass. A bool flag never takes the next word, which then counts as one.
TEST(KauthdOptionsTest, PositionalArguments) {
  EXPECT_EQ(ParseError({"foo"}), R"("kauthd" does not take any arguments, got ["foo"])");
  EXPECT_EQ(ParseError({"--anonymous-auth", "false"}),
            R"("kauthd" does not take any arguments, got ["false"])");
  EXPECT_EQ(ParseError({"a", "--secure-port=1", "", "b"}),
            R"("kauthd" does not take any arguments, got ["a" "" "b"])");
  EXPECT_EQ(ParseError({"--", "--secure-port=1"}),
            R"("kauthd" does not take any arguments, got ["--secure-port=1"])");
  EXPECT_TRUE(Parse({""}).has_value());
  EXPECT_TRUE(Parse({"--", ""}).has_value());
}

TEST(KauthdOptionsTest, SubcommandWord) {
  const std::string_view subcommands[] = {"dev"};
  auto dev = ParseKauthdFlags(Args{"--secure-port=1", "dev"}, subcommands);
  ASSERT_TRUE(dev.has_value()) << dev.error().message;
  EXPECT_EQ(dev->subcommand, "dev");
  EXPECT_EQ(dev->secure_port, 1);
  auto extra = ParseKauthdFlags(Args{"dev", "x"}, subcommands);
  ASSERT_TRUE(extra.has_error());
  EXPECT_EQ(extra.error().message, R"("kauthd" does not take any arguments, got ["x"])");
  auto not_first = ParseKauthdFlags(Args{"x", "dev"}, subcommands);
  ASSERT_TRUE(not_first.has_error());
  EXPECT_EQ(not_first.error().message, R"("kauthd" does not take any arguments, got ["x" "dev"])");
}

// --help and --version skip validation (kube-apiserver prints them before Validate()).
TEST(KauthdOptionsTest, HelpAndVersionSkipValidation) {
  for (const Args& args : {Args{"--help"}, Args{"-h"}, Args{"--secure-port=70000", "-h"},
                           Args{"--authentication-config=/no/such/file", "--help"}}) {
    auto options = Parse(args);
    ASSERT_TRUE(options.has_value()) << options.error().message;
    EXPECT_TRUE(options->help);
  }
  auto version = Parse({"--version", "--tls-cert-file=/only-cert"});
  ASSERT_TRUE(version.has_value());
  EXPECT_TRUE(version->version);
  auto no_help = Parse({"--help=false"});
  ASSERT_TRUE(no_help.has_value());
  EXPECT_FALSE(no_help->help);
}

// Flag-level validation: one line per rule, all failures reported together as
// utilerrors.NewAggregate writes them.
TEST(KauthdOptionsTest, ValidationErrors) {
  struct Case {
    Args args;
    const char* want;
  };
  const Case cases[] = {
      {{"--secure-port=-1"},
       "--secure-port -1 must be between 0 and 65535, inclusive. 0 picks a free port"},
      {{"--secure-port=65536"},
       "--secure-port 65536 must be between 0 and 65535, inclusive. 0 picks a free port"},
      {{"--tls-cert-file=/c.crt"},
       "--tls-cert-file and --tls-private-key-file must be specified together: missing filename "
       "for serving cert"},
      {{"--tls-private-key-file=/c.key"},
       "--tls-cert-file and --tls-private-key-file must be specified together: missing filename "
       "for serving cert"},
      {{"--max-connections=0"}, "--max-connections 0 must be at least 1"},
      {{"--request-header-timeout=0s"}, "--request-header-timeout 0s must be greater than 0s"},
      {{"--request-header-timeout=-1s"}, "--request-header-timeout -1s must be greater than 0s"},
      {{"--shutdown-grace-period=-1ms"}, "--shutdown-grace-period -1ms must not be negative"},
      {{"--threads=-1"}, "--threads -1 must not be negative (0 means one per CPU core)"},
      {{"--secure-port=70000", "--threads=-2", "--max-connections=-5"},
       "[--secure-port 70000 must be between 0 and 65535, inclusive. 0 picks a free port, "
       "--max-connections -5 must be at least 1, --threads -2 must not be negative (0 means one "
       "per CPU core)]"},
      // Flag validation happens before the authentication config is read.
      {{"--secure-port=-1", "--authentication-config=/no/such/file"},
       "--secure-port -1 must be between 0 and 65535, inclusive. 0 picks a free port"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseError(c.args), c.want);
  }
  for (const Args& ok : {Args{"--secure-port=0"}, Args{"--secure-port=65535"},
                         Args{"--shutdown-grace-period=0s"}, Args{"--max-connections=1"}}) {
    EXPECT_TRUE(Parse(ok).has_value()) << ok[0];
  }
}

// Issue 4: the proxy flags are checked at start-up, one line per broken rule, every rule reported.
TEST(KauthdOptionsTest, ProxyValidationErrors) {
  struct Case {
    const char* name;
    Args args;
    const char* want;
  };
  const Case cases[] = {
      {"proxy flags need --upstream",
       {"--upstream-ca-file=/ca", "--proxy-endpoints-port=0", "--upstream-identity=front-proxy"},
       "[--upstream-ca-file is only used with --upstream, --upstream-identity is only used with "
       "--upstream, --proxy-endpoints-port is only used with --upstream]"},
      {"scheme",
       {"--token-auth-file=/t", "--upstream=ftp://x"},
       R"(--upstream: "ftp://x": the URL must start with http:// or https://)"},
      {"no scheme",
       {"--token-auth-file=/t", "--upstream=localhost:8080"},
       R"(--upstream: "localhost:8080": the URL must start with http:// or https://)"},
      {"no authenticator",
       {"--upstream=http://x", "--anonymous-auth=true"},
       "--upstream requires an authenticator: set --client-ca-file, --token-auth-file or "
       "--requestheader-client-ca-file"},
      {"nobody allowed",
       {"--token-auth-file=/t", "--upstream=http://x", "--upstream-allowed-groups="},
       "--upstream-allowed-users and --upstream-allowed-groups are both empty: no request would "
       "reach the upstream"},
      {"bad header name",
       {"--token-auth-file=/t", "--upstream=http://x", "--upstream-username-header=X User"},
       R"(--upstream-username-header: "X User" is not a valid HTTP header name)"},
      {"front-proxy names in impersonate mode",
       {"--token-auth-file=/t", "--upstream=http://x", "--upstream-identity=impersonate",
        "--upstream-token-file=/u", "--upstream-group-header=X-G"},
       "--upstream-group-header is only used with --upstream-identity=front-proxy"},
      {"cert without key",
       {"--token-auth-file=/t", "--upstream=https://x", "--proxy-client-cert-file=/c"},
       "--proxy-client-cert-file and --proxy-client-key-file must be specified together"},
      {"TLS files with http",
       {"--token-auth-file=/t", "--upstream=http://x", "--upstream-ca-file=/ca",
        "--proxy-client-cert-file=/c", "--proxy-client-key-file=/k"},
       "[--upstream-ca-file is only used with an https --upstream, --proxy-client-cert-file is "
       "only used with an https --upstream]"},
      {"token with front-proxy",
       {"--token-auth-file=/t", "--upstream=https://x", "--upstream-token-file=/u"},
       "--upstream-token-file is only used with --upstream-identity=impersonate"},
      {"impersonate without a credential",
       {"--token-auth-file=/t", "--upstream=https://x", "--upstream-identity=impersonate"},
       "--upstream-identity=impersonate requires kauthd's own credential: --upstream-token-file "
       "or --proxy-client-cert-file and --proxy-client-key-file"},
      {"timeout",
       {"--token-auth-file=/t", "--upstream=http://x", "--upstream-timeout=0s"},
       "--upstream-timeout 0s must be greater than 0s"},
      {"port range",
       {"--token-auth-file=/t", "--upstream=http://x", "--proxy-endpoints-port=-1"},
       "--proxy-endpoints-port -1 must be between 0 and 65535, inclusive. 0 picks a free port"},
      {"same port",
       {"--token-auth-file=/t", "--upstream=http://x", "--proxy-endpoints-port=6443"},
       "--proxy-endpoints-port 6443 must differ from --secure-port"},
      {"aggregated with the other flags",
       {"--threads=-1", "--upstream=http://x", "--upstream-timeout=-1s"},
       "[--threads -1 must not be negative (0 means one per CPU core), --upstream requires an "
       "authenticator: set --client-ca-file, --token-auth-file or --requestheader-client-ca-file, "
       "--upstream-timeout -1s must be greater than 0s]"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseError(c.args), c.want) << c.name;
  }
  const Args ok[] = {
      {"--client-ca-file=/ca", "--upstream=HTTPS://x", "--upstream-ca-file=/ca"},
      {"--requestheader-client-ca-file=/ca", "--upstream=http://x"},
      {"--token-auth-file=/t", "--upstream=https://x", "--upstream-identity=impersonate",
       "--proxy-client-cert-file=/c", "--proxy-client-key-file=/k"},
      {"--token-auth-file=/t", "--upstream=http://x", "--secure-port=0",
       "--proxy-endpoints-port=0"},
      // The defaults of the flags that are only used in front-proxy mode, given explicitly in
      // that mode.
      {"--token-auth-file=/t", "--upstream=http://x", "--upstream-uid-header=X-Remote-Uid"},
  };
  for (const Args& args : ok) {
    auto parsed = Parse(args);
    EXPECT_TRUE(parsed.has_value()) << args[1] << ": " << parsed.error().message;
  }
}

constexpr char kHead[] =
    "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n";

// R12.3: the file's anonymous section decides the anonymous authenticator; --anonymous-auth
// only when the file has none; both together are an error (checked before validation).
TEST(KauthdOptionsTest, R12_3_AnonymousFromFlagOrFile) {
  testing::TempDir dir;
  const std::string with_paths =
      dir.WriteFile("paths.yaml", std::string(kHead) +
                                      "anonymous:\n  enabled: true\n  conditions:\n"
                                      "  - path: /livez\n  - path: /readyz\n")
          .string();
  const std::string disabled =
      dir.WriteFile("disabled.yaml", std::string(kHead) + "anonymous:\n  enabled: false\n")
          .string();
  const std::string bad_conditions =
      dir.WriteFile("bad.yaml", std::string(kHead) +
                                    "anonymous:\n  enabled: false\n  conditions:\n"
                                    "  - path: /livez\n")
          .string();
  const std::string no_anonymous = dir.WriteFile("none.yaml", std::string(kHead)).string();
  const std::string jwt =
      dir.WriteFile("jwt.yaml", std::string(kHead) + "jwt:\n- issuer: {url: https://x}\n").string();

  struct Case {
    const char* name;
    Args args;
    bool enabled;
    std::optional<Strings> paths;
  };
  const std::string p1 = "--authentication-config=" + with_paths;
  const std::string p2 = "--authentication-config=" + disabled;
  const std::string p3 = "--authentication-config=" + no_anonymous;
  const Case cases[] = {
      {"flag default", {}, true, std::nullopt},
      {"flag off", {"--anonymous-auth=false"}, false, std::nullopt},
      {"file paths", {p1.c_str()}, true, Strings{"/livez", "/readyz"}},
      {"file disabled beats the flag default", {p2.c_str()}, false, std::nullopt},
      {"file without anonymous, flag off",
       {p3.c_str(), "--anonymous-auth=false"},
       false,
       std::nullopt},
      {"file without anonymous, flag on", {p3.c_str(), "--anonymous-auth"}, true, std::nullopt},
  };
  for (const Case& c : cases) {
    auto options = Parse(c.args);
    ASSERT_TRUE(options.has_value()) << c.name << ": " << options.error().message;
    EXPECT_EQ(options->anonymous_enabled, c.enabled) << c.name;
    EXPECT_EQ(options->anonymous_options.allowed_paths, c.paths) << c.name;
  }
  auto loaded = Parse({p1.c_str()});
  ASSERT_TRUE(loaded.has_value());
  ASSERT_TRUE(loaded->authentication_config.has_value());
  EXPECT_EQ(loaded->authentication_config->api_version, "apiserver.config.k8s.io/v1");
  EXPECT_EQ(loaded->authentication_config_file, with_paths);

  // Explicitly given, even with the default value, the flag conflicts with the section.
  for (const char* flag : {"--anonymous-auth", "--anonymous-auth=true", "--anonymous-auth=false"}) {
    EXPECT_EQ(ParseError({p1.c_str(), flag}),
              "anonymous: Forbidden: --anonymous-auth flag cannot be set when anonymous field is "
              "configured in authentication configuration file")
        << flag;
  }
  const std::string p4 = "--authentication-config=" + bad_conditions;
  EXPECT_EQ(ParseError({p4.c_str(), "--anonymous-auth=true"}),
            "anonymous: Forbidden: --anonymous-auth flag cannot be set when anonymous field is "
            "configured in authentication configuration file");
  EXPECT_EQ(ParseError({p4.c_str()}),
            "invalid authentication configuration: anonymous.conditions: Invalid value: "
            "[]apiserver.AnonymousAuthCondition{apiserver.AnonymousAuthCondition{Path:\"/livez\"}}"
            ": enabled should be set to true when conditions are defined");
  const std::string p5 = "--authentication-config=" + jwt;
  EXPECT_EQ(ParseError({p5.c_str()}),
            "invalid authentication configuration: jwt: Forbidden: JWT authenticators are not "
            "supported yet; they arrive in a later kauth release");
  const std::string missing = (dir.path() / "missing.yaml").string();
  const std::string p6 = "--authentication-config=" + missing;
  EXPECT_EQ(ParseError({p6.c_str()}), "failed to load authentication configuration from file \"" +
                                          missing + "\": open " + missing +
                                          ": no such file or directory");
}

// --help: kube-apiserver's layout (description, usage line, named sections in order).
TEST(KauthdOptionsTest, HelpListsEveryFlagInSections) {
  const std::string help = KauthdHelp(0);
  ASSERT_TRUE(help.starts_with("kauthd authenticates HTTPS requests"));
  const char* const in_order[] = {
      "\n\nUsage:\n  kauthd [flags]\n\nGeneric flags:\n\n",
      "      --max-connections int",
      "      --request-header-timeout duration",
      "      --shutdown-grace-period duration",
      "      --threads int",
      "\nSecure serving flags:\n\n",
      "      --bind-address ip",
      "      --cert-dir string",
      "      --secure-port int",
      "      --tls-cert-file string",
      "      --tls-min-version string",
      "      --tls-private-key-file string",
      "      --tls-sni-cert-key namedCertKey",
      "\nAuthentication flags:\n\n",
      "      --anonymous-auth ",
      "      --api-audiences strings",
      "      --authentication-config string",
      "      --client-ca-file string",
      "      --token-auth-file string",
      "\nAuthorization flags:\n\n",
      "      --metrics-allowed-groups strings",
      "      --metrics-allowed-users strings",
      "      --tokenreview-allowed-groups strings",
      "      --tokenreview-allowed-users strings",
      "\nProxy flags:\n\n",
      "      --proxy-client-cert-file string",
      "      --proxy-client-key-file string",
      "      --proxy-endpoints-port int",
      "      --upstream string",
      "      --upstream-allowed-groups strings",
      "      --upstream-allowed-users strings",
      "      --upstream-ca-file string",
      "      --upstream-extra-header-prefix string",
      "      --upstream-group-header string",
      "      --upstream-identity string",
      "      --upstream-timeout duration",
      "      --upstream-token-file string",
      "      --upstream-uid-header string",
      "      --upstream-username-header string",
      "\nLogs flags:\n\n",
      "  -v, --v Level",
      "\nGlobal flags:\n\n",
      "  -h, --help ",
      "      --version ",
  };
  std::size_t at = 0;
  for (const char* piece : in_order) {
    const std::size_t found = help.find(piece, at);
    ASSERT_NE(found, std::string::npos) << "missing or out of order: " << piece;
    at = found + 1;
  }
  // Defaults as Go prints them; zero defaults are left out.
  for (const char* d : {"(default 10000)\n", "(default 32s)\n", "(default 1m0s)\n",
                        "(default 0.0.0.0)\n", "(default \"/var/run/kubernetes\")\n",
                        "(default 6443)\n", "(default true)\n", "(default [system:masters])\n",
                        "(default [system:authenticated])\n", "(default \"front-proxy\")\n",
                        "(default \"X-Remote-User\")\n", "(default \"X-Remote-Extra-\")\n"}) {
    EXPECT_NE(help.find(d), std::string::npos) << d;
  }
  EXPECT_EQ(help.find("(default [])"), std::string::npos);
  EXPECT_EQ(help.find("(default 0)"), std::string::npos);
  EXPECT_EQ(help.find("(default \"\")"), std::string::npos);
  EXPECT_EQ(help.find("(default false)"), std::string::npos);
}

TEST(KauthdOptionsTest, HelpWrapsToTheTerminal) {
  const std::string help = KauthdHelp(80);
  std::istringstream lines(help);
  std::string line;
  int description_lines = 0;
  while (std::getline(lines, line)) {
    EXPECT_LE(line.size(), 80u) << line;
    if (line.starts_with(std::string(16, ' ')) && line[16] != ' ') ++description_lines;
  }
  EXPECT_GT(description_lines, 20);
  EXPECT_NE(help.find("\n      --secure-port int" + std::string(48, ' ') + "\n" +
                      std::string(16, ' ') + "TCP port for HTTPS."),
            std::string::npos);
}

}  // namespace
}  // namespace kauth::config
