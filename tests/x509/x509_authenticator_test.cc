#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "kauth/basic_request.h"
#include "kauth/x509.h"
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
using testing::Cn;
using testing::Issue;
using testing::IssuedCert;
using testing::NameAttribute;
using testing::Org;
using testing::Ou;
using testing::Rejected;
using testing::SelfSign;
using testing::Uid;

const system_clock::time_point kNow = std::chrono::sys_days{std::chrono::year{2026} / 1 / 15} + 12h;

CertSpec Valid(CertSpec spec) {
  spec.not_before = kNow - 1h;
  spec.not_after = kNow + 24h;
  return spec;
}

// The lower-case hex SHA-256 of the DER, computed independently of the library.
std::string CredentialId(const IssuedCert& cert) {
  const std::string der = cert.Der();
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(der.data(), der.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    char byte[3];
    std::snprintf(byte, sizeof(byte), "%02x", digest[i]);
    hex += byte;
  }
  return "X509SHA256=" + hex;
}

// A root CA in a static bundle, an authenticator over it at kNow that records what it observes.
struct Fixture {
  IssuedCert root = SelfSign(Valid(CaSpec("root")));
  std::shared_ptr<const CaBundle> bundle =
      CaBundle::FromPem(root.CertPem(), "client-ca-bundle::test").value();
  std::vector<double> observed;
  std::unique_ptr<RequestAuthenticator> authenticator = NewX509Authenticator(
      {.client_ca = NewStaticCaBundleProvider(bundle),
       .observe_expiration = [this](double seconds) { observed.push_back(seconds); },
       .now = [] { return kNow; }});

  AuthResult Present(const std::vector<X509*>& chain) {
    BasicRequest request;
    request.SetPeerCertificates(chain);
    return testing::Authenticate(*authenticator, request);
  }
  AuthResult Present(const IssuedCert& leaf) { return Present({leaf.get()}); }
};

UserInfo User(std::string name, std::vector<std::string> groups, const IssuedCert& leaf,
              std::string uid = "") {
  return UserInfo{.name = std::move(name),
                  .uid = std::move(uid),
                  .groups = std::move(groups),
                  .extra = {{std::string(kExtraCredentialID), {CredentialId(leaf)}}}};
}

// R5.2: no TLS, no certificate or no bundle yet: not applicable, and nothing observed.
TEST(X509AuthenticatorTest, R5_2_NotApplicable) {
  Fixture f;
  BasicRequest plain;
  EXPECT_EQ(testing::Authenticate(*f.authenticator, plain), AuthResult::NotApplicable());

  BasicRequest tls_without_certificate;
  tls_without_certificate.set_tls(true);
  EXPECT_EQ(testing::Authenticate(*f.authenticator, tls_without_certificate),
            AuthResult::NotApplicable());

  const IssuedCert leaf = Issue(Valid(ClientSpec("alice")), f.root);
  std::vector<double> observed;
  auto without_bundle = NewX509Authenticator(
      {.client_ca = NewStaticCaBundleProvider(nullptr),
       .observe_expiration = [&](double seconds) { observed.push_back(seconds); }});
  BasicRequest request;
  request.SetPeerCertificates(std::vector<X509*>{leaf.get()});
  EXPECT_EQ(testing::Authenticate(*without_bundle, request), AuthResult::NotApplicable());

  EXPECT_TRUE(f.observed.empty());
  EXPECT_TRUE(observed.empty());
}

// R5.6: CN is the name, every O a group in order, OU unused, the credential id from the DER.
TEST(X509AuthenticatorTest, R5_6_UserFromLeaf) {
  Fixture f;
  struct Case {
    const char* name;
    std::vector<NameAttribute> subject;
    std::string want_name;
    std::vector<std::string> want_groups;
  };
  const Case cases[] = {
      {"CN and two O (the spec's example)",
       {Cn("jbeda"), Org("app1"), Org("app2")},
       "jbeda",
       {"app1", "app2"}},
      {"no O", {Cn("alice")}, "alice", {}},
      {"O before CN keeps certificate order", {Org("b"), Org("a"), Cn("bob")}, "bob", {"b", "a"}},
      {"duplicate O kept", {Cn("c"), Org("x"), Org("x")}, "c", {"x", "x"}},
      {"OU is not a group", {Cn("d"), Ou("unit"), Org("org")}, "d", {"org"}},
      {"multi-valued RDN flattened",
       {Cn("e"), Org("first"),
        NameAttribute{.oid = std::string(testing::kOidOrganization),
                      .value = "second",
                      .same_rdn_as_previous = true}},
       "e",
       {"first", "second"}},
      {"several CNs: the last one, as Go's pkix.Name keeps", {Cn("first"), Cn("last")}, "last", {}},
      {"PrintableString CN",
       {NameAttribute{.oid = std::string(testing::kOidCommonName),
                      .value = "printable",
                      .asn1_type = V_ASN1_PRINTABLESTRING}},
       "printable",
       {}},
      {"non-string O skipped",
       {Cn("f"),
        NameAttribute{.oid = std::string(testing::kOidOrganization),
                      .value = std::string("\x30\x03\x02\x01\x05", 5),
                      .asn1_type = V_ASN1_SEQUENCE},
        Org("g")},
       "f",
       {"g"}},
  };
  for (const Case& c : cases) {
    CertSpec spec = Valid(ClientSpec("unused"));
    spec.subject = c.subject;
    const IssuedCert leaf = Issue(spec, f.root);
    EXPECT_EQ(f.Present(leaf), Authed(User(c.want_name, c.want_groups, leaf))) << c.name;
  }
}

