// kauthd: the Kubernetes API server's authentication layer as a standalone HTTPS server. Wires
// the flags, the authenticator chain, the handler chain and the server; the only code no unit test
// reaches (the end-to-end tests run this binary).
#include <malloc.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/api_handler.h"
#include "api/health.h"
#include "api/metrics_api.h"
#include "api/not_found_handler.h"
#include "api/self_subject_review.h"
#include "api/token_review.h"
#include "api/version.h"
#include "config/flag_parser.h"
#include "config/kauthd_options.h"
#include "crypto/digest.h"
#include "filters/authentication_filter.h"
#include "filters/authentication_metrics.h"
#include "filters/authorizer.h"
#include "filters/certificate_reload_metrics.h"
#include "filters/request_metrics.h"
#include "filters/token_cache_metrics.h"
#include "filters/token_file_reload_metrics.h"
#include "kauth/audience_agnostic.h"
#include "kauth/chain.h"
#include "kauth/reloadable_ca_bundle.h"
#include "kauth/request_header.h"
#include "kauthd/malloc_tuning.h"
#include "log/log.h"
#include "metrics/registry.h"
#include "proxy/proxy_handler.h"
#include "proxy/upstream_client.h"
#include "proxy/upstream_health.h"
#include "server/https_server.h"
#include "server/reloadable_serving_certificates.h"
#include "server/serving_certificate.h"
#include "server/tls_buffer_cache.h"
#include "token/hash_token_command.h"

