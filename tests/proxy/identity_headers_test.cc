#include "proxy/identity_headers.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kauth/basic_request.h"
#include "kauth/request_header.h"
#include "kauth/x509.h"
#include "testing/cert_factory.h"
#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"

namespace kauth::proxy {
namespace {

using testing::Authed;

IdentityHeaderOptions FrontProxy(FrontProxyHeaderNames names = {}) {
  return {.mode = IdentityMode::kFrontProxy, .front_proxy = std::move(names)};
}

IdentityHeaderOptions Impersonate() { return {.mode = IdentityMode::kImpersonate}; }

TEST(EscapeExtraKeyTest, R9_3_EscapesWhatTheReaderWouldChange) {
  const struct {
    const char* name;
    std::string key;
    std::string want;
  } cases[] = {
      {"plain lower case", "scopes", "scopes"},
      {"token punctuation stays", "a!#$&'*+-.^_`|~z", "a!#$&'*+-.^_`|~z"},
      {"slash", "acme.com/project", "acme.com%2Fproject"},
      {"percent, so it decodes as itself", "100%", "100%25"},
      {"a literal escape sequence", "%41", "%2541"},
      {"upper case, which the reader lower-cases", "Acme.com/Project X",
       "%41cme.com%2F%50roject%20%58"},
      {"space, colon, quote, comma", "a b:c\"d,e", "a%20b%3Ac%22d%2Ce"},
      {"control bytes", std::string("a\r\n\0b", 5), "a%0D%0A%00b"},
      {"UTF-8 bytes one by one", "\xc3\xbc", "%C3%BC"},
      {"DEL", "\x7f", "%7F"},
      {"empty", "", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(EscapeExtraKey(c.key), c.want);
  }
}

TEST(IdentityHeadersTest, R9_FrontProxyHeadersTable) {
  FrontProxyHeaderNames custom;
  custom.username_header = "X-Upstream-User";
  custom.group_header = "X-Upstream-Group";
  custom.uid_header = "X-Upstream-Uid";
  custom.extra_header_prefix = "X-Upstream-Extra-";
  const struct {
    const char* name;
    UserInfo user;
    IdentityHeaderOptions options;
    HeaderList want;
  } cases[] = {
      {"name only", {.name = "fido"}, FrontProxy(), {{"X-Remote-User", "fido"}}},
      {"groups in order, one line each, duplicates and system:authenticated kept",
       {.name = "fido", .groups = {"dogs", "dachshunds", "dogs", "system:authenticated"}},
       FrontProxy(),
       {{"X-Remote-User", "fido"},
        {"X-Remote-Group", "dogs"},
        {"X-Remote-Group", "dachshunds"},
        {"X-Remote-Group", "dogs"},
        {"X-Remote-Group", "system:authenticated"}}},
      {"uid when non-empty",
       {.name = "fido", .uid = "42", .groups = {"dogs"}},
       FrontProxy(),
       {{"X-Remote-User", "fido"}, {"X-Remote-Group", "dogs"}, {"X-Remote-Uid", "42"}}},
      {"extras: keys in order, a line per value, keys escaped",
       {.name = "fido",
        .extra = {{"acme.com/project", {"some-project"}}, {"scopes", {"openid", "profile"}}}},
       FrontProxy(),
       {{"X-Remote-User", "fido"},
        {"X-Remote-Extra-acme.com%2Fproject", "some-project"},
        {"X-Remote-Extra-scopes", "openid"},
        {"X-Remote-Extra-scopes", "profile"}}},
      {"values may hold commas, inner spaces, tabs and non-ASCII",
       {.name = "J\xc3\xbcrgen Smith", .groups = {"a,b", "c\td"}, .extra = {{"k", {""}}}},
       FrontProxy(),
       {{"X-Remote-User", "J\xc3\xbcrgen Smith"},
        {"X-Remote-Group", "a,b"},
        {"X-Remote-Group", "c\td"},
        {"X-Remote-Extra-k", ""}}},
      {"configured names",
       {.name = "fido", .uid = "42", .groups = {"dogs"}, .extra = {{"scopes", {"openid"}}}},
       FrontProxy(custom),
       {{"X-Upstream-User", "fido"},
        {"X-Upstream-Group", "dogs"},
        {"X-Upstream-Uid", "42"},
        {"X-Upstream-Extra-scopes", "openid"}}},
      {"impersonate: the kube-apiserver names, nothing else",
       {.name = "fido",
        .uid = "42",
        .groups = {"dogs", "system:authenticated"},
        .extra = {{"Acme.com/Project", {"p"}}, {"scopes", {"openid", "profile"}}}},
       Impersonate(),
       {{"Impersonate-User", "fido"},
        {"Impersonate-Group", "dogs"},
        {"Impersonate-Group", "system:authenticated"},
        {"Impersonate-Uid", "42"},
        {"Impersonate-Extra-%41cme.com%2F%50roject", "p"},
        {"Impersonate-Extra-scopes", "openid"},
        {"Impersonate-Extra-scopes", "profile"}}},
      {"impersonate ignores the front-proxy names",
       {.name = "fido"},
       {.mode = IdentityMode::kImpersonate, .front_proxy = custom},
       {{"Impersonate-User", "fido"}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<HeaderList> got = IdentityHeaders(c.user, c.options);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(*got, c.want);
  }
}

TEST(IdentityHeadersTest, IdentityThatHeadersCannotCarryIsAnError) {
  const struct {
    const char* name;
    UserInfo user;
    IdentityHeaderOptions options;
    std::string want;
  } cases[] = {
      {"empty name", {.name = ""}, FrontProxy(), "cannot forward the identity: empty user name"},
      {"CRLF in a group would inject a header line",
       {.name = "fido", .groups = {"dogs\r\nX-Remote-Group: system:masters"}},
       FrontProxy(),
       "cannot forward the identity: the value of X-Remote-Group is not a valid HTTP header "
       "value"},
      {"NUL in the name",
       {.name = std::string("fi\0do", 5)},
       Impersonate(),
       "cannot forward the identity: the value of Impersonate-User is not a valid HTTP header "
       "value"},
      {"DEL in the uid",
       {.name = "fido", .uid = "4\x7f"},
       FrontProxy(),
       "cannot forward the identity: the value of X-Remote-Uid is not a valid HTTP header value"},
      {"leading space would be stripped by the receiver",
       {.name = " admin"},
       FrontProxy(),
       "cannot forward the identity: the value of X-Remote-User is not a valid HTTP header value"},
      {"trailing tab in an extra value, reported under the escaped name",
       {.name = "fido", .extra = {{"Scopes", {"openid\t"}}}},
       FrontProxy(),
       "cannot forward the identity: the value of X-Remote-Extra-%53copes is not a valid HTTP "
       "header value"},
      {"the first offending value is reported",
       {.name = "fido", .uid = "\n", .groups = {"\r"}},
       FrontProxy(),
       "cannot forward the identity: the value of X-Remote-Group is not a valid HTTP header "
       "value"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<HeaderList> got = IdentityHeaders(c.user, c.options);
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().message, c.want);
  }
}

TEST(ValidateFrontProxyHeaderNamesTest, Table) {
  const auto names = [](std::string user, std::string group, std::string uid, std::string prefix) {
    return FrontProxyHeaderNames{.username_header = std::move(user),
                                 .group_header = std::move(group),
                                 .uid_header = std::move(uid),
                                 .extra_header_prefix = std::move(prefix)};
  };
  const struct {
    const char* name;
    FrontProxyHeaderNames names;
    std::string want_error;  // empty: valid
  } cases[] = {
      {"defaults", FrontProxyHeaderNames{}, ""},
      {"custom", names("X-User", "X-Groups", "X-Uid", "X-Extra-"), ""},
      {"empty username header", names("", "X-Remote-Group", "X-Remote-Uid", "X-Remote-Extra-"),
       "--upstream-username-header: \"\" is not a valid HTTP header name"},
      {"space in group header",
       names("X-Remote-User", "X Remote Group", "X-Remote-Uid", "X-Remote-Extra-"),
       "--upstream-group-header: \"X Remote Group\" is not a valid HTTP header name"},
      {"colon in uid header",
       names("X-Remote-User", "X-Remote-Group", "X-Remote-Uid:", "X-Remote-Extra-"),
       "--upstream-uid-header: \"X-Remote-Uid:\" is not a valid HTTP header name"},
      {"newline in the prefix",
       names("X-Remote-User", "X-Remote-Group", "X-Remote-Uid", "X-Extra-\n"),
       "--upstream-extra-header-prefix: \"X-Extra-\\n\" is not a valid HTTP header name"},
      {"user and group the same, case aside",
       names("X-Who", "x-who", "X-Remote-Uid", "X-Remote-Extra-"),
       "--upstream-username-header and --upstream-group-header name the same header \"X-Who\""},
      {"group and uid the same", names("X-Remote-User", "X-Id", "X-Id", "X-Remote-Extra-"),
       "--upstream-group-header and --upstream-uid-header name the same header \"X-Id\""},
      {"a name under the extra prefix",
       names("X-Remote-User", "X-Remote-Group", "X-Remote-Uid", "x-remote-"),
       "--upstream-username-header \"X-Remote-User\" starts with --upstream-extra-header-prefix "
       "\"x-remote-\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<void> got = ValidateFrontProxyHeaderNames(c.names);
    if (c.want_error.empty()) {
      EXPECT_TRUE(got.has_value()) << got.error().message;
    } else {
      ASSERT_FALSE(got.has_value());
      EXPECT_EQ(got.error().message, c.want_error);
    }
  }
}

// The outbound side must be the inverse of R9.3: what kauthd sends, kauth's (and so Kubernetes')
// request-header reader turns back into the same user.
TEST(IdentityHeadersTest, R9_3_FrontProxyHeadersRoundTripThroughTheReader) {
  const testing::IssuedCert ca = testing::SelfSign(testing::CaSpec("front-proxy-ca"));
  const testing::IssuedCert proxy_cert =
      testing::Issue(testing::ClientSpec("front-proxy-client"), ca);
  std::shared_ptr<const CaBundle> bundle = CaBundle::FromPem(ca.CertPem(), "front-proxy").value();

  FrontProxyHeaderNames custom;
  custom.username_header = "X-Upstream-User";
  custom.group_header = "X-Upstream-Group";
  custom.uid_header = "X-Upstream-Uid";
  custom.extra_header_prefix = "X-Upstream-Extra-";

  const UserInfo users[] = {
      {.name = "fido"},
      {.name = "fido", .groups = {"dogs", "dachshunds", "system:authenticated"}},
      {.name = "system:serviceaccount:ns:sa",
       .uid = "6e0b7c2a-1",
       .groups = {"system:serviceaccounts", "system:serviceaccounts:ns", "a,b",
                  "system:authenticated"},
       .extra = {{"acme.com/project", {"some-project"}},
                 {"authentication.kubernetes.io/credential-id", {"JTI=abc"}},
                 {"100%", {"percent"}},
                 {"%41", {"looks escaped"}},
                 {"Acme.com/Project", {"upper"}},
                 {"UPPER", {"1"}},
                 {"with space", {"x", "y"}},
                 {"tab\tand:colon", {"z"}},
                 {"J\xc3\xbcrgen", {"utf-8"}},
                 {"scopes", {"openid", "profile", ""}}}},
  };
  for (const FrontProxyHeaderNames& names : {FrontProxyHeaderNames{}, custom}) {
    SCOPED_TRACE(names.username_header);
    const auto reader =
        NewRequestHeaderAuthenticator({.client_ca = NewStaticCaBundleProvider(bundle),
                                       .username_headers = {names.username_header},
                                       .uid_headers = {names.uid_header},
                                       .group_headers = {names.group_header},
                                       .extra_header_prefixes = {names.extra_header_prefix}});
    for (const UserInfo& user : users) {
      SCOPED_TRACE(user.name);
      const Result<HeaderList> headers = IdentityHeaders(user, FrontProxy(names));
      ASSERT_TRUE(headers.has_value()) << headers.error().message;
      BasicRequest request("/apis");
      for (const auto& [name, value] : *headers) request.AddHeader(name, value);
      X509* const chain[] = {proxy_cert.get()};
      request.SetPeerCertificates(chain);
      EXPECT_EQ(testing::Authenticate(*reader, request), Authed(user));
    }
  }
}

}  // namespace
}  // namespace kauth::proxy
