#include "kauth/chain.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "kauth/basic_request.h"
#include "testing/cert_factory.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"
#include "testing/slow_token_authenticator.h"

namespace kauth {
namespace {

using testing::Authed;
using testing::Authenticate;
using testing::FixedRequestAuthenticator;
using testing::MapTokenAuthenticator;
using testing::Rejected;
using G = std::vector<std::string>;

const UserInfo kAnonymous{.name = "system:anonymous", .groups = {"system:unauthenticated"}};
const UserInfo kAliceAuthenticated{
    .name = "alice", .uid = "1001", .groups = {"dev", "ops", "system:authenticated"}};

std::shared_ptr<const TokenFile> AliceTokenFile() {
  return TokenFile::FromEntries(
      {{"abc123", {.name = "alice", .uid = "1001", .groups = {"dev", "ops"}}}});
}

struct RequestSpec {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string path = "/api";
};

AuthResult RunChain(const Chain& chain, const RequestSpec& spec, AuthContext& ctx) {
  BasicRequest request(spec.path);
  for (const auto& [name, value] : spec.headers) request.AddHeader(name, value);
  return Authenticate(*chain.authenticator, request, ctx);
}

AuthResult RunChain(const Chain& chain, const RequestSpec& spec) {
  AuthContext ctx;
  return RunChain(chain, spec, ctx);
}

// R6.4 step 1: nothing configured.
TEST(BuildChainTest, R6_4_NothingConfiguredAnonymousOffDisablesAuthentication) {
  const Chain chain = BuildChain({.anonymous = false});
  EXPECT_EQ(chain.authenticator, nullptr);
  EXPECT_EQ(chain.token_cache, nullptr);
}

TEST(BuildChainTest, R6_4_NothingConfiguredIsAnonymousAloneWithoutGroupAdder) {
  const Chain chain = BuildChain({});
  ASSERT_NE(chain.authenticator, nullptr);
  EXPECT_EQ(RunChain(chain, {}), Authed(kAnonymous));
  // Anonymous alone does not even look at credentials.
  EXPECT_EQ(RunChain(chain, {.headers = {{"Authorization", "Bearer whatever"}}}),
            Authed(kAnonymous));
}

// R6.4 steps 2-3 with a token file: outcomes seen by a client.
struct TableCase {
  const char* name;
  RequestSpec request;
  AuthResult want;
};

std::vector<TableCase> TokenFileWithAnonymousCases() {
  const std::string ws_prefix = "base64url.bearer.authorization.k8s.io.";
  return {
      {"valid token gets system:authenticated",
       {.headers = {{"Authorization", "Bearer abc123"}}},
       Authed(kAliceAuthenticated)},
      {"unknown token is a 401, never anonymous",
       {.headers = {{"Authorization", "Bearer nope"}}},
       Rejected("invalid bearer token")},
      {"no credential is anonymous", {}, Authed(kAnonymous)},
      {"basic auth is not a credential kauth knows: anonymous",
       {.headers = {{"Authorization", "Basic YTpi"}}},
       Authed(kAnonymous)},
      {"two spaces are served as anonymous (kubernetes#106142)",
       {.headers = {{"Authorization", "Bearer  abc123"}}},
       Authed(kAnonymous)},
      {"websocket token",
       {.headers = {{"Upgrade", "websocket"},
                    {"Connection", "Upgrade"},
                    {"Sec-WebSocket-Protocol", ws_prefix + "YWJjMTIz, v4.channel.k8s.io"}}},
       Authed(kAliceAuthenticated)},
      {"bad websocket token is a 401",
       {.headers = {{"Upgrade", "websocket"},
                    {"Connection", "Upgrade"},
                    {"Sec-WebSocket-Protocol", ws_prefix + "bm9wZQ, v4.channel.k8s.io"}}},
       Rejected("invalid bearer token")},
  };
}

TEST(BuildChainTest, R6_4_TokenFileWithAnonymousTable) {
  ChainConfig config;
  config.token_file = AliceTokenFile();
  const Chain chain = BuildChain(std::move(config));
  for (const auto& c : TokenFileWithAnonymousCases()) {
    EXPECT_EQ(RunChain(chain, c.request), c.want) << c.name;
  }
}

// An in-memory chain answers with plain calls (AuthenticateInline); one remote member makes the
// whole chain suspend instead. Both give the R6.4 answers.
TEST(BuildChainTest, R6_4_InlineAndSuspendingChainsAgree) {
  ChainConfig in_memory;
  in_memory.token_file = AliceTokenFile();
  const Chain inline_chain = BuildChain(std::move(in_memory));
  ASSERT_TRUE(inline_chain.authenticator->CompletesInline());

  auto remote =
      std::make_unique<testing::SlowTokenAuthenticator>(std::map<std::string, AuthResult>{});
  remote->set_delay(std::chrono::milliseconds(1));
  testing::SlowTokenAuthenticator& remote_ref = *remote;
  ChainConfig with_remote;
  with_remote.token_file = AliceTokenFile();
  with_remote.tokens.push_back(std::move(remote));
  const Chain suspending_chain = BuildChain(std::move(with_remote));
  ASSERT_FALSE(suspending_chain.authenticator->CompletesInline());

  for (const auto& c : TokenFileWithAnonymousCases()) {
    BasicRequest request(c.request.path);
    for (const auto& [name, value] : c.request.headers) request.AddHeader(name, value);
    AuthContext ctx;
    EXPECT_EQ(inline_chain.authenticator->AuthenticateInline(request, ctx), c.want)
        << "inline: " << c.name;
    EXPECT_EQ(RunChain(suspending_chain, c.request), c.want) << "suspending: " << c.name;
  }
  // The unknown tokens reached the remote member (and suspended there).
  EXPECT_EQ(remote_ref.calls(), 2);
}

TEST(BuildChainTest, R6_4_AnonymousOffLeavesNoCredentialNotApplicable) {
  ChainConfig config;
  config.token_file = AliceTokenFile();
  config.anonymous = false;
  const Chain chain = BuildChain(std::move(config));
  EXPECT_TRUE(RunChain(chain, {}).not_applicable());
  EXPECT_EQ(RunChain(chain, {.headers = {{"Authorization", "Bearer abc123"}}}),
            Authed(kAliceAuthenticated));
}

TEST(BuildChainTest, R6_4_AnonymousConditionsApplyOnlyToListedPaths) {
  ChainConfig config;
  config.token_file = AliceTokenFile();
  config.anonymous_options.allowed_paths = G{"/healthz"};
  const Chain chain = BuildChain(std::move(config));
  EXPECT_EQ(RunChain(chain, {.path = "/healthz"}), Authed(kAnonymous));
  EXPECT_TRUE(RunChain(chain, {.path = "/api"}).not_applicable());
}

// R6.4 / R2.4: the token file is audience-agnostic (R1.5) over the API audiences.
TEST(BuildChainTest, R6_4_TokenFileIsAudienceAgnostic) {
  ChainConfig config;
  config.token_file = AliceTokenFile();
  config.api_audiences = {"https://kubernetes.default.svc", "api"};
  const Chain chain = BuildChain(std::move(config));
  const RequestSpec alice{.headers = {{"Authorization", "Bearer abc123"}}};

  AuthContext matching(Audiences{"api"});
  EXPECT_EQ(RunChain(chain, alice, matching), Authed(kAliceAuthenticated, {"api"}));
  AuthContext disjoint(Audiences{"vault"});
  EXPECT_EQ(RunChain(chain, alice, disjoint), Rejected("invalid bearer token"));
}

// R6.4: the cache wraps T when either TTL is > 0.
TEST(BuildChainTest, R6_4_TokenCachePresentOnlyWithTokensAndTtl) {
  ChainConfig with_tokens;
  with_tokens.token_file = AliceTokenFile();
  EXPECT_NE(BuildChain(std::move(with_tokens)).token_cache, nullptr);

  ChainConfig zero_ttl;
  zero_ttl.token_file = AliceTokenFile();
  zero_ttl.token_cache.success_ttl = TokenCacheOptions::Clock::duration::zero();
  const Chain uncached = BuildChain(std::move(zero_ttl));
  EXPECT_EQ(uncached.token_cache, nullptr);
  EXPECT_EQ(RunChain(uncached, {.headers = {{"Authorization", "Bearer abc123"}}}),
            Authed(kAliceAuthenticated));

  EXPECT_EQ(BuildChain({}).token_cache, nullptr);
}

// R6.4: members in Kubernetes' order: front (request-header) before the bearer token.
TEST(BuildChainTest, R6_4_FrontAuthenticatorsComeFirst) {
  ChainConfig config;
  config.front.push_back(
      std::make_unique<FixedRequestAuthenticator>(Authed({.name = "proxy-user"})));
  config.token_file = AliceTokenFile();
  const Chain chain = BuildChain(std::move(config));
  EXPECT_EQ(RunChain(chain, {.headers = {{"Authorization", "Bearer abc123"}}}),
            Authed({.name = "proxy-user", .groups = G{"system:authenticated"}}));
}

// R6.4 step 4 and its consequence: the loopback member's "invalid bearer token" is aggregated
// in front of the real error (kubernetes#135450).
TEST(BuildChainTest, R6_4_LoopbackWrapper) {
  ChainConfig config;
  config.token_file = AliceTokenFile();
  std::map<std::string, AuthResult> answers = {
      {"expired-jwt", Rejected("service account token has expired")}};
  config.tokens.push_back(std::make_unique<MapTokenAuthenticator>(std::move(answers)));
  config.loopback_token = "loopback-secret";
  const Chain chain = BuildChain(std::move(config));

  const AuthResult loopback =
      RunChain(chain, {.headers = {{"Authorization", "Bearer loopback-secret"}}});
  ASSERT_TRUE(loopback.authenticated());
  EXPECT_EQ(loopback.response().user.name, "system:apiserver");
  EXPECT_EQ(loopback.response().user.groups, (G{"system:authenticated", "system:masters"}));
  EXPECT_EQ(loopback.response().user.uid.size(), 36u);

  EXPECT_EQ(RunChain(chain, {.headers = {{"Authorization", "Bearer expired-jwt"}}}),
            Rejected("[invalid bearer token, service account token has expired]"));
  EXPECT_EQ(RunChain(chain, {.headers = {{"Authorization", "Bearer nope"}}}),
            Rejected("invalid bearer token"));
  EXPECT_EQ(RunChain(chain, {.headers = {{"Authorization", "Bearer abc123"}}}),
            Authed(kAliceAuthenticated));
  EXPECT_EQ(RunChain(chain, {}), Authed(kAnonymous));
}

// R6.4 with --client-ca-file: x509 sits before the bearer token; a bad certificate is a 401, and
// an empty CN falls through to the other members.
TEST(BuildChainTest, R6_4_ClientCertificatesInTheChain) {
  const testing::IssuedCert ca = testing::SelfSign(testing::CaSpec("client-ca"));
  const testing::IssuedCert other_ca = testing::SelfSign(testing::CaSpec("other-ca"));
  const testing::IssuedCert jbeda =
      testing::Issue(testing::ClientSpec("jbeda", {"app1", "app2"}), ca);
  const testing::IssuedCert stranger = testing::Issue(testing::ClientSpec("eve"), other_ca);
  const testing::IssuedCert no_cn = testing::Issue(testing::ClientSpec("", {"org"}), ca);

  auto bundle = CaBundle::FromPem(ca.CertPem(), "client-ca-bundle::ca.crt");
  ASSERT_TRUE(bundle.has_value()) << bundle.error().message;
  std::vector<double> expirations;
  ChainConfig config;
  config.client_ca = NewStaticCaBundleProvider(*bundle);
  config.observe_client_certificate_expiration = [&](double s) { expirations.push_back(s); };
  config.token_file = AliceTokenFile();
  const Chain chain = BuildChain(std::move(config));

  auto run = [&](const testing::IssuedCert& cert, std::optional<std::string> authorization) {
    BasicRequest request("/api");
    X509* leaf = cert.get();
    request.SetPeerCertificates(std::span<X509* const>(&leaf, 1));
    if (authorization) request.AddHeader("Authorization", *authorization);
    return Authenticate(*chain.authenticator, request);
  };

  const AuthResult cert_user = run(jbeda, "Bearer abc123");
  ASSERT_TRUE(cert_user.authenticated());
  EXPECT_EQ(cert_user.response().user.name, "jbeda");
  EXPECT_EQ(cert_user.response().user.groups, (G{"app1", "app2", "system:authenticated"}));
  EXPECT_EQ(cert_user.response().user.extra.count("authentication.kubernetes.io/credential-id"),
            1u);

  const AuthResult bad_cert = run(stranger, std::nullopt);
  ASSERT_TRUE(bad_cert.rejected());
  EXPECT_TRUE(
      bad_cert.error().message().ends_with("failed: x509: certificate signed by unknown authority"))
      << bad_cert.error().message();

  // A rejected certificate does not stop a valid token from authenticating (plain union).
  EXPECT_EQ(run(stranger, "Bearer abc123"), Authed(kAliceAuthenticated));
  // No CN: x509 is not applicable, so the request is anonymous.
  EXPECT_EQ(run(no_cn, std::nullopt), Authed(kAnonymous));
  EXPECT_EQ(expirations.size(), 4u);
}

}  // namespace
}  // namespace kauth
