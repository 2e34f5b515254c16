// kauthd's command line: every flag with kube-apiserver's name, default and syntax where
// kube-apiserver has the flag (docs/flags.md lists them), parsed with pflag's semantics
// (config/flag_parser.h), validated, and with --authentication-config loaded and checked
// (R12.1, R12.3). The result is immutable configuration for main to build the server from.
//
// Every error is one line that names the flag and the reason; the caller prints it (kauthd
// prints "Error: <message>") and exits 1.
//
// Thread-safe (no shared state).
#ifndef KAUTH_CONFIG_KAUTHD_OPTIONS_H_
#define KAUTH_CONFIG_KAUTHD_OPTIONS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/authentication_config.h"
#include "config/named_cert_key.h"
#include "kauth/anonymous.h"
#include "kauth/error.h"

namespace kauth::config {

inline constexpr std::string_view kKauthdCommand = "kauthd";

// --tls-min-version. kube-apiserver also accepts VersionTLS10 and VersionTLS11; kauthd
// refuses them (OpenSSL 3 no longer negotiates them at its default security level).
enum class TlsVersion { kTls12, kTls13 };

// --upstream-identity: how kauthd tells the upstream who the caller is (proxy/identity_headers.h).
enum class UpstreamIdentity { kFrontProxy, kImpersonate };

struct KauthdOptions {
  // --- Secure serving ---
  // --bind-address: an IP literal in Go's net.IP.String() form; 0.0.0.0 or :: for all.
  std::string bind_address = "0.0.0.0";
  // --secure-port: 0..65535; 0 asks the kernel for a free port (kauthd prints it).
  std::int64_t secure_port = 6443;
  // --cert-dir: where the self-signed serving certificate is generated (apiserver.crt and
  // apiserver.key, as kube-apiserver names them) when --tls-cert-file is not given; empty
  // keeps a generated certificate in memory only.
  std::string cert_dir = "/var/run/kubernetes";
  std::string tls_cert_file;                        // --tls-cert-file; set together with the key
  std::string tls_private_key_file;                 // --tls-private-key-file
  TlsVersion tls_min_version = TlsVersion::kTls12;  // --tls-min-version ("" = VersionTLS12)
  // --tls-sni-cert-key certfile,keyfile[:name1,name2] (config/named_cert_key.h), repeatable, in
  // order: serving certificates chosen by the client's SNI.
  std::vector<NamedCertKey> tls_sni_cert_key;
  // --http2-max-streams-per-connection: SETTINGS_MAX_CONCURRENT_STREAMS; 0 (or, as in Go, any
  // value below 1) means kube-apiserver's default, 100.
  std::int64_t http2_max_streams_per_connection = 0;

  // --- Authentication ---
  std::string client_ca_file;              // --client-ca-file (read by the caller)
  std::string token_auth_file;             // --token-auth-file (read by the caller)
  bool token_auth_file_hashed = false;     // --token-auth-file-hashed (beyond Kubernetes)
  bool anonymous_auth = true;              // --anonymous-auth as given (or its default)
  bool anonymous_auth_set = false;         // --anonymous-auth appeared on the command line
  std::vector<std::string> api_audiences;  // --api-audiences
  // --requestheader-* (R9): the authenticating-proxy authenticator, on when the CA file is set.
  std::string requestheader_client_ca_file;
  std::vector<std::string> requestheader_allowed_names;
  std::vector<std::string> requestheader_username_headers;
  std::vector<std::string> requestheader_uid_headers;
  std::vector<std::string> requestheader_group_headers;
  std::vector<std::string> requestheader_extra_headers_prefix;
  std::string authentication_config_file;  // --authentication-config
  // The loaded and validated --authentication-config, when given.
  std::optional<AuthenticationConfig> authentication_config;
  // The anonymous authenticator to build (R12.3): the file's anonymous section when it has
  // one, otherwise --anonymous-auth with no path conditions. Feed these to ChainConfig's
  // `anonymous` and `anonymous_options`.
  bool anonymous_enabled = true;
  AnonymousOptions anonymous_options;

  // --- Authorization of kauthd's own endpoints (kauth-only flags) ---
  std::vector<std::string> metrics_allowed_groups = {"system:masters"};
  std::vector<std::string> metrics_allowed_users;
  std::vector<std::string> tokenreview_allowed_groups = {"system:masters"};
  std::vector<std::string> tokenreview_allowed_users;