namespace kauth {
namespace {

constexpr std::string_view kSource = "main.cc";

int Fail(std::string_view message) {
  std::fprintf(stderr, "Error: %.*s\n", static_cast<int>(message.size()), message.data());
  return 1;
}

// The privileged loopback token of R6.4 step 4. kauthd has no loopback clients; it exists so that
// error aggregates read exactly as kube-apiserver's do. Random per process, never printed.
std::string RandomLoopbackToken() {
  std::uint8_t bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();
  return HexLower(bytes);
}

// What the credential flags load: the chain's configuration, and the CA bundles the TLS handshake
// advertises (R5.1), each kept current from its file (R5.7).
struct Credentials {
  ChainConfig chain;
  std::vector<std::shared_ptr<const CaBundleProvider>> client_cas;
  std::shared_ptr<ReloadableCaBundle> client_ca_file;
  std::shared_ptr<ReloadableCaBundle> requestheader_client_ca_file;
};

// R9: the authenticating-proxy authenticator, first in the chain (R6.4's A1), audience-agnostic.
Result<void> AddRequestHeaderAuthenticator(const config::KauthdOptions& options,
                                           const CaBundle* client_ca, Credentials& credentials) {
  auto bundle = ReloadableCaBundle::Load(
      {.path = options.requestheader_client_ca_file, .purpose = "request-header"});
  if (!bundle) return Error{"--requestheader-client-ca-file: " + bundle.error().message};
  credentials.requestheader_client_ca_file = *bundle;
  RequestHeaderAuthenticatorOptions request_header{
      .client_ca = std::move(*bundle),
      .allowed_names = options.requestheader_allowed_names,
      .username_headers = options.requestheader_username_headers,
      .uid_headers = options.requestheader_uid_headers,
      .group_headers = options.requestheader_group_headers,
      .extra_header_prefixes = options.requestheader_extra_headers_prefix};
  auto warnings = ValidateRequestHeaderOptions(request_header, client_ca);
  if (!warnings) return warnings.error();
  for (const std::string& warning : *warnings) log::Warning(kSource, warning);
  credentials.client_cas.push_back(request_header.client_ca);
  credentials.chain.front.push_back(NewAudienceAgnosticAuthenticator(
      NewRequestHeaderAuthenticator(std::move(request_header)), options.api_audiences));
  return {};
}

// Loads the credentials the flags name; fails with the operator's message.
Result<Credentials> LoadCredentials(const config::KauthdOptions& options) {
  Credentials credentials;
  ChainConfig& chain = credentials.chain;
  if (!options.token_auth_file.empty()) {
    auto file =
        ReloadableTokenFile::Load({.path = options.token_auth_file,
                                   .parse = {.hashed_tokens = options.token_auth_file_hashed}});
    if (!file) return file.error();
    for (const std::string& warning : (*file)->Current()->warnings()) {
      log::Warning(kSource, warning);
    }
    chain.reloadable_token_file = std::move(*file);
  }
  std::shared_ptr<const CaBundle> client_ca;
  if (!options.client_ca_file.empty()) {
    auto bundle =
        ReloadableCaBundle::Load({.path = options.client_ca_file, .purpose = "client-ca-bundle"});
    if (!bundle) return Error{"--client-ca-file: " + bundle.error().message};
    // The start-up bundle, for the request-header overlap warning only.
    client_ca = (*bundle)->Current();
    credentials.client_ca_file = *bundle;
    chain.client_ca = std::move(*bundle);
    credentials.client_cas.push_back(chain.client_ca);
  }
  if (!options.requestheader_client_ca_file.empty()) {
    if (auto added = AddRequestHeaderAuthenticator(options, client_ca.get(), credentials); !added) {
      return added.error();
    }
  }
  chain.api_audiences = options.api_audiences;
  chain.anonymous = options.anonymous_enabled;
  chain.anonymous_options = options.anonymous_options;
  chain.loopback_token = RandomLoopbackToken();
  return credentials;
}

// The serving certificates, kept current from their files: --tls-cert-file or the --cert-dir pair
// (a pair generated in memory is served as is), and every --tls-sni-cert-key pair.
Result<std::shared_ptr<server::ReloadableServingCertificates>> LoadServingCertificates(
    const config::KauthdOptions& options) {
  server::ReloadableServingCertificatesOptions serving;
  if (!options.tls_cert_file.empty()) {
    serving.default_files =
        server::ServingCertificate{options.tls_cert_file, options.tls_private_key_file};
  } else {
    // kube-apiserver's MaybeDefaultWithSelfSignedCerts: generated (or reused) once, then, when
    // written to --cert-dir, watched like operator-supplied files.
    server::ServerOptions generated;
    generated.bind_address = options.bind_address;
    generated.cert_dir = options.cert_dir;
    auto pair = server::ResolveServingCertificate(generated);
    if (!pair) return pair.error();
    if (options.cert_dir.empty()) {
      serving.fixed_default = std::move(*pair);
    } else {
      const std::filesystem::path dir(options.cert_dir);
      serving.default_files = server::ServingCertificate{(dir / "apiserver.crt").string(),
                                                         (dir / "apiserver.key").string()};
    }
  }
  for (const config::NamedCertKey& sni : options.tls_sni_cert_key) {
    serving.sni.push_back(
        {.cert_file = sni.cert_file, .key_file = sni.key_file, .names = sni.names});
  }
  return server::ReloadableServingCertificates::Load(std::move(serving));
}

server::ServerOptions ServerOptionsFrom(const config::KauthdOptions& options,
                                        const Credentials& credentials) {
  server::ServerOptions server;
  server.bind_address = options.bind_address;
  server.port = static_cast<std::uint16_t>(options.secure_port);
  if (!options.tls_cert_file.empty()) {
    server.certificate =
        server::ServingCertificate{options.tls_cert_file, options.tls_private_key_file};
  }
  server.cert_dir = options.cert_dir;
  server.tls_min_version = options.tls_min_version == config::TlsVersion::kTls13
                               ? server::TlsVersion::kTls13
                               : server::TlsVersion::kTls12;
  server.client_cas = credentials.client_cas;
  server.max_connections = static_cast<std::size_t>(options.max_connections);
  server.request_header_timeout = options.request_header_timeout;
  server.shutdown_grace_period = options.shutdown_grace_period;
  server.threads = static_cast<unsigned>(options.threads);
  if (options.http2_max_streams_per_connection > 0) {
    server.http2.max_streams_per_connection =
        static_cast<std::uint32_t>(options.http2_max_streams_per_connection);
  }
  return server;
}

// R7.2: the configured request-header names are stripped after any successful authentication.
std::vector<std::string> RequestHeaderNames(const config::KauthdOptions& options) {
  std::vector<std::string> names = options.requestheader_username_headers;
  names.insert(names.end(), options.requestheader_uid_headers.begin(),
               options.requestheader_uid_headers.end());
  names.insert(names.end(), options.requestheader_group_headers.begin(),
               options.requestheader_group_headers.end());
  return names;
}

proxy::UpstreamOptions UpstreamOptionsFrom(const config::KauthdOptions& options) {
  return proxy::UpstreamOptions{.url = options.upstream,
                                .ca_file = options.upstream_ca_file,
                                .client_cert_file = options.proxy_client_cert_file,
                                .client_key_file = options.proxy_client_key_file,
                                .token_file = options.upstream_token_file,
                                .timeout = options.upstream_timeout};
}

proxy::ProxyHandlerOptions ProxyHandlerOptionsFrom(
    const config::KauthdOptions& options, std::shared_ptr<proxy::UpstreamClient> upstream) {
  return proxy::ProxyHandlerOptions{
      .upstream = std::move(upstream),
      .authorizer = {.allowed_users = options.upstream_allowed_users,
                     .allowed_groups = options.upstream_allowed_groups},
      .identity = {.mode = options.upstream_identity == config::UpstreamIdentity::kImpersonate
                               ? proxy::IdentityMode::kImpersonate
                               : proxy::IdentityMode::kFrontProxy,
                   .front_proxy = {.username_header = options.upstream_username_header,
                                   .group_header = options.upstream_group_header,
                                   .uid_header = options.upstream_uid_header,
                                   .extra_header_prefix = options.upstream_extra_header_prefix}}};
}

// `kauthd hash-token`: the column value for --token-auth-file-hashed. The token comes from
// standard input, never argv, which other local users can read.
int HashToken(std::span<const char* const> args) {
  if (!args.empty()) {
    return Fail(
        "hash-token takes no arguments: pipe the token to standard input, e.g. "
        "kauthd hash-token < token.txt");
  }
  auto column = HashTokenFromDescriptor(STDIN_FILENO);
  if (!column) return Fail(column.error().message);
  std::printf("%s\n", column->c_str());
  return 0;
}

// SIGHUP forces a reload of every credential file. The handler only writes to the watchers'
// eventfds (each RequestReload is async-signal-safe); the guard restores SIG_IGN before the
// files go away.
std::atomic<ReloadableTokenFile*> sighup_token_file{nullptr};
std::array<std::atomic<ReloadableCaBundle*>, 2> sighup_ca_bundles{};
std::atomic<server::ReloadableServingCertificates*> sighup_serving{nullptr};

class SighupReload {
 public:
  SighupReload(ReloadableTokenFile* token_file, std::array<ReloadableCaBundle*, 2> ca_bundles,
               server::ReloadableServingCertificates* serving) {
    sighup_token_file.store(token_file);
    for (std::size_t i = 0; i < ca_bundles.size(); ++i) sighup_ca_bundles[i].store(ca_bundles[i]);
    sighup_serving.store(serving);
    struct sigaction action {};
    action.sa_handler = [](int) {
      if (ReloadableTokenFile* target = sighup_token_file.load()) target->RequestReload();
      for (const auto& bundle : sighup_ca_bundles) {
        if (ReloadableCaBundle* target = bundle.load()) target->RequestReload();
      }
      if (server::ReloadableServingCertificates* target = sighup_serving.load()) {
        target->RequestReload();
      }
    };
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGHUP, &action, nullptr);
  }
  ~SighupReload() {
    std::signal(SIGHUP, SIG_IGN);
    sighup_token_file.store(nullptr);
    for (auto& bundle : sighup_ca_bundles) bundle.store(nullptr);
    sighup_serving.store(nullptr);
  }
  SighupReload(const SighupReload&) = delete;
  SighupReload& operator=(const SighupReload&) = delete;
};

int Main(std::span<const char* const> args) {
  if (!args.empty() && std::string_view(args[0]) == "hash-token") return HashToken(args.subspan(1));
  auto parsed = config::ParseKauthdFlags(args);
  if (!parsed) return Fail(parsed.error().message);
  const config::KauthdOptions& options = *parsed;
  if (options.help) {
    const std::string help = config::KauthdHelp(config::TerminalColumns(STDOUT_FILENO));
    std::fwrite(help.data(), 1, help.size(), stdout);
    return 0;
  }
  if (options.version) {
    std::printf("kauthd %s\n", api::KauthVersionInfo().git_version.c_str());
    return 0;
  }
  log::SetVerbosity(options.verbosity);

  auto credentials = LoadCredentials(options);
  if (!credentials) return Fail(credentials.error().message);
  auto serving_certificates = LoadServingCertificates(options);
  if (!serving_certificates) return Fail(serving_certificates.error().message);
  server::ServerOptions server_options = ServerOptionsFrom(options, *credentials);
  server_options.serving_certificates = *serving_certificates;
  ChainConfig* chain_config = &credentials->chain;

  auto registry = std::make_shared<metrics::Registry>();
  filters::AuthenticationMetrics auth_metrics(*registry);
  chain_config->observe_client_certificate_expiration =
      auth_metrics.ClientCertificateExpirationObserver();
  chain_config->token_cache.observe_request_duration =
      filters::TokenCacheDurationObserver(*registry);
  // Declared after the registry: the reload listener records into it until the file goes away.
  const std::shared_ptr<ReloadableTokenFile> token_file = chain_config->reloadable_token_file;
  const Chain chain = BuildChain(std::move(*chain_config));
  filters::RegisterTokenCacheMetrics(*registry, chain.token_cache);

  auto health = std::make_shared<api::HealthChecks>();
  if (token_file) {
    filters::ObserveTokenFileReloads(*registry, *token_file);
    // Not ready while the file on disk fails to load: the last good tokens still serve, but the
    // operator sees it (/readyz?verbose lists it, /readyz/token-auth-file gives the reason).
    health->AddReadyzCheck("token-auth-file",
                           [token_file] { return token_file->status().last_error; });
  }
  // Not ready while a certificate file on disk fails to load, as for the token file: the last
  // good bundle or pair still serves.
  const filters::CertificateReloadMetrics certificate_reload_metrics(registry);
  if (const auto& bundle = credentials->client_ca_file) {
    certificate_reload_metrics.Observe(*bundle);
    health->AddReadyzCheck("client-ca-file", [bundle] { return bundle->status().last_error; });
  }
  if (const auto& bundle = credentials->requestheader_client_ca_file) {
    certificate_reload_metrics.Observe(*bundle);
    health->AddReadyzCheck("requestheader-client-ca-file",
                           [bundle] { return bundle->status().last_error; });
  }
  const std::shared_ptr<server::ReloadableServingCertificates> serving = *serving_certificates;
  certificate_reload_metrics.Observe(*serving);
  health->AddReadyzCheck("serving-certificates",
                         [serving] { return serving->status().last_error; });
  const SighupReload sighup_reload(
      token_file.get(),
      {credentials->client_ca_file.get(), credentials->requestheader_client_ca_file.get()},
      serving.get());
  std::vector<std::unique_ptr<api::Api>> apis;
  apis.push_back(std::make_unique<api::SelfSubjectReviewApi>());
  apis.push_back(std::make_unique<api::TokenReviewApi>(api::TokenReviewOptions{
      .authenticator = chain.authenticator, .api_audiences = options.api_audiences}));
  apis.push_back(std::make_unique<api::HealthApi>(health));
  apis.push_back(std::make_unique<api::VersionApi>());
  apis.push_back(std::make_unique<api::MetricsApi>(registry));

  const filters::RequestMetricFamilies request_metrics(*registry);
  const filters::AuthenticationFilterOptions authentication{
      .authenticator = chain.authenticator,
      .api_audiences = options.api_audiences,
      .request_header_names = RequestHeaderNames(options),
      .request_header_prefixes = options.requestheader_extra_headers_prefix};

  // kube-apiserver's order: audit id and metrics outermost, then authentication, authorization,
  // the APIs, and a 404 for everything else.
  std::shared_ptr<const http::Handler> own_endpoints = std::make_shared<filters::RequestMetrics>(
      request_metrics,
      std::make_unique<filters::AuthenticationFilter>(
          authentication, auth_metrics,
          std::make_unique<filters::Authorizer>(
              filters::AuthorizerOptions{
                  .metrics_allowed_users = options.metrics_allowed_users,
                  .metrics_allowed_groups = options.metrics_allowed_groups,
                  .tokenreview_allowed_users = options.tokenreview_allowed_users,
                  .tokenreview_allowed_groups = options.tokenreview_allowed_groups},
              std::make_unique<api::ApiHandler>(std::move(apis),
                                                std::make_unique<api::NotFoundHandler>()))));

  if (options.upstream.empty()) {
    server_options.on_shutdown = [health] { health->SetShuttingDown(); };
    auto server = server::HttpsServer::Create(std::move(server_options), own_endpoints);
    if (!server) return Fail(server.error().message);
    (*server)->Run();
    return 0;
  }

  // Proxy mode: every path of the main listener goes upstream, past no authorizer but the
  // proxy's allow-list; kauthd's own endpoints move to the second listener, if any, so that
  // nothing of the upstream is shadowed.
  auto created = proxy::UpstreamClient::Create(UpstreamOptionsFrom(options));
  if (!created) return Fail(created.error().message);
  std::shared_ptr<proxy::UpstreamClient> upstream = std::move(*created);
  const auto upstream_health = std::make_shared<const proxy::UpstreamHealth>(upstream);
  health->AddReadyzCheck("upstream", [upstream_health] { return upstream_health->Check(); });
  std::shared_ptr<const http::Handler> proxy_chain = std::make_shared<filters::RequestMetrics>(
      request_metrics,
      std::make_unique<filters::AuthenticationFilter>(
          authentication, auth_metrics,
          std::make_unique<proxy::ProxyHandler>(ProxyHandlerOptionsFrom(options, upstream))));

  std::unique_ptr<server::HttpsServer> endpoints;
  if (options.proxy_endpoints_port) {
    server::ServerOptions endpoints_options = server_options;
    endpoints_options.port = static_cast<std::uint16_t>(*options.proxy_endpoints_port);
    endpoints_options.name = "proxy endpoints";
    // The main listener owns the signals and starts this one's shutdown.
    endpoints_options.handle_signals = false;
    auto created_endpoints =
        server::HttpsServer::Create(std::move(endpoints_options), own_endpoints);
    if (!created_endpoints) return Fail(created_endpoints.error().message);
    endpoints = std::move(*created_endpoints);
  }
  server::HttpsServer* const endpoints_server = endpoints.get();
  server_options.on_shutdown = [health, endpoints_server] {
    health->SetShuttingDown();
    // Both listeners drain in parallel, each within the grace period.
    if (endpoints_server != nullptr) endpoints_server->Shutdown();
  };
  auto server = server::HttpsServer::Create(std::move(server_options), proxy_chain);
  if (!server) return Fail(server.error().message);
  std::thread endpoints_thread;
  if (endpoints) endpoints_thread = std::thread([endpoints_server] { endpoints_server->Run(); });
  (*server)->Run();
  if (endpoints) {
    // Also after a second signal, when the main listener returned without a graceful shutdown.
    endpoints->Shutdown();
    endpoints_thread.join();
  }
  return 0;
}

}  // namespace
}  // namespace kauth

int main(int argc, char** argv) {
  kauth::ReexecWithMallocTunables(argv);
  // Before OpenSSL's first allocation, which is the only time it allows this. Refused (false)
  // only under AddressSanitizer or if something allocated first; kauthd then runs on plain malloc.
  static_cast<void>(kauth::server::InstallTlsBufferCache());
  // glibc raises its mmap threshold after freeing a large block, so the next large request buffers
  // (headers up to 1 MiB, bodies up to 3 MiB) come from the heap and their pages stay resident
  // after use. A fixed threshold keeps large buffers in mmap'd memory that free() returns.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  return kauth::Main(std::span<const char* const>(argv + 1, static_cast<std::size_t>(argc - 1)));
}
