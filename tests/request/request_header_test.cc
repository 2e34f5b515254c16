#include "kauth/request_header.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "kauth/audience_agnostic.h"
#include "kauth/basic_request.h"
#include "testing/cert_factory.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"

namespace kauth {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;
using testing::Authed;
using testing::CaSpec;
using testing::CertSpec;
using testing::ClientSpec;
using testing::Issue;
using testing::IssuedCert;
using testing::Rejected;
using testing::SelfSign;
using Headers = std::vector<std::pair<std::string, std::string>>;

const system_clock::time_point kNow = std::chrono::sys_days{std::chrono::year{2026} / 1 / 15} + 12h;

CertSpec Valid(CertSpec spec) {
  spec.not_before = kNow - 1h;
  spec.not_after = kNow + 24h;
  return spec;
}

std::shared_ptr<const CaBundle> Bundle(const IssuedCert& ca, std::string_view name) {
  return CaBundle::FromPem(ca.CertPem(), name).value();
}

// The front-proxy PKI (the request-header CA and the proxy's certificate) and, apart from it,
// an ordinary client CA with a client of its own.
struct Pki {
  IssuedCert proxy_ca = SelfSign(Valid(CaSpec("front-proxy-ca")));
  IssuedCert proxy = Issue(Valid(ClientSpec("front-proxy-client")), proxy_ca);
  IssuedCert client_ca = SelfSign(Valid(CaSpec("client-ca")));
  IssuedCert client = Issue(Valid(ClientSpec("mallory", {"system:masters"})), client_ca);
};

// kube-apiserver's usual flags (kubeadm's): the standard names, no UID headers.
RequestHeaderAuthenticatorOptions StandardOptions(const Pki& pki) {
  return {.client_ca = NewStaticCaBundleProvider(Bundle(pki.proxy_ca, "request-header::test")),
          .username_headers = {"X-Remote-User"},
          .group_headers = {"X-Remote-Group"},
          .extra_header_prefixes = {"X-Remote-Extra-"},
          .now = [] { return kNow; }};
}

std::unique_ptr<BasicRequest> MakeRequest(const Headers& headers, std::vector<X509*> chain) {
  auto request = std::make_unique<BasicRequest>("/api");
  for (const auto& [name, value] : headers) request->AddHeader(name, value);
  if (!chain.empty()) request->SetPeerCertificates(chain);
  return request;
}

Headers Remaining(const Request& request) {
  Headers out;
  request.ForEachHeader([&](std::string_view name, std::string_view value) {
    out.emplace_back(std::string(name), std::string(value));
  });
  return out;
}

// R9.2: the certificate gate, in front of an otherwise valid set of proxy headers.
TEST(RequestHeaderAuthenticatorTest, R9_2_CertificateGate) {
  const Pki pki;
  const IssuedCert intermediate = Issue(Valid(CaSpec("front-proxy-intermediate")), pki.proxy_ca);
  const IssuedCert via_intermediate = Issue(Valid(ClientSpec("front-proxy-client")), intermediate);
  CertSpec expired_spec = ClientSpec("front-proxy-client");
  expired_spec.not_before = kNow - 48h;
  expired_spec.not_after = kNow - 1h;
  const IssuedCert expired = Issue(expired_spec, pki.proxy_ca);
  CertSpec server_only_spec = Valid(ClientSpec("front-proxy-client"));
  server_only_spec.ext_key_usage = std::vector<std::string>{std::string(testing::kEkuServerAuth)};
  const IssuedCert server_only = Issue(server_only_spec, pki.proxy_ca);
  CertSpec no_cn_spec = Valid(ClientSpec("unused"));
  no_cn_spec.subject = {testing::Org("proxies")};
  const IssuedCert no_cn = Issue(no_cn_spec, pki.proxy_ca);
  const IssuedCert other_proxy = Issue(Valid(ClientSpec("other-proxy")), pki.proxy_ca);

  const AuthResult fido = Authed({.name = "fido"});
  struct Case {
    const char* name;
    std::vector<X509*> chain;
    bool tls = true;
    std::vector<std::string> allowed_names;
    AuthResult want;
  };
  const Case cases[] = {
      {"no TLS", {}, false, {}, AuthResult::NotApplicable()},
      {"TLS without a client certificate", {}, true, {}, AuthResult::NotApplicable()},
      {"proxy certificate, any name allowed", {pki.proxy.get()}, true, {}, fido},
      {"proxy certificate through an intermediate",
       {via_intermediate.get(), intermediate.get()},
       true,
       {},
       fido},
      {"a client CA's certificate is not the proxy's: the bare Go error",
       {pki.client.get()},
       true,
       {},
       Rejected("x509: certificate signed by unknown authority")},
      {"expired proxy certificate",
       {expired.get()},
       true,
       {},
       Rejected("x509: certificate has expired or is not yet valid: current time "
                "2026-01-15T12:00:00Z is after 2026-01-15T11:00:00Z")},
      {"proxy certificate without client-auth usage",
       {server_only.get()},
       true,
       {},
       Rejected("x509: certificate specifies an incompatible key usage")},
      {"CN in the allowed list",
       {pki.proxy.get()},
       true,
       {"aggregator", "front-proxy-client"},
       fido},
      {"CN not in the allowed list",
       {other_proxy.get()},
       true,
       {"front-proxy-client"},
       Rejected("x509: subject with cn=other-proxy is not in the allowed list")},
      {"allowed names match exactly, case included",
       {pki.proxy.get()},
       true,
       {"Front-Proxy-Client"},
       Rejected("x509: subject with cn=front-proxy-client is not in the allowed list")},
      {"no CN against an allowed list",
       {no_cn.get()},
       true,
       {"front-proxy-client"},
       Rejected("x509: subject with cn= is not in the allowed list")},
      {"no CN, any name allowed: the certificate names nobody, the headers do",
       {no_cn.get()},
       true,
       {},
       fido},
      {"verification comes before the allowed-names check",
       {pki.client.get()},
       true,
       {"mallory"},
       Rejected("x509: certificate signed by unknown authority")},
  };
  for (const Case& c : cases) {
    RequestHeaderAuthenticatorOptions options = StandardOptions(pki);
    options.allowed_names = c.allowed_names;
    const auto authenticator = NewRequestHeaderAuthenticator(std::move(options));
    const Headers headers = {{"X-Remote-User", "fido"}, {"Accept", "application/json"}};
    auto request = MakeRequest(headers, c.chain);
    request->set_tls(c.tls);
    EXPECT_EQ(testing::Authenticate(*authenticator, *request), c.want) << c.name;
    // Only a request that authenticates loses its identity headers.
    if (!c.want.authenticated()) {
      EXPECT_EQ(Remaining(*request), headers) << c.name;
    }
  }
}

// R5.2 through R9.2: no request-header bundle loaded yet means no opinion.
TEST(RequestHeaderAuthenticatorTest, R9_2_NoBundleLoadedIsNotApplicable) {
  const Pki pki;
  RequestHeaderAuthenticatorOptions options = StandardOptions(pki);
  options.client_ca = NewStaticCaBundleProvider(nullptr);
  const auto authenticator = NewRequestHeaderAuthenticator(std::move(options));
  auto request = MakeRequest({{"X-Remote-User", "fido"}}, {pki.proxy.get()});
  EXPECT_EQ(testing::Authenticate(*authenticator, *request), AuthResult::NotApplicable());
}

// R9.3: reading the headers, with two names per list to show flag order.
TEST(RequestHeaderAuthenticatorTest, R9_3_ReadingTheHeaders) {
  const Pki pki;
  RequestHeaderAuthenticatorOptions options = StandardOptions(pki);
  options.username_headers = {"X-Remote-User", "X-Proxy-User"};
  options.uid_headers = {"X-Remote-Uid", "X-Proxy-Uid"};
  options.group_headers = {"X-Remote-Group", "X-Proxy-Group"};
  options.extra_header_prefixes = {"X-Remote-Extra-", "X-Proxy-Extra-"};
  const auto authenticator = NewRequestHeaderAuthenticator(std::move(options));

  struct Case {
    const char* name;
    Headers headers;
    AuthResult want;
  };
  const Case cases[] = {
      {"no username header", {{"X-Remote-Group", "dogs"}}, AuthResult::NotApplicable()},
      {"only empty usernames",
       {{"X-Remote-User", ""}, {"X-Proxy-User", ""}},
       AuthResult::NotApplicable()},
      {"flag order wins over arrival order",
       {{"X-Proxy-User", "second"}, {"X-Remote-User", "first"}},
       Authed({.name = "first"})},
      {"only the first value of a header counts",
       {{"X-Remote-User", ""}, {"X-Remote-User", "ignored"}, {"X-Proxy-User", "carol"}},
       Authed({.name = "carol"})},
      {"first value of the first header, later values ignored",
       {{"X-Remote-User", "alice"}, {"X-Remote-User", "bob"}},
       Authed({.name = "alice"})},
      {"header names match in any case", {{"x-REMOTE-user", "dave"}}, Authed({.name = "dave"})},
      {"uid: same rule as the name",
       {{"X-Remote-User", "u"}, {"X-Remote-Uid", ""}, {"X-Proxy-Uid", "1001"}},
       Authed({.name = "u", .uid = "1001"})},
      {"uid absent is empty", {{"X-Remote-User", "u"}}, Authed({.name = "u"})},
      {"groups: flag order, then arrival order; empty values skipped; commas kept",
       {{"X-Proxy-Group", "p1"},
        {"X-Remote-User", "u"},
        {"x-remote-group", "a,b"},
        {"X-Remote-Group", ""},
        {"X-Proxy-Group", "p2"},
        {"X-Remote-Group", "c"},
        {"X-Remote-Group", "c"}},
       Authed({.name = "u", .groups = {"a,b", "c", "c", "p1", "p2"}})},
      {"extra: key lower-cased, then percent-decoded",
       {{"X-Remote-User", "u"},
        {"X-Remote-Extra-Acme.com%2Fproject", "p"},
        {"X-Remote-Extra-SCOPES", "openid"},
        {"x-remote-extra-scopes", "profile"},
        {"X-Remote-Extra-Upper%41", "decoded after lower-casing"},
        {"X-Remote-Extra-Plus+Sign", "plus kept"},
        {"X-Remote-Extra-Empty", ""}},
       Authed({.name = "u",
               .extra = {{"acme.com/project", {"p"}},
                         {"scopes", {"openid", "profile"}},
                         {"upperA", {"decoded after lower-casing"}},
                         {"plus+sign", {"plus kept"}},
                         {"empty", {""}}}})},
      {"extra: a malformed escape keeps the lower-cased raw key",
       {{"X-Remote-User", "u"},
        {"X-Remote-Extra-Bad%ZZ", "1"},
        {"X-Remote-Extra-Short%4", "2"},
        {"X-Remote-Extra-Trailing%", "3"}},
       Authed(
           {.name = "u", .extra = {{"bad%zz", {"1"}}, {"short%4", {"2"}}, {"trailing%", {"3"}}}})},
      {"extra: prefixes in flag order, values appended under one key",
       {{"X-Remote-User", "u"},
        {"X-Proxy-Extra-Scopes", "from-second-prefix"},
        {"X-Remote-Extra-Scopes", "from-first-prefix"}},
       Authed({.name = "u", .extra = {{"scopes", {"from-first-prefix", "from-second-prefix"}}}})},
      {"extra: the prefix alone gives the empty key",
       {{"X-Remote-User", "u"}, {"X-Remote-Extra-", "v"}},
       Authed({.name = "u", .extra = {{"", {"v"}}}})},
  };
  for (const Case& c : cases) {
    auto request = MakeRequest(c.headers, {pki.proxy.get()});
    EXPECT_EQ(testing::Authenticate(*authenticator, *request), c.want) << c.name;
  }
}

// R9.3: after success every configured name/UID/group header and every prefixed header is gone,
// in any case, whether it was read or not; a request that is not applicable keeps them.
TEST(RequestHeaderAuthenticatorTest, R9_3_IdentityHeadersAreRemoved) {
  const Pki pki;
  RequestHeaderAuthenticatorOptions options = StandardOptions(pki);
  options.username_headers = {"X-Remote-User", "X-Proxy-User"};
  options.uid_headers = {"X-Remote-Uid"};
  options.extra_header_prefixes = {"X-Remote-Extra-", "X-Proxy-Extra-"};
  const auto authenticator = NewRequestHeaderAuthenticator(std::move(options));

  auto request = MakeRequest({{"Accept", "application/json"},
                              {"X-Remote-User", "fido"},
                              {"x-remote-user", "second line"},
                              {"X-Proxy-User", "unused"},
                              {"X-REMOTE-UID", "42"},
                              {"X-Remote-Group", "dogs"},
                              {"X-Remote-Extra-Scopes", "openid"},
                              {"x-proxy-extra-a", "b"},
                              {"X-Remote-Username", "not a configured name"},
                              {"Authorization", "Bearer abc"}},
                             {pki.proxy.get()});
  ASSERT_EQ(testing::Authenticate(*authenticator, *request),
            Authed({.name = "fido",
                    .uid = "42",
                    .groups = {"dogs"},
                    .extra = {{"scopes", {"openid"}}, {"a", {"b"}}}}));
  EXPECT_EQ(Remaining(*request), (Headers{{"Accept", "application/json"},
                                          {"X-Remote-Username", "not a configured name"},
                                          {"Authorization", "Bearer abc"}}));

  const Headers without_user = {{"X-Remote-Group", "dogs"}, {"X-Remote-Extra-Scopes", "openid"}};
  auto not_applicable = MakeRequest(without_user, {pki.proxy.get()});
  ASSERT_EQ(testing::Authenticate(*authenticator, *not_applicable), AuthResult::NotApplicable());
  EXPECT_EQ(Remaining(*not_applicable), without_user);
}

// R9.4: no audiences of its own; wrapped audience-agnostic it answers for the API audiences.
TEST(RequestHeaderAuthenticatorTest, R9_4_AudienceAgnostic) {
  const Pki pki;
  const auto bare = NewRequestHeaderAuthenticator(StandardOptions(pki));
  auto request = MakeRequest({{"X-Remote-User", "fido"}}, {pki.proxy.get()});
  const AuthResult result = testing::Authenticate(*bare, *request);
  ASSERT_TRUE(result.authenticated());
  EXPECT_TRUE(result.response().audiences.empty());

  const auto wrapped = NewAudienceAgnosticAuthenticator(
      NewRequestHeaderAuthenticator(StandardOptions(pki)), {"https://kubernetes.default.svc"});
  struct Case {
    const char* name;
    std::optional<Audiences> context_audiences;
    AuthResult want;
  };
  const Case cases[] = {
      {"no audiences in the context", std::nullopt, Authed({.name = "fido"})},
      {"an API audience", Audiences{"other", "https://kubernetes.default.svc"},
       Authed({.name = "fido"}, {"https://kubernetes.default.svc"})},
      {"no API audience", Audiences{"other"}, AuthResult::NotApplicable()},
  };
  for (const Case& c : cases) {
    auto one = MakeRequest({{"X-Remote-User", "fido"}}, {pki.proxy.get()});
    AuthContext ctx(c.context_audiences);
    EXPECT_EQ(testing::Authenticate(*wrapped, *one, ctx), c.want) << c.name;
  }
}

// R9.5, verbatim. The authenticator itself adds no group; system:authenticated comes from the
// chain's group adder (see tests/chain/request_header_chain_test.cc).
TEST(RequestHeaderAuthenticatorTest, R9_5_Example) {
  const Pki pki;
  const auto authenticator = NewRequestHeaderAuthenticator(StandardOptions(pki));
  auto request = MakeRequest({{"X-Remote-User", "fido"},
                              {"X-Remote-Group", "dogs"},
                              {"X-Remote-Group", "dachshunds"},
                              {"X-Remote-Extra-Acme.com%2Fproject", "some-project"},
                              {"X-Remote-Extra-Scopes", "openid"},
                              {"X-Remote-Extra-Scopes", "profile"}},
                             {pki.proxy.get()});
  EXPECT_EQ(testing::Authenticate(*authenticator, *request),
            Authed({.name = "fido",
                    .groups = {"dogs", "dachshunds"},
                    .extra = {{"acme.com/project", {"some-project"}},
                              {"scopes", {"openid", "profile"}}}}));
  EXPECT_TRUE(Remaining(*request).empty());
}

// R9.6: start-up validation.
TEST(RequestHeaderValidationTest, R9_6_Validation) {
  const Pki pki;
  const auto proxy_bundle = Bundle(pki.proxy_ca, "request-header::proxy.crt");
  const auto client_bundle = Bundle(pki.client_ca, "client-ca-bundle::client.crt");
  // Two certificates, one of them the request-header CA: overlapping.
  const auto both_bundle = CaBundle::FromPem(pki.client_ca.CertPem() + pki.proxy_ca.CertPem(),
                                             "client-ca-bundle::both.crt")
                               .value();
  // The same CA re-issued (same name and key, new serial): not the same certificate.
  CertSpec reissued_spec = Valid(CaSpec("front-proxy-ca"));
  reissued_spec.key = pki.proxy_ca.key;
  const auto reissued_bundle = Bundle(SelfSign(reissued_spec), "client-ca-bundle::reissued.crt");

  const std::string kOverlap =
      "--requestheader-client-ca-file and --client-ca-file contain overlapping certificates; "
      "--requestheader-allowed-names must be specified to ensure regular client certificates "
      "cannot set authenticating proxy headers for arbitrary users";
  const std::string kUidError =
      "--requestheader-uid-headers is set without specifying the standard X-Remote-Uid header - "
      "API aggregation will not work";
  const std::string kUserWarning =
      "--requestheader-username-headers is set without specifying the standard X-Remote-User "
      "header - API aggregation will not work";
  const std::string kGroupWarning =
      "--requestheader-group-headers is set without specifying the standard X-Remote-Group "
      "header - API aggregation will not work";
  const std::string kExtraWarning =
      "--requestheader-extra-headers-prefix is set without specifying the standard "
      "X-Remote-Extra- header prefix - API aggregation will not work";

  using Lists = std::vector<std::string>;
  struct Case {
    const char* name;
    Lists usernames, uids, groups, extras, allowed;
    std::shared_ptr<const CaBundle> client_ca;
    std::shared_ptr<const CaBundle> request_header_ca;
    std::string want_error;  // empty: valid
    Lists want_warnings;
  };
  const Case cases[] = {
      {"kube-apiserver defaults (all lists empty)",
       {},
       {},
       {},
       {},
       {},
       nullptr,
       proxy_bundle,
       "",
       {}},
      {"the standard names",
       {"X-Remote-User"},
       {"X-Remote-Uid"},
       {"X-Remote-Group"},
       {"X-Remote-Extra-"},
       {"front-proxy-client"},
       client_bundle,
       proxy_bundle,
       "",
       {}},
      {"standard names in another case, among others",
       {"X-Other", "x-remote-user"},
       {"X-Other-Uid", "x-remote-uid"},
       {"X-REMOTE-GROUP"},
       {"x-remote-extra-"},
       {},
       nullptr,
       proxy_bundle,
       "",
       {}},
      {"non-standard names are only warnings",
       {"X-User"},
       {},
       {"X-Group"},
       {"X-Extra-"},
       {},
       nullptr,
       proxy_bundle,
       "",
       {kUserWarning, kGroupWarning, kExtraWarning}},
      {"whitespace-only username",
       {"X-Remote-User", " \t"},
       {},
       {},
       {},
       {},
       nullptr,
       proxy_bundle,
       "empty value in \"requestheader-username-headers\"",
       {}},
      {"empty uid",
       {},
       {""},
       {},
       {},
       {},
       nullptr,
       proxy_bundle,
       "[empty value in \"requestheader-uid-headers\", " + kUidError + "]",
       {}},
      {"whitespace-only group",
       {},
       {},
       {" "},
       {},
       {},
       nullptr,
       proxy_bundle,
       "empty value in \"requestheader-group-headers\"",
       {}},
      {"whitespace-only extra prefix",
       {},
       {},
       {},
       {"\n"},
       {},
       nullptr,
       proxy_bundle,
       "empty value in \"requestheader-extra-headers-prefix\"",
       {}},
      {"whitespace-only allowed name",
       {},
       {},
       {},
       {},
       {"front-proxy-client", " "},
       nullptr,
       proxy_bundle,
       "empty value in \"requestheader-allowed-names\"",
       {}},
      {"uid headers without X-Remote-Uid are an error",
       {},
       {"X-Uid"},
       {},
       {},
       {},
       nullptr,
       proxy_bundle,
       kUidError,
       {}},
      {"every error is reported",
       {""},
       {"X-Uid"},
       {"X-Remote-Group"},
       {},
       {},
       both_bundle,
       proxy_bundle,
       "[empty value in \"requestheader-username-headers\", " + kUidError + ", " + kOverlap + "]",
       {}},
      {"the same CA in both files", {}, {}, {}, {}, {}, proxy_bundle, proxy_bundle, kOverlap, {}},
      {"one shared certificate among several",
       {},
       {},
       {},
       {},
       {},
       both_bundle,
       proxy_bundle,
       kOverlap,
       {}},
      {"overlap with allowed names is fine",
       {},
       {},
       {},
       {},
       {"front-proxy-client"},
       both_bundle,
       proxy_bundle,
       "",
       {}},
      {"different CAs do not overlap", {}, {}, {}, {}, {}, client_bundle, proxy_bundle, "", {}},
      {"a re-issued CA is a different certificate",
       {},
       {},
       {},
       {},
       {},
       reissued_bundle,
       proxy_bundle,
       "",
       {}},
      {"no --client-ca-file", {}, {}, {}, {}, {}, nullptr, proxy_bundle, "", {}},
      {"request-header CA not loaded", {}, {}, {}, {}, {}, proxy_bundle, nullptr, "", {}},
  };
  for (const Case& c : cases) {
    const RequestHeaderAuthenticatorOptions options{
        .client_ca = NewStaticCaBundleProvider(c.request_header_ca),
        .allowed_names = c.allowed,
        .username_headers = c.usernames,
        .uid_headers = c.uids,
        .group_headers = c.groups,
        .extra_header_prefixes = c.extras};
    const Result<std::vector<std::string>> got =
        ValidateRequestHeaderOptions(options, c.client_ca.get());
    if (c.want_error.empty()) {
      ASSERT_TRUE(got.has_value()) << c.name << ": " << got.error().message;
      EXPECT_EQ(*got, c.want_warnings) << c.name;
    } else {
      ASSERT_FALSE(got.has_value()) << c.name;
      EXPECT_EQ(got.error().message, c.want_error) << c.name;
    }
  }
}

}  // namespace
}  // namespace kauth