// R5.6: an empty CN means "not my credential" even when the chain verifies.
TEST(X509AuthenticatorTest, R5_6_NoCommonNameIsNotApplicable) {
  Fixture f;
  const std::vector<NameAttribute> subjects[] = {
      {Org("only-an-org")},
      {Cn(""), Org("org")},
      {NameAttribute{.oid = std::string(testing::kOidCommonName),
                     .value = std::string("\x30\x03\x02\x01\x05", 5),
                     .asn1_type = V_ASN1_SEQUENCE}},
      // The UID is not looked at without a CN.
      {Org("org"), Uid("a"), Uid("b")},
  };
  for (const auto& subject : subjects) {
    CertSpec spec = Valid(ClientSpec("unused"));
    spec.subject = subject;
    EXPECT_EQ(f.Present(Issue(spec, f.root)), AuthResult::NotApplicable())
        << subject.size() << " attributes";
  }
}

// R5.6: the UID attribute 1.3.6.1.4.1.57683.2.
TEST(X509AuthenticatorTest, R5_6_Uid) {
  Fixture f;
  const NameAttribute non_string = Uid(std::string("\x30\x03\x02\x01\x05", 5), V_ASN1_SEQUENCE);
  struct Case {
    const char* name;
    std::vector<NameAttribute> extra;
    std::optional<std::string> want_uid;  // nullopt: rejected with want_error
    std::string want_error;
  };
  const Case cases[] = {
      {"absent", {}, "", ""},
      {"one", {Uid("7d6e-uid")}, "7d6e-uid", ""},
      {"one PrintableString", {Uid("printable", V_ASN1_PRINTABLESTRING)}, "printable", ""},
      {"multiple", {Uid("a"), Uid("b")}, std::nullopt, "expected 1 UID, but found multiple: [a b]"},
      {"three, one empty",
       {Uid("a"), Uid(""), Uid("c")},
       std::nullopt,
       "expected 1 UID, but found multiple: [a  c]"},
      {"not a string", {non_string}, std::nullopt, "unable to parse UID into a string"},
      {"not a string beside a string",
       {Uid("a"), non_string},
       std::nullopt,
       "unable to parse UID into a string"},
      {"empty", {Uid("")}, std::nullopt, "UID cannot be an empty string"},
  };
  for (const Case& c : cases) {
    CertSpec spec = Valid(ClientSpec("alice", {"dev"}));
    spec.subject.insert(spec.subject.end(), c.extra.begin(), c.extra.end());
    const IssuedCert leaf = Issue(spec, f.root);
    const AuthResult want =
        c.want_uid ? Authed(User("alice", {"dev"}, leaf, *c.want_uid)) : Rejected(c.want_error);
    EXPECT_EQ(f.Present(leaf), want) << c.name;
  }
}