  // --- Reverse proxy (kauth-only flags; proxy mode when `upstream` is non-empty) ---
  // --upstream: http:// or https:// URL every request is forwarded to; empty: no proxy mode.
  // Only the scheme is checked here; the transport (proxy::UpstreamClient::Create) checks the
  // rest of the URL and reads the files below.
  std::string upstream;
  std::string upstream_ca_file;  // --upstream-ca-file: PEM roots for an https upstream
  std::vector<std::string> upstream_allowed_users;  // --upstream-allowed-users
  std::vector<std::string> upstream_allowed_groups = {"system:authenticated"};
  UpstreamIdentity upstream_identity = UpstreamIdentity::kFrontProxy;  // --upstream-identity
  // The outbound front-proxy header names (front-proxy identity only).
  std::string upstream_username_header = "X-Remote-User";
  std::string upstream_group_header = "X-Remote-Group";
  std::string upstream_uid_header = "X-Remote-Uid";
  std::string upstream_extra_header_prefix = "X-Remote-Extra-";
  // --proxy-client-cert-file / --proxy-client-key-file: kauthd's TLS client certificate towards
  // an https upstream; both or neither.
  std::string proxy_client_cert_file;
  std::string proxy_client_key_file;
  // --upstream-token-file: kauthd's own bearer token towards the upstream (impersonate only).
  std::string upstream_token_file;
  // --upstream-timeout, > 0: connecting, writing a request, waiting for a response head.
  std::chrono::nanoseconds upstream_timeout = std::chrono::seconds(60);
  // --proxy-endpoints-port: the second listener that serves kauthd's own endpoints in proxy
  // mode. nullopt (the flag not given): no second listener; 0: a free port, as --secure-port.
  std::optional<std::int64_t> proxy_endpoints_port;

  // --- Server limits (kauth-only flags) ---
  std::int64_t max_connections = 10000;  // --max-connections, >= 1
  // --request-header-timeout, > 0: kube-apiserver's http.Server ReadHeaderTimeout (32s,
  // k8s.io/apiserver/pkg/server/secure_serving.go: "just shy of requestTimeoutUpperBound").
  std::chrono::nanoseconds request_header_timeout = std::chrono::seconds(32);
  // --shutdown-grace-period, >= 0: how long in-flight requests may run after SIGTERM/SIGINT.
  std::chrono::nanoseconds shutdown_grace_period = std::chrono::seconds(60);
  std::int64_t threads = 0;  // --threads, >= 0; 0 = one per core

  // --- Logs ---
  int verbosity = 0;  // -v / --v (0..2^31-1)

  // --- What to do ---
  bool help = false;     // -h / --help: print KauthdHelp() to stdout and exit 0
  bool version = false;  // --version: print the version and exit 0
  // The positional word accepted as a subcommand (see ParseKauthdFlags), or empty.
  std::string subcommand;
};

// Parses kauthd's arguments: `args` are argv[1..argc-1] (without the program name).
//
// Order, as kube-apiserver: flag syntax and values (the first error stops parsing); then
// positional arguments (an error unless the first is one of `subcommands`, which is stored in
// `subcommand`); then --help and --version return at once with those fields set, skipping
// validation; then every flag-level rule is checked and all failures are reported together
// (`[first, second]` when there are several); then --authentication-config is read, the
// --anonymous-auth conflict is checked (kAnonymousFlagConflict) and the file is validated.
Result<KauthdOptions> ParseKauthdFlags(std::span<const char* const> args,
                                       std::span<const std::string_view> subcommands = {});

// kauthd --help: a description, "Usage:\n  kauthd [flags]\n", then the flags in
// kube-apiserver's sections ("Generic flags:", "Secure serving flags:", "Authentication
// flags:", "Authorization flags:") and kauthd's "Proxy flags:", then "Logs flags:" and "Global
// flags:". `columns` is the terminal
// width (TerminalColumns(STDOUT_FILENO)) or 0 for no wrapping.
std::string KauthdHelp(int columns);

}  // namespace kauth::config

#endif  // KAUTH_CONFIG_KAUTHD_OPTIONS_H_
