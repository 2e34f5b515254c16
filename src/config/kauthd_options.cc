#include "config/kauthd_options.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "config/flag_parser.h"
#include "config/go_duration.h"
#include "config/go_strconv.h"
#include "core/go_format.h"
#include "core/strings.h"
#include "proxy/identity_headers.h"
#include "proxy/upstream_authorizer.h"
#include "x509/go_x509_errors.h"

namespace kauth::config {
namespace {

// Section names as kube-apiserver's NamedFlagSets spell them; help capitalizes the first letter.
constexpr std::string_view kGeneric = "generic";
constexpr std::string_view kSecureServing = "secure serving";
constexpr std::string_view kAuthentication = "authentication";
constexpr std::string_view kAuthorization = "authorization";
constexpr std::string_view kProxy = "proxy";
constexpr std::string_view kLogs = "logs";
constexpr std::string_view kGlobal = "global";

// Printed as is (cobra does not wrap a command's Long text), so it carries its own breaks.
constexpr std::string_view kDescription =
    "kauthd authenticates HTTPS requests the way kube-apiserver does (client\n"
    "certificates, static tokens, bearer and WebSocket tokens, anonymous access) and\n"
    "takes kube-apiserver's flags. It serves SelfSubjectReview and TokenReview, the\n"
    "health checks, /version and /metrics. With --upstream it is an authenticating\n"
    "reverse proxy that forwards the caller's identity to the upstream.";

// Every proxy flag but --upstream itself: given without --upstream, each is an error, so that a
// proxy configuration missing its URL does not start as a plain kauthd.
constexpr std::string_view kProxyOnlyFlags[] = {
    "upstream-ca-file",      "upstream-allowed-users",       "upstream-allowed-groups",
    "upstream-identity",     "upstream-username-header",     "upstream-group-header",
    "upstream-uid-header",   "upstream-extra-header-prefix", "proxy-client-cert-file",
    "proxy-client-key-file", "upstream-token-file",          "upstream-timeout",
    "proxy-endpoints-port"};

// The outbound front-proxy names, which mean nothing in impersonate mode.
constexpr std::string_view kFrontProxyOnlyFlags[] = {"upstream-username-header",
                                                     "upstream-group-header", "upstream-uid-header",
                                                     "upstream-extra-header-prefix"};

constexpr std::string_view kFrontProxyName = "front-proxy";
constexpr std::string_view kImpersonateName = "impersonate";

// --tls-min-version: a string flag, as in kube-apiserver, checked when set so that the error
// names the flag: `invalid argument "x" for "--tls-min-version" flag: unknown tls version "x"`.
class TlsVersionValue final : public FlagValue {
 public:
  explicit TlsVersionValue(TlsVersion* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    if (text.empty() || text == "VersionTLS12") {
      *target_ = TlsVersion::kTls12;
    } else if (text == "VersionTLS13") {
      *target_ = TlsVersion::kTls13;
    } else if (text == "VersionTLS10" || text == "VersionTLS11") {
      return Error{
          "kauthd does not support TLS versions below 1.2; use VersionTLS12 or "
          "VersionTLS13"};
    } else {
      return Error{"unknown tls version " + GoQuote(text)};
    }
    text_.assign(text);
    return {};
  }
  std::string String() const override { return text_; }
  std::string Type() const override { return "string"; }
  bool IsZeroDefault(std::string_view d) const override { return d.empty(); }

 private:
  TlsVersion* target_;
  std::string text_;
};

// --upstream-identity: a string flag whose values are checked when set, in pflag's words.
class UpstreamIdentityValue final : public FlagValue {
 public:
  explicit UpstreamIdentityValue(UpstreamIdentity* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    if (text == kFrontProxyName) {
      *target_ = UpstreamIdentity::kFrontProxy;
    } else if (text == kImpersonateName) {
      *target_ = UpstreamIdentity::kImpersonate;
    } else {
      return Error{"must be " + std::string(kFrontProxyName) + " or " +
                   std::string(kImpersonateName)};
    }
    return {};
  }
  std::string String() const override {
    return std::string(*target_ == UpstreamIdentity::kImpersonate ? kImpersonateName
                                                                  : kFrontProxyName);
  }
  std::string Type() const override { return "string"; }
  bool IsZeroDefault(std::string_view d) const override { return d.empty(); }