// R5.5: the failure text names the leaf by serial and key identifiers.
TEST(X509AuthenticatorTest, R5_5_VerificationFailure) {
  Fixture f;
  const std::string expired =
      "x509: certificate has expired or is not yet valid: current time 2026-01-15T12:00:00Z is "
      "after 2026-01-15T11:00:00Z";
  struct Case {
    const char* name;
    std::string serial;
    std::optional<std::string> skid;  // nullopt: no extension
    std::optional<std::string> akid;
    std::string want_identifier;
  };
  const Case cases[] = {
      {"identifiers present", "12345", std::string("\x01\x02\xab", 3),
       std::string("\xde\xad\xbe\xef", 4), "SN=12345, SKID=01:02:AB, AKID=DE:AD:BE:EF"},
      {"identifiers absent", "7", std::nullopt, std::nullopt, "SN=7, SKID=, AKID="},
      {"negative serial", "-5", std::string("\x0f", 1), std::nullopt, "SN=-5, SKID=0F, AKID="},
      {"large serial", "1234567890123456789012345678901234567890", std::nullopt,
       std::string("\x00\xff", 2),
       "SN=1234567890123456789012345678901234567890, SKID=, AKID=00:FF"},
  };
  for (const Case& c : cases) {
    CertSpec spec = Valid(ClientSpec("alice"));
    spec.not_after = kNow - 1h;
    spec.serial = c.serial;
    spec.add_subject_key_id = c.skid.has_value();
    spec.subject_key_id = c.skid;
    spec.add_authority_key_id = c.akid.has_value();
    spec.authority_key_id = c.akid;
    EXPECT_EQ(f.Present(Issue(spec, f.root)),
              Rejected("verifying certificate " + c.want_identifier + " failed: " + expired))
        << c.name;
  }
}

TEST(X509AuthenticatorTest, R5_5_UnknownAuthorityAndKeyUsage) {
  Fixture f;
  CertSpec spec = Valid(ClientSpec("alice"));
  spec.serial = "99";
  spec.add_subject_key_id = false;
  spec.add_authority_key_id = false;
  const IssuedCert stranger_root = SelfSign(Valid(CaSpec("stranger")));
  EXPECT_EQ(f.Present(Issue(spec, stranger_root)),
            Rejected("verifying certificate SN=99, SKID=, AKID= failed: x509: certificate signed "
                     "by unknown authority"));

  spec.ext_key_usage = std::vector<std::string>{std::string(testing::kEkuServerAuth)};
  EXPECT_EQ(f.Present(Issue(spec, f.root)),
            Rejected("verifying certificate SN=99, SKID=, AKID= failed: x509: certificate "
                     "specifies an incompatible key usage"));
}

// R5.4: NotAfter minus now, observed before verification, so expired certificates count too.
TEST(X509AuthenticatorTest, R5_4_ExpirationObservedBeforeVerification) {
  Fixture f;
  CertSpec valid = Valid(ClientSpec("alice"));
  valid.not_after = kNow + 3600s;
  EXPECT_TRUE(f.Present(Issue(valid, f.root)).authenticated());

  CertSpec expired = Valid(ClientSpec("alice"));
  expired.not_after = kNow - 90s;
  EXPECT_TRUE(f.Present(Issue(expired, f.root)).rejected());

  const IssuedCert stranger = SelfSign(Valid(CaSpec("stranger")));
  CertSpec foreign = Valid(ClientSpec("alice"));
  foreign.not_after = kNow + 60s;
  EXPECT_TRUE(f.Present(Issue(foreign, stranger)).rejected());

  EXPECT_EQ(f.observed, (std::vector<double>{3600.0, -90.0, 60.0}));
}

// R5.3 through the authenticator: intermediates come from the client's chain.
TEST(X509AuthenticatorTest, R5_3_IntermediateFromTheClient) {
  Fixture f;
  const IssuedCert intermediate = Issue(Valid(CaSpec("intermediate")), f.root);
  const IssuedCert leaf = Issue(Valid(ClientSpec("alice", {"team"})), intermediate);
  EXPECT_EQ(f.Present({leaf.get(), intermediate.get()}), Authed(User("alice", {"team"}, leaf)));
  EXPECT_TRUE(f.Present(leaf).rejected());
}

// The bundle is held for the whole call: a provider whose reload drops its own reference as it
// hands the bundle out must not free it under the verifier.
TEST(X509AuthenticatorTest, BundleOutlivesAConcurrentReload) {
  class DroppingProvider final : public CaBundleProvider {
   public:
    explicit DroppingProvider(std::shared_ptr<const CaBundle> bundle) : bundle_(bundle) {}
    std::shared_ptr<const CaBundle> Current() const override { return std::move(bundle_); }

   private:
    mutable std::shared_ptr<const CaBundle> bundle_;
  };
  const IssuedCert root = SelfSign(Valid(CaSpec("root")));
  const IssuedCert leaf = Issue(Valid(ClientSpec("alice")), root);
  auto authenticator = NewX509Authenticator(
      {.client_ca = std::make_shared<DroppingProvider>(
           CaBundle::FromPem(root.CertPem(), "client-ca-bundle::test").value()),
       .now = [] { return kNow; }});
  BasicRequest request;
  request.SetPeerCertificates(std::vector<X509*>{leaf.get()});
  EXPECT_EQ(testing::Authenticate(*authenticator, request), Authed(User("alice", {}, leaf)));
}

}  // namespace
}  // namespace kauth
