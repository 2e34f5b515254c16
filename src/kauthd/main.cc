// kauthd: the Kubernetes API server's authentication layer as a standalone HTTPS server. Wires
// the flags, the authenticator chain, the handler chain and the server; the only code no unit test
// reaches (the end-to-end tests run this binary).
#include <malloc.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <span>
#include <string>
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
#include "filters/request_metrics.h"
#include "filters/token_cache_metrics.h"
#include "kauth/audience_agnostic.h"
#include "kauth/chain.h"
#include "kauth/request_header.h"
#include "log/log.h"
#include "metrics/registry.h"
#include "server/https_server.h"

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
// advertises (R5.1).
struct Credentials {
  ChainConfig chain;
  std::vector<std::shared_ptr<const CaBundleProvider>> client_cas;
};

// R9: the authenticating-proxy authenticator, first in the chain (R6.4's A1), audience-agnostic.
Result<void> AddRequestHeaderAuthenticator(const config::KauthdOptions& options,
                                           const CaBundle* client_ca, Credentials& credentials) {
  auto bundle = CaBundle::LoadFile(options.requestheader_client_ca_file, "request-header");
  if (!bundle) return Error{"--requestheader-client-ca-file: " + bundle.error().message};
  RequestHeaderAuthenticatorOptions request_header{
      .client_ca = NewStaticCaBundleProvider(std::move(*bundle)),
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
    auto file = TokenFile::Load(options.token_auth_file);
    if (!file) return file.error();
    for (const std::string& warning : (*file)->warnings()) log::Warning(kSource, warning);
    chain.token_file = std::move(*file);
  }
  std::shared_ptr<const CaBundle> client_ca;
  if (!options.client_ca_file.empty()) {
    auto bundle = CaBundle::LoadFile(options.client_ca_file, "client-ca-bundle");
    if (!bundle) return Error{"--client-ca-file: " + bundle.error().message};
    client_ca = std::move(*bundle);
    chain.client_ca = NewStaticCaBundleProvider(client_ca);
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

int Main(std::span<const char* const> args) {
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
  server::ServerOptions server_options = ServerOptionsFrom(options, *credentials);
  ChainConfig* chain_config = &credentials->chain;

  auto registry = std::make_shared<metrics::Registry>();
  filters::AuthenticationMetrics auth_metrics(*registry);
  chain_config->observe_client_certificate_expiration =
      auth_metrics.ClientCertificateExpirationObserver();
  chain_config->token_cache.observe_request_duration =
      filters::TokenCacheDurationObserver(*registry);
  const Chain chain = BuildChain(std::move(*chain_config));
  filters::RegisterTokenCacheMetrics(*registry, chain.token_cache);

  auto health = std::make_shared<api::HealthChecks>();
  std::vector<std::unique_ptr<api::Api>> apis;
  apis.push_back(std::make_unique<api::SelfSubjectReviewApi>());
  apis.push_back(std::make_unique<api::TokenReviewApi>(api::TokenReviewOptions{
      .authenticator = chain.authenticator, .api_audiences = options.api_audiences}));
  apis.push_back(std::make_unique<api::HealthApi>(health));
  apis.push_back(std::make_unique<api::VersionApi>());
  apis.push_back(std::make_unique<api::MetricsApi>(registry));

  // kube-apiserver's order: audit id and metrics outermost, then authentication, authorization,
  // the APIs, and a 404 for everything else.
  std::shared_ptr<const http::Handler> handler = std::make_shared<filters::RequestMetrics>(
      *registry, std::make_unique<filters::AuthenticationFilter>(
                     filters::AuthenticationFilterOptions{
                         .authenticator = chain.authenticator,
                         .api_audiences = options.api_audiences,
                         .request_header_names = RequestHeaderNames(options),
                         .request_header_prefixes = options.requestheader_extra_headers_prefix},
                     auth_metrics,
                     std::make_unique<filters::Authorizer>(
                         filters::AuthorizerOptions{
                             .metrics_allowed_users = options.metrics_allowed_users,
                             .metrics_allowed_groups = options.metrics_allowed_groups,
                             .tokenreview_allowed_users = options.tokenreview_allowed_users,
                             .tokenreview_allowed_groups = options.tokenreview_allowed_groups},
                         std::make_unique<api::ApiHandler>(
                             std::move(apis), std::make_unique<api::NotFoundHandler>()))));

  server_options.on_shutdown = [health] { health->SetShuttingDown(); };
  auto server = server::HttpsServer::Create(std::move(server_options), handler);
  if (!server) return Fail(server.error().message);
  (*server)->Run();
  return 0;
}

}  // namespace
}  // namespace kauth

int main(int argc, char** argv) {
  // glibc raises its mmap threshold after freeing a large block, so the next large request buffers
  // (headers up to 1 MiB, bodies up to 3 MiB) come from the heap and their pages stay resident
  // after use. A fixed threshold keeps large buffers in mmap'd memory that free() returns.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  return kauth::Main(std::span<const char* const>(argv + 1, static_cast<std::size_t>(argc - 1)));
}
