// The request-header authenticator in the assembled chain (R6.4, R9): first, ahead of x509 and
// the token authenticators, and trusted only with the proxy's certificate.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "kauth/audience_agnostic.h"
#include "kauth/basic_request.h"
#include "kauth/chain.h"
#include "kauth/request_header.h"
#include "testing/cert_factory.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"

namespace kauth {
namespace {

using testing::Authed;
using testing::IssuedCert;
using testing::Rejected;
using Headers = std::vector<std::pair<std::string, std::string>>;

// Certificates valid now: the chain's x509 authenticator reads the system clock.
struct Pki {
  IssuedCert proxy_ca = testing::SelfSign(testing::CaSpec("front-proxy-ca"));
  IssuedCert proxy = testing::Issue(testing::ClientSpec("front-proxy-client"), proxy_ca);
  IssuedCert client_ca = testing::SelfSign(testing::CaSpec("client-ca"));
  IssuedCert mallory = testing::Issue(testing::ClientSpec("mallory", {"devs"}), client_ca);
};

std::shared_ptr<const CaBundleProvider> Provider(std::string pem, std::string_view name) {
  return NewStaticCaBundleProvider(CaBundle::FromPem(pem, name).value());
}

// kube-apiserver's order with a request-header CA, a client CA and a token file, anonymous on.
// `client_ca_pem` lets a test trust the proxy's CA for ordinary client certificates too.
Chain BuildTestChain(const Pki& pki, std::string client_ca_pem, Audiences api_audiences = {}) {
  ChainConfig config;
  config.front.push_back(NewAudienceAgnosticAuthenticator(
      NewRequestHeaderAuthenticator(
          {.client_ca = Provider(pki.proxy_ca.CertPem(), "request-header::proxy-ca.crt"),
           .allowed_names = {"front-proxy-client"},
           .username_headers = {"X-Remote-User"},
           .uid_headers = {"X-Remote-Uid"},
           .group_headers = {"X-Remote-Group"},
           .extra_header_prefixes = {"X-Remote-Extra-"}}),
      api_audiences));
  config.client_ca = Provider(std::move(client_ca_pem), "client-ca-bundle::client-ca.crt");
  config.token_file = TokenFile::FromEntries({{"abc123", {.name = "alice", .groups = {"dev"}}}});
  config.api_audiences = std::move(api_audiences);
  return BuildChain(std::move(config));
}

struct Outcome {
  AuthResult result;
  Headers remaining;
};

Outcome RunChain(const Chain& chain, const Headers& headers, std::vector<X509*> certificates,
                 AuthContext& ctx) {
  BasicRequest request("/api");
  for (const auto& [name, value] : headers) request.AddHeader(name, value);
  if (!certificates.empty()) request.SetPeerCertificates(certificates);
  Outcome out{testing::Authenticate(*chain.authenticator, request, ctx), {}};
  request.ForEachHeader([&](std::string_view name, std::string_view value) {
    out.remaining.emplace_back(std::string(name), std::string(value));
  });
  return out;
}

Outcome RunChain(const Chain& chain, const Headers& headers, std::vector<X509*> certificates) {
  AuthContext ctx;
  return RunChain(chain, headers, std::move(certificates), ctx);
}

// Name and groups of an x509 user (its credential id depends on the random certificate).
std::pair<std::string, std::vector<std::string>> NameAndGroups(const AuthResult& result) {
  if (!result.authenticated()) return {};
  return {result.response().user.name, result.response().user.groups};
}

// R9.5's example through the whole chain: the group adder appends system:authenticated.
TEST(RequestHeaderChainTest, R9_5_ExampleThroughTheChain) {
  const Pki pki;
  const Chain chain = BuildTestChain(pki, pki.client_ca.CertPem());
  const Outcome got = RunChain(chain,
                               {{"X-Remote-User", "fido"},
                                {"X-Remote-Group", "dogs"},
                                {"X-Remote-Group", "dachshunds"},
                                {"X-Remote-Extra-Acme.com%2Fproject", "some-project"},
                                {"X-Remote-Extra-Scopes", "openid"},
                                {"X-Remote-Extra-Scopes", "profile"}},
                               {pki.proxy.get()});
  EXPECT_EQ(got.result, Authed({.name = "fido",
                                .groups = {"dogs", "dachshunds", "system:authenticated"},
                                .extra = {{"acme.com/project", {"some-project"}},
                                          {"scopes", {"openid", "profile"}}}}));
  EXPECT_TRUE(got.remaining.empty());
}

// R6.4 / R9.2: the proxy's headers authenticate; the same headers from anyone else do not.
TEST(RequestHeaderChainTest, R9_2_OnlyTheProxyMaySetIdentityHeaders) {
  const Pki pki;
  const Chain chain = BuildTestChain(pki, pki.client_ca.CertPem());
  const Headers spoofed = {{"X-Remote-User", "admin"}, {"X-Remote-Group", "system:masters"}};

  // The proxy: the header identity, and the headers are consumed.
  Outcome proxy =
      RunChain(chain, {{"X-Remote-User", "fido"}, {"X-Remote-Uid", "7"}}, {pki.proxy.get()});
  EXPECT_EQ(proxy.result, Authed({.name = "fido", .uid = "7", .groups = {"system:authenticated"}}));
  EXPECT_TRUE(proxy.remaining.empty());

  // A direct client with an ordinary client certificate: the request-header CA rejects its
  // certificate, and the x509 authenticator names it by its own certificate, not the header.
  Outcome client = RunChain(chain, spoofed, {pki.mallory.get()});
  EXPECT_EQ(NameAndGroups(client.result),
            std::make_pair(std::string("mallory"),
                           std::vector<std::string>{"devs", "system:authenticated"}));

  // A direct client with a token: the token's user.
  Outcome token = RunChain(chain,
                           [&] {
                             Headers h = spoofed;
                             h.emplace_back("Authorization", "Bearer abc123");
                             return h;
                           }(),
                           {});
  EXPECT_EQ(token.result, Authed({.name = "alice", .groups = {"dev", "system:authenticated"}}));

  // A client with no credential at all: anonymous, whatever it claims.
  EXPECT_EQ(RunChain(chain, spoofed, {}).result,
            Authed({.name = "system:anonymous", .groups = {"system:unauthenticated"}}));

  // A certificate from a CA nobody trusts: the union reports every member's rejection.
  const IssuedCert stranger_ca = testing::SelfSign(testing::CaSpec("stranger-ca"));
  const IssuedCert stranger = testing::Issue(testing::ClientSpec("eve"), stranger_ca);
  const Outcome rejected = RunChain(chain, spoofed, {stranger.get()});
  ASSERT_TRUE(rejected.result.rejected());
  EXPECT_EQ(rejected.result.error().messages().front(),
            "x509: certificate signed by unknown authority");
  EXPECT_EQ(rejected.remaining, spoofed);
}

// R6.4: the request-header authenticator comes before x509 and the bearer token.
TEST(RequestHeaderChainTest, R6_4_RequestHeaderIsFirst) {
  const Pki pki;
  // The proxy's CA is trusted for ordinary client certificates as well, so its certificate
  // would also authenticate as "front-proxy-client" through x509.
  const Chain chain = BuildTestChain(pki, pki.proxy_ca.CertPem() + pki.client_ca.CertPem());

  EXPECT_EQ(RunChain(chain, {{"X-Remote-User", "fido"}}, {pki.proxy.get()}).result,
            Authed({.name = "fido", .groups = {"system:authenticated"}}));
  // Ahead of the bearer authenticator too, which then leaves Authorization alone.
  const Outcome with_token = RunChain(
      chain, {{"X-Remote-User", "fido"}, {"Authorization", "Bearer abc123"}}, {pki.proxy.get()});
  EXPECT_EQ(with_token.result, Authed({.name = "fido", .groups = {"system:authenticated"}}));
  EXPECT_EQ(with_token.remaining, (Headers{{"Authorization", "Bearer abc123"}}));
  // Without a username header the request-header authenticator has no opinion and the
  // certificate is an ordinary client certificate.
  EXPECT_EQ(NameAndGroups(RunChain(chain, {}, {pki.proxy.get()}).result),
            std::make_pair(std::string("front-proxy-client"),
                           std::vector<std::string>{"system:authenticated"}));
}

// R9.4 in the chain: wrapped audience-agnostic with the API audiences.
TEST(RequestHeaderChainTest, R9_4_AudiencesInTheChain) {
  const Pki pki;
  const Chain chain =
      BuildTestChain(pki, pki.client_ca.CertPem(), {"https://kubernetes.default.svc"});
  AuthContext matching(Audiences{"https://kubernetes.default.svc"});
  EXPECT_EQ(RunChain(chain, {{"X-Remote-User", "fido"}}, {pki.proxy.get()}, matching).result,
            Authed({.name = "fido", .groups = {"system:authenticated"}},
                   {"https://kubernetes.default.svc"}));
  // A request for another audience: the wrapper answers "not applicable" for the proxy without
  // reading its headers, and the x509 authenticator, which does not trust the proxy's CA here,
  // rejects the certificate.
  AuthContext other(Audiences{"vault"});
  const Outcome got = RunChain(chain, {{"X-Remote-User", "fido"}}, {pki.proxy.get()}, other);
  ASSERT_TRUE(got.result.rejected());
  const std::string message = got.result.error().message();
  EXPECT_TRUE(message.starts_with("verifying certificate SN=")) << message;
  EXPECT_TRUE(message.ends_with(" failed: x509: certificate signed by unknown authority"))
      << message;
  EXPECT_EQ(got.remaining, (Headers{{"X-Remote-User", "fido"}}));
}

}  // namespace
}  // namespace kauth