 private:
  UpstreamIdentity* target_;
};

// --proxy-endpoints-port: an int flag whose absence is distinct from 0, so that 0 can mean "a
// free port" as it does for --secure-port while leaving the flag out means "no second listener".
class OptionalPortValue final : public FlagValue {
 public:
  explicit OptionalPortValue(std::optional<std::int64_t>* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    auto parsed = ParseGoInt(text, 0, 64);
    if (parsed.has_error()) return parsed.error();
    *target_ = *parsed;
    return {};
  }
  std::string String() const override {
    return target_->has_value() ? std::to_string(**target_) : std::string();
  }
  std::string Type() const override { return "int"; }

 private:
  std::optional<std::int64_t>* target_;
};

// --tls-sni-cert-key: component-base's NamedCertKeyArray. Each use appends one NamedCertKey
// (config/named_cert_key.h); the flag prints as "[a.crt,a.key:n1,n2;b.crt,b.key]".
class NamedCertKeyArrayValue final : public FlagValue {
 public:
  explicit NamedCertKeyArrayValue(std::vector<NamedCertKey>* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    Result<NamedCertKey> parsed = ParseNamedCertKey(text);
    if (!parsed) return parsed.error();
    target_->push_back(std::move(*parsed));
    return {};
  }
  std::string String() const override {
    std::string text = "[";
    for (std::size_t i = 0; i < target_->size(); ++i) {
      if (i > 0) text += ';';
      text += FormatNamedCertKey((*target_)[i]);
    }
    return text + "]";
  }
  std::string Type() const override { return "namedCertKey"; }
  // pflag prints kube-apiserver's "(default [])" for this type; kauthd's help leaves empty
  // lists out everywhere.
  bool IsZeroDefault(std::string_view d) const override { return d == "[]"; }

 private:
  std::vector<NamedCertKey>* target_;
};

// -v / --v: component-base's verbosityLevelPflag (type "Level", strconv.ParseUint(s, 10, 31)).
class VerbosityValue final : public FlagValue {
 public:
  explicit VerbosityValue(int* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    auto parsed = ParseGoUint(text, 10, 31);
    if (parsed.has_error()) return parsed.error();
    *target_ = static_cast<int>(*parsed);
    return {};
  }
  std::string String() const override { return std::to_string(*target_); }
  std::string Type() const override { return "Level"; }

 private:
  int* target_;
};

FlagSpec Spec(std::string_view name, std::string_view section, std::string_view usage,
              char shorthand = '\0') {
  return FlagSpec{std::string(name), shorthand, std::string(usage), std::string(section)};
}

// Registers every kauthd flag on `fs`, bound to `o`. The order of the first flag of each
// section sets the section order in help.
void RegisterFlags(FlagSet& fs, KauthdOptions& o) {
  fs.AddInt(Spec("max-connections", kGeneric,
                 "The maximum number of client connections kauthd serves at once."),
            &o.max_connections);
  fs.AddDuration(Spec("request-header-timeout", kGeneric,
                      "How long a client may take to send a request's headers (the read-header "
                      "timeout kube-apiserver sets on its HTTP server). It never limits a "
                      "request body or an upgraded connection."),
                 &o.request_header_timeout);
  fs.AddDuration(Spec("shutdown-grace-period", kGeneric,
                      "On SIGTERM or SIGINT kauthd stops accepting connections and lets "
                      "in-flight requests finish for at most this long, then exits 0."),
                 &o.shutdown_grace_period);
  fs.AddInt(Spec("threads", kGeneric,
                 "The number of threads serving connections. 0 means one per CPU core."),
            &o.threads);

  fs.AddIp(Spec("bind-address", kSecureServing,
                "Address to accept HTTPS connections on (an IP literal); 0.0.0.0 or :: "
                "accepts them on every interface."),
           &o.bind_address);
  fs.AddString(Spec("cert-dir", kSecureServing,
                    "Without --tls-cert-file and --tls-private-key-file, kauthd keeps a "
                    "self-signed serving certificate and key in this directory "
                    "(apiserver.crt, apiserver.key), generating them on first start. Unused "
                    "when both files are given."),
               &o.cert_dir);
  fs.AddInt(Spec("http2-max-streams-per-connection", kSecureServing,
                 "The limit that the server gives to clients for the maximum number of streams "
                 "in an HTTP/2 connection. Zero means kube-apiserver's default (100)."),
            &o.http2_max_streams_per_connection);
  fs.AddInt(Spec("secure-port", kSecureServing,
                 "TCP port for HTTPS. 0 lets the kernel choose a free port, which kauthd "
                 "prints once it listens."),
            &o.secure_port);
  fs.AddString(Spec("tls-cert-file", kSecureServing,
                    "PEM serving certificate, followed by any intermediate CA certificates. "
                    "Give it with --tls-private-key-file; without both, see --cert-dir. Both files "
                    "are reloaded when they change."),
               &o.tls_cert_file);
  fs.Add(Spec("tls-min-version", kSecureServing,
              "Lowest TLS version kauthd negotiates: VersionTLS12 (also when empty) or "
              "VersionTLS13."),
         std::make_unique<TlsVersionValue>(&o.tls_min_version));
  fs.AddString(Spec("tls-private-key-file", kSecureServing,
                    "PEM private key of the --tls-cert-file certificate."),
               &o.tls_private_key_file);
  fs.Add(Spec("tls-sni-cert-key", kSecureServing,
              "A pair of x509 certificate and private key file paths, optionally suffixed with "
              "a list of domain patterns which are fully qualified domain names, possibly with "
              "prefixed wildcard segments. If no domain patterns are provided, the names of the "
              "certificate are extracted. Non-wildcard matches trump over wildcard matches, "
              "explicit domain patterns trump over extracted names. For multiple key/certificate "
              "pairs, use the --tls-sni-cert-key multiple times. Clients that send no matching "
              "server name get --tls-cert-file. Reloaded when the files change. Examples: "
              "\"example.crt,example.key\" or \"foo.crt,foo.key:*.foo.com,foo.com\"."),
         std::make_unique<NamedCertKeyArrayValue>(&o.tls_sni_cert_key));

  fs.AddBool(Spec("anonymous-auth", kAuthentication,
                  "Serve requests that no authenticator accepts or rejects as user "
                  "system:anonymous in group system:unauthenticated. Not allowed together with "
                  "an anonymous section in --authentication-config."),
             &o.anonymous_auth);
  fs.AddStringSlice(Spec("api-audiences", kAuthentication,
                         "Audiences this server stands for. Audience-aware token "
                         "authenticators require a token to name one of them; tokens from "
                         "audience-agnostic ones are taken to be issued for all of them."),
                    &o.api_audiences);
  fs.AddString(Spec("authentication-config", kAuthentication,
                    "File with an AuthenticationConfiguration (apiserver.config.k8s.io/v1, "
                    "v1beta1 or v1alpha1, YAML or JSON). This release reads its anonymous "
                    "section (enabled, conditions[].path); JWT authenticators arrive in a later "
                    "release."),
               &o.authentication_config_file);
  fs.AddString(Spec("client-ca-file", kAuthentication,
                    "PEM bundle of CAs for client certificates. A certificate that verifies "
                    "against it authenticates as its subject's CommonName, with its "
                    "Organizations as groups. Reloaded when it changes; a file that fails to "
                    "load keeps the previous bundle."),
               &o.client_ca_file);
  fs.AddString(Spec("token-auth-file", kAuthentication,
                    "CSV file of static bearer tokens, one per line: token,user,uid and "
                    "optionally \"group1,group2\". Reloaded when it changes; a file that fails "
                    "to load keeps the previous tokens."),
               &o.token_auth_file);
  fs.AddBool(Spec("token-auth-file-hashed", kAuthentication,
                  "Read a --token-auth-file token column of the form sha256:<64 lower-case hex "
                  "digits> as the SHA-256 of the token (see 'kauthd hash-token'), so the file "
                  "holds no usable secret. Other rows stay plain."),
             &o.token_auth_file_hashed);
  fs.AddString(Spec("requestheader-client-ca-file", kAuthentication,
                    "PEM bundle of CAs for authenticating proxies. A request whose client "
                    "certificate verifies against it may name its user in the "
                    "--requestheader-*-headers. Do not reuse --client-ca-file's CAs. Reloaded "
                    "when it changes."),
               &o.requestheader_client_ca_file);
  fs.AddStringSlice(Spec("requestheader-allowed-names", kAuthentication,
                         "Common names a proxy's client certificate may carry. Empty: any name "
                         "the CA signed."),
                    &o.requestheader_allowed_names);
  fs.AddStringSlice(Spec("requestheader-username-headers", kAuthentication,
                         "Request headers to read the user name from, first non-empty wins. "
                         "X-Remote-User is common."),
                    &o.requestheader_username_headers);
  fs.AddStringSlice(Spec("requestheader-uid-headers", kAuthentication,
                         "Request headers to read the user's UID from. X-Remote-Uid is "
                         "required when set."),
                    &o.requestheader_uid_headers);
  fs.AddStringSlice(Spec("requestheader-group-headers", kAuthentication,
                         "Request headers to read groups from. X-Remote-Group is suggested."),
                    &o.requestheader_group_headers);
  fs.AddStringSlice(Spec("requestheader-extra-headers-prefix", kAuthentication,
                         "Request header prefixes for extra user attributes. X-Remote-Extra- is "
                         "suggested."),
                    &o.requestheader_extra_headers_prefix);

  fs.AddStringSlice(
      Spec("metrics-allowed-groups", kAuthorization, "Groups whose members may read /metrics."),
      &o.metrics_allowed_groups);
  fs.AddStringSlice(
      Spec("metrics-allowed-users", kAuthorization, "User names that may read /metrics."),
      &o.metrics_allowed_users);
  fs.AddStringSlice(Spec("tokenreview-allowed-groups", kAuthorization,
                         "Groups whose members may create TokenReviews."),
                    &o.tokenreview_allowed_groups);
  fs.AddStringSlice(
      Spec("tokenreview-allowed-users", kAuthorization, "User names that may create TokenReviews."),
      &o.tokenreview_allowed_users);

  fs.AddString(Spec("upstream", kProxy,
                    "URL of the upstream to forward every request to, http:// or https:// with "
                    "an optional base path. Turns kauthd into an authenticating reverse proxy: "
                    "its own endpoints move to --proxy-endpoints-port."),
               &o.upstream);
  fs.AddString(Spec("upstream-ca-file", kProxy,
                    "PEM bundle of CAs that verify an https upstream's certificate. Empty: the "
                    "system's roots."),
               &o.upstream_ca_file);
  fs.AddStringSlice(Spec("upstream-allowed-users", kProxy,
                         "User names that may reach the upstream; anyone else gets 403."),
                    &o.upstream_allowed_users);
  fs.AddStringSlice(Spec("upstream-allowed-groups", kProxy,
                         "Groups whose members may reach the upstream; anyone else gets 403. "
                         "Anonymous callers are in system:unauthenticated."),
                    &o.upstream_allowed_groups);
  fs.Add(Spec("upstream-identity", kProxy,
              "How the caller's identity is sent upstream: front-proxy (the --upstream-*-header "
              "headers, trusted for --proxy-client-cert-file) or impersonate (Impersonate-* "
              "headers, for a kube-apiserver that lets kauthd's own credential impersonate)."),
         std::make_unique<UpstreamIdentityValue>(&o.upstream_identity));
  fs.AddString(Spec("upstream-username-header", kProxy,
                    "Header that carries the caller's user name (front-proxy identity)."),
               &o.upstream_username_header);
  fs.AddString(Spec("upstream-group-header", kProxy,
                    "Header that carries the caller's groups, one line per group (front-proxy "
                    "identity)."),
               &o.upstream_group_header);
  fs.AddString(Spec("upstream-uid-header", kProxy,
                    "Header that carries the caller's UID (front-proxy identity)."),
               &o.upstream_uid_header);
  fs.AddString(Spec("upstream-extra-header-prefix", kProxy,
                    "Prefix of the headers that carry the caller's extra attributes, followed by "
                    "the escaped key (front-proxy identity)."),
               &o.upstream_extra_header_prefix);
  fs.AddString(Spec("proxy-client-cert-file", kProxy,
                    "PEM client certificate kauthd presents to an https upstream. Give it with "
                    "--proxy-client-key-file."),
               &o.proxy_client_cert_file);
  fs.AddString(
      Spec("proxy-client-key-file", kProxy, "PEM private key of --proxy-client-cert-file."),
      &o.proxy_client_key_file);
  fs.AddString(Spec("upstream-token-file", kProxy,
                    "File whose first line is the bearer token kauthd sends upstream as its own "
                    "credential (impersonate identity only)."),
               &o.upstream_token_file);
  fs.AddDuration(Spec("upstream-timeout", kProxy,
                      "How long connecting to the upstream, sending it a request, and waiting "
                      "for its response head may each take before the client gets 504. A "
                      "streaming response is never cut."),
                 &o.upstream_timeout);
  fs.Add(Spec("proxy-endpoints-port", kProxy,
              "TCP port of a second HTTPS listener serving kauthd's own endpoints (health, "
              "metrics, TokenReview, SelfSubjectReview) in proxy mode, with the same TLS and "
              "authentication. Not given: no such listener. 0 lets the kernel choose a free "
              "port, which kauthd prints."),
         std::make_unique<OptionalPortValue>(&o.proxy_endpoints_port));

  fs.Add(Spec("v", kLogs, "Log verbosity: informational lines up to this level are written.", 'v'),
         std::make_unique<VerbosityValue>(&o.verbosity));

  fs.AddBool(Spec("help", kGlobal, "help for kauthd", 'h'), &o.help);
  fs.AddBool(Spec("version", kGlobal, "Print version information and quit"), &o.version);
}

bool IsHttpsUrl(std::string_view url) { return StartsWithIgnoreCase(url, "https://"); }

// The proxy rules; `changed` names the proxy flags given on the command line.
void ValidateProxy(const KauthdOptions& o, const std::vector<std::string_view>& changed,
                   std::vector<std::string>& errors) {
  auto given = [&](std::string_view name) {
    return std::find(changed.begin(), changed.end(), name) != changed.end();
  };
  if (o.upstream.empty()) {
    for (std::string_view name : changed) {
      errors.push_back("--" + std::string(name) + " is only used with --upstream");
    }
    return;
  }
  if (!StartsWithIgnoreCase(o.upstream, "http://") && !IsHttpsUrl(o.upstream)) {
    errors.push_back("--upstream: " + GoQuote(o.upstream) +
                     ": the URL must start with http:// or https://");
  }
  // Anonymous access alone would make the allow-list the only gate in front of the upstream.
  if (o.client_ca_file.empty() && o.token_auth_file.empty() &&
      o.requestheader_client_ca_file.empty()) {
    errors.emplace_back(
        "--upstream requires an authenticator: set --client-ca-file, --token-auth-file or "
        "--requestheader-client-ca-file");
  }
  if (auto allowed = proxy::ValidateUpstreamAuthorizerOptions(
          {.allowed_users = o.upstream_allowed_users, .allowed_groups = o.upstream_allowed_groups});
      !allowed) {
    errors.push_back(allowed.error().message);
  }
  // Checked in impersonate mode too: the names are still stripped from client requests.
  if (auto names = proxy::ValidateFrontProxyHeaderNames(
          {.username_header = o.upstream_username_header,
           .group_header = o.upstream_group_header,
           .uid_header = o.upstream_uid_header,
           .extra_header_prefix = o.upstream_extra_header_prefix});
      !names) {
    errors.push_back(names.error().message);
  }
  const bool impersonate = o.upstream_identity == UpstreamIdentity::kImpersonate;
  if (impersonate) {
    for (std::string_view name : kFrontProxyOnlyFlags) {
      if (given(name)) {
        errors.push_back("--" + std::string(name) +
                         " is only used with --upstream-identity=" + std::string(kFrontProxyName));
      }
    }
  }
  const bool client_cert = !o.proxy_client_cert_file.empty() || !o.proxy_client_key_file.empty();
  if (o.proxy_client_cert_file.empty() != o.proxy_client_key_file.empty()) {
    errors.emplace_back(
        "--proxy-client-cert-file and --proxy-client-key-file must be specified together");
  }
  if (!IsHttpsUrl(o.upstream)) {
    if (!o.upstream_ca_file.empty()) {
      errors.emplace_back("--upstream-ca-file is only used with an https --upstream");
    }
    if (client_cert) {
      errors.emplace_back("--proxy-client-cert-file is only used with an https --upstream");
    }
  }
  // A front-proxy upstream trusts the identity headers because of the client certificate; a
  // bearer token would give the headers no standing and only leak kauthd's credential.
  if (!o.upstream_token_file.empty() && !impersonate) {
    errors.push_back("--upstream-token-file is only used with --upstream-identity=" +
                     std::string(kImpersonateName));
  }
  // Without a credential of its own, kauthd's impersonation requests are anonymous, which no
  // kube-apiserver lets impersonate.
  if (impersonate && o.upstream_token_file.empty() && !client_cert) {
    errors.emplace_back(
        "--upstream-identity=impersonate requires kauthd's own credential: "
        "--upstream-token-file or --proxy-client-cert-file and --proxy-client-key-file");
  }
  if (o.upstream_timeout <= std::chrono::nanoseconds::zero()) {
    errors.push_back("--upstream-timeout " + FormatGoDuration(o.upstream_timeout) +
                     " must be greater than 0s");
  }
  if (o.proxy_endpoints_port) {
    const std::int64_t port = *o.proxy_endpoints_port;
    if (port < 0 || port > 65535) {
      errors.push_back("--proxy-endpoints-port " + std::to_string(port) +
                       " must be between 0 and 65535, inclusive. 0 picks a free port");
    } else if (port != 0 && port == o.secure_port) {
      errors.push_back("--proxy-endpoints-port " + std::to_string(port) +
                       " must differ from --secure-port");
    }
  }
}

// Flag-level rules, all checked (kube-apiserver's Validate() collects every error).
std::vector<std::string> Validate(const KauthdOptions& o,
                                  const std::vector<std::string_view>& changed_proxy_flags) {
  std::vector<std::string> errors;
  if (o.secure_port < 0 || o.secure_port > 65535) {
    errors.push_back("--secure-port " + std::to_string(o.secure_port) +
                     " must be between 0 and 65535, inclusive. 0 picks a free port");
  }
  if (o.http2_max_streams_per_connection > std::int64_t{UINT32_MAX}) {
    errors.push_back("--http2-max-streams-per-connection " +
                     std::to_string(o.http2_max_streams_per_connection) +
                     " must be at most 4294967295 (HTTP/2's largest SETTINGS value)");
  }
  if (o.tls_cert_file.empty() != o.tls_private_key_file.empty()) {
    errors.emplace_back(
        "--tls-cert-file and --tls-private-key-file must be specified together: missing "
        "filename for serving cert");
  }
  if (o.max_connections < 1) {
    errors.push_back("--max-connections " + std::to_string(o.max_connections) +
                     " must be at least 1");
  }
  if (o.request_header_timeout <= std::chrono::nanoseconds::zero()) {
    errors.push_back("--request-header-timeout " + FormatGoDuration(o.request_header_timeout) +
                     " must be greater than 0s");
  }
  if (o.shutdown_grace_period < std::chrono::nanoseconds::zero()) {
    errors.push_back("--shutdown-grace-period " + FormatGoDuration(o.shutdown_grace_period) +
                     " must not be negative");
  }
  if (o.threads < 0) {
    errors.push_back("--threads " + std::to_string(o.threads) +
                     " must not be negative (0 means one per CPU core)");
  }
  ValidateProxy(o, changed_proxy_flags, errors);
  return errors;
}

// utilerrors.NewAggregate(...).Error(): the message alone, or "[a, b]".
std::string Aggregate(const std::vector<std::string>& errors) {
  if (errors.size() == 1) return errors[0];
  std::string out = "[";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i != 0) out += ", ";
    out += errors[i];
  }
  return out + "]";
}

}  // namespace

Result<KauthdOptions> ParseKauthdFlags(std::span<const char* const> args,
                                       std::span<const std::string_view> subcommands) {
  KauthdOptions o;
  std::vector<std::string_view> changed_proxy_flags;
  {
    FlagSet fs;
    RegisterFlags(fs, o);
    auto positional = fs.Parse(args);
    if (positional.has_error()) return positional.error();
    std::vector<std::string> words = std::move(*positional);
    if (!words.empty() &&
        std::find(subcommands.begin(), subcommands.end(), words.front()) != subcommands.end()) {
      o.subcommand = words.front();
      words.erase(words.begin());
    }
    // cobra's Args check in kube-apiserver: empty arguments are tolerated.
    if (std::any_of(words.begin(), words.end(), [](const std::string& w) { return !w.empty(); })) {
      return Error{"\"" + std::string(kKauthdCommand) + "\" does not take any arguments, got " +
                   GoQuoteStrings(words)};
    }
    o.anonymous_auth_set = fs.Changed("anonymous-auth");
    for (std::string_view name : kProxyOnlyFlags) {
      if (fs.Changed(name)) changed_proxy_flags.push_back(name);
    }
  }
  if (o.help || o.version) return o;

  const std::vector<std::string> errors = Validate(o, changed_proxy_flags);
  if (!errors.empty()) return Error{Aggregate(errors)};

  o.anonymous_enabled = o.anonymous_auth;
  if (!o.authentication_config_file.empty()) {
    auto loaded = LoadAuthenticationConfig(o.authentication_config_file);
    if (loaded.has_error()) return loaded.error();
    // kube-apiserver checks the flag conflict before validating the file (R12.3).
    if (loaded->anonymous && o.anonymous_auth_set) {
      return Error{std::string(kAnonymousFlagConflict)};
    }
    auto valid = ValidateAuthenticationConfig(*loaded);
    if (valid.has_error()) return valid.error();
    if (loaded->anonymous) {
      o.anonymous_enabled = loaded->anonymous->enabled;
      if (!loaded->anonymous->condition_paths.empty()) {
        o.anonymous_options.allowed_paths = loaded->anonymous->condition_paths;
      }
    }
    o.authentication_config = std::move(*loaded);
  }
  return o;
}

std::string KauthdHelp(int columns) {
  KauthdOptions defaults;
  FlagSet fs;
  RegisterFlags(fs, defaults);
  return std::string(kDescription) + "\n\nUsage:\n  " + std::string(kKauthdCommand) + " [flags]\n" +
         fs.SectionedUsages(columns);
}

}  // namespace kauth::config
