#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/go_format.h"
#include "kauth/x509.h"
#include "testing/cert_factory.h"
#include "x509/go_x509_errors.h"
#include "x509/verify_internal.h"

namespace kauth {
namespace x509_internal {
void PrintTo(const OpenSslReport& report, std::ostream* os) {
  *os << "{code " << report.code << " at depth " << report.depth << "}";
}
}  // namespace x509_internal

namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;
using testing::CaSpec;
using testing::CertSpec;
using testing::ClientSpec;
using testing::Issue;
using testing::IssuedCert;
using testing::SelfSign;
using x509_internal::OpenSslVerdict;

// Verification happens at this fixed time; certificates are valid around it unless a case says
// otherwise, so every expected text is exact.
const system_clock::time_point kNow = std::chrono::sys_days{std::chrono::year{2026} / 1 / 15} + 12h;

CertSpec Valid(CertSpec spec) {
  spec.not_before = kNow - 1h;
  spec.not_after = kNow + 24h;
  return spec;
}
CertSpec Ca(std::string cn) { return Valid(CaSpec(std::move(cn))); }
CertSpec Client(std::string cn = "alice") { return Valid(ClientSpec(std::move(cn))); }

std::shared_ptr<const CaBundle> BundleOf(std::vector<const IssuedCert*> certs) {
  std::string pem;
  for (const IssuedCert* cert : certs) pem += cert->CertPem();
  return CaBundle::FromPem(pem, "client-ca-bundle::test").value();
}

// What one case verifies: the chain the client sends (leaf first) against a bundle, at a time.
struct Scenario {
  std::vector<IssuedCert> certs;  // owns every certificate below
  std::vector<X509*> chain;
  std::shared_ptr<const CaBundle> bundle;
  system_clock::time_point now = kNow;
};

std::string Verify(const Scenario& scenario) {
  Result<void> result = VerifyClientCertificate(scenario.chain, *scenario.bundle, scenario.now);
  return result ? "" : result.error().message;
}

// The usual shape: root -> leaf, the client sending only the leaf.
Scenario LeafUnderRoot(CertSpec leaf_spec, CertSpec root_spec = Ca("root")) {
  Scenario s;
  s.certs.push_back(SelfSign(root_spec));
  s.certs.push_back(Issue(leaf_spec, s.certs[0]));
  s.chain = {s.certs[1].get()};
  s.bundle = BundleOf({&s.certs[0]});
  return s;
}

// root -> intermediate -> leaf, the client sending the leaf and the intermediate.
Scenario LeafUnderIntermediate(CertSpec leaf_spec, CertSpec intermediate_spec = Ca("intermediate"),
                               CertSpec root_spec = Ca("root")) {
  Scenario s;
  s.certs.push_back(SelfSign(root_spec));
  s.certs.push_back(Issue(intermediate_spec, s.certs[0]));
  s.certs.push_back(Issue(leaf_spec, s.certs[1]));
  s.chain = {s.certs[2].get(), s.certs[1].get()};
  s.bundle = BundleOf({&s.certs[0]});
  return s;
}

CertSpec WithEku(CertSpec spec, std::vector<std::string> usages) {
  spec.ext_key_usage = std::move(usages);
  return spec;
}

const std::string kServerAuth(testing::kEkuServerAuth);
const std::string kClientAuth(testing::kEkuClientAuth);
const std::string kAnyEku(testing::kEkuAny);
const std::string kCodeSigning(testing::kEkuCodeSigning);

constexpr std::string_view kUnknownAuthority = "x509: certificate signed by unknown authority";
constexpr std::string_view kIncompatibleUsage =
    "x509: certificate specifies an incompatible key usage";

std::string Hint(std::string_view error, std::string_view candidate) {
  return std::string(kUnknownAuthority) + " (possibly because of \"" + std::string(error) +
         "\" while trying to verify candidate authority certificate \"" + std::string(candidate) +
         "\")";
}

struct Case {
  const char* name;
  std::function<Scenario()> make;
  std::string want;  // "" for success
};

void RunCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(Verify(c.make()), c.want) << c.name;
  }
}

// R5.3: roots from the bundle, intermediates from the client, any bundle certificate a trust
// anchor, validity at the given time.
TEST(VerifyClientCertificateTest, R5_3_ChainBuilding) {
  RunCases({
      {"leaf signed by a bundle CA", [] { return LeafUnderRoot(Client()); }, ""},
      {"leaf through a client-sent intermediate", [] { return LeafUnderIntermediate(Client()); },
       ""},
      {"client also sends the root",
       [] {
         Scenario s = LeafUnderIntermediate(Client());
         s.chain.push_back(s.certs[0].get());
         return s;
       },
       ""},
      {"client sends unrelated extra certificates",
       [] {
         Scenario s = LeafUnderRoot(Client());
         s.certs.push_back(SelfSign(Ca("stranger")));
         s.chain.push_back(s.certs.back().get());
         return s;
       },
       ""},
      {"leaf signed by a CA outside the bundle",
       [] {
         Scenario s = LeafUnderRoot(Client());
         s.certs.push_back(SelfSign(Ca("other root")));
         s.bundle = BundleOf({&s.certs.back()});
         return s;
       },
       std::string(kUnknownAuthority)},
      {"missing intermediate",
       [] {
         Scenario s = LeafUnderIntermediate(Client());
         s.chain.pop_back();
         return s;
       },
       std::string(kUnknownAuthority)},
      {"bundle holds the intermediate only (partial chain)",
       [] {
         Scenario s = LeafUnderIntermediate(Client());
         s.chain.pop_back();
         s.bundle = BundleOf({&s.certs[1]});
         return s;
       },
       ""},
      {"self-signed leaf not in the bundle",
       [] {
         Scenario s;
         s.certs.push_back(SelfSign(Client()));
         s.certs.push_back(SelfSign(Ca("root")));
         s.chain = {s.certs[0].get()};
         s.bundle = BundleOf({&s.certs[1]});
         return s;
       },
       std::string(kUnknownAuthority)},
      {"self-signed leaf that is in the bundle",
       [] {
         Scenario s;
         s.certs.push_back(SelfSign(Client()));
         s.chain = {s.certs[0].get()};
         s.bundle = BundleOf({&s.certs[0]});
         return s;
       },
       ""},
      {"leaf itself in the bundle without its issuer",
       [] {
         Scenario s = LeafUnderRoot(Client());
         s.bundle = BundleOf({&s.certs[1]});
         return s;
       },
       ""},
      {"leaf in the bundle that does not allow client auth",
       [] {
         Scenario s;
         s.certs.push_back(SelfSign(WithEku(Client(), {kServerAuth})));
         s.chain = {s.certs[0].get()};
         s.bundle = BundleOf({&s.certs[0]});
         return s;
       },
       std::string(kIncompatibleUsage)},
      {"self-signed impostor with the root's name and key identifiers",
       [] {
         Scenario s;
         s.certs.push_back(SelfSign(Ca("root")));
         const ASN1_OCTET_STRING* id = X509_get0_subject_key_id(s.certs[0].get());
         const std::string root_key_id(reinterpret_cast<const char*>(ASN1_STRING_get0_data(id)),
                                       static_cast<std::size_t>(ASN1_STRING_length(id)));
         CertSpec impostor = Ca("root");
         impostor.subject_key_id = root_key_id;
         impostor.authority_key_id = root_key_id;
         s.certs.push_back(SelfSign(impostor));
         s.chain = {s.certs[1].get()};
         s.bundle = BundleOf({&s.certs[0]});
         return s;
       },
       Hint("x509: ECDSA verification failure", "root")},
      {"client-sent self-signed root not in the bundle",
       [] {
         Scenario s = LeafUnderRoot(Client());
         s.chain.push_back(s.certs[0].get());
         s.certs.push_back(SelfSign(Ca("other root")));
         s.bundle = BundleOf({&s.certs.back()});
         return s;
       },
       std::string(kUnknownAuthority)},
      {"Ed25519 leaf under an ECDSA root",
       [] {
         CertSpec leaf = Client();
         leaf.key_algorithm = testing::KeyAlgorithm::kEd25519;
         return LeafUnderRoot(leaf);
       },
       ""},
      {"ECDSA leaf under an Ed25519 root",
       [] {
         CertSpec root = Ca("root");
         root.key_algorithm = testing::KeyAlgorithm::kEd25519;
         return LeafUnderRoot(Client(), root);
       },
       ""},
      {"RSA leaf under an RSA root",
       [] {
         CertSpec root = Ca("root");
         root.key_algorithm = testing::KeyAlgorithm::kRsa2048;
         CertSpec leaf = Client();
         leaf.key_algorithm = testing::KeyAlgorithm::kRsa2048;
         return LeafUnderRoot(leaf, root);
       },
       ""},
  });
}

// R5.3: an issuer with the right name but the wrong key gives Go's hint, naming the candidate.
TEST(VerifyClientCertificateTest, R5_5_UnknownAuthorityHints) {
  // A CA named like the real one but with a different key.
  auto impostor = [](CertSpec impostor_spec) {
    Scenario s = LeafUnderRoot(Client());
    s.certs.push_back(SelfSign(impostor_spec));
    s.bundle = BundleOf({&s.certs.back()});
    return s;
  };
  RunCases({
      {"same name, different ECDSA key", [&] { return impostor(Ca("root")); },
       Hint("x509: ECDSA verification failure", "root")},
      {"same name, RSA key for an ECDSA signature",
       [&] {
         CertSpec spec = Ca("root");
         spec.key_algorithm = testing::KeyAlgorithm::kRsa2048;
         return impostor(spec);
       },
       Hint("x509: signature algorithm specifies an ECDSA public key, but have public key of "
            "type *rsa.PublicKey",
            "root")},
      {"same name, different RSA key",
       [] {
         CertSpec root = Ca("root");
         root.key_algorithm = testing::KeyAlgorithm::kRsa2048;
         Scenario s = LeafUnderRoot(Client(), root);
         s.certs.push_back(SelfSign(root));
         s.bundle = BundleOf({&s.certs.back()});
         return s;
       },
       Hint("crypto/rsa: verification error", "root")},
      {"candidate named by its organization when it has no CN",
       [&] {
         CertSpec root = Ca("unused");
         root.subject = {testing::Org("Example Org"), testing::Ou("Unit")};
         Scenario s = LeafUnderRoot(Client(), root);
         s.certs.push_back(SelfSign(root));
         s.bundle = BundleOf({&s.certs.back()});
         return s;
       },
       Hint("x509: ECDSA verification failure", "Example Org")},
      {"candidate named by its serial when it has neither",
       [&] {
         CertSpec root = Ca("unused");
         root.subject = {testing::Ou("Unit")};
         root.serial = "4242";
         Scenario s = LeafUnderRoot(Client(), root);
         s.certs.push_back(SelfSign(root));
         s.bundle = BundleOf({&s.certs.back()});
         return s;
       },
       Hint("x509: ECDSA verification failure", "serial:4242")},
      {"candidate name quoted the Go way",
       [&] {
         CertSpec root = Ca("ro\"ot\n");
         Scenario s = LeafUnderRoot(Client(), root);
         s.certs.push_back(SelfSign(root));
         s.bundle = BundleOf({&s.certs.back()});
         return s;
       },
       std::string(kUnknownAuthority) +
           " (possibly because of \"x509: ECDSA verification failure\" while trying to verify "
           "candidate authority certificate \"ro\\\"ot\\n\")"},
      {"leaf signed with SHA-1 (ECDSA)",
       [] {
         CertSpec leaf = Client();
         leaf.digest = "SHA1";
         return LeafUnderRoot(leaf);
       },
       Hint("x509: cannot verify signature: insecure algorithm ECDSA-SHA1", "root")},
      {"leaf signed with SHA-1 (RSA)",
       [] {
         CertSpec root = Ca("root");
         root.key_algorithm = testing::KeyAlgorithm::kRsa2048;
         CertSpec leaf = Client();
         leaf.digest = "SHA1";
         return LeafUnderRoot(leaf, root);
       },
       Hint("x509: cannot verify signature: insecure algorithm SHA1-RSA", "root")},
  });
}

// R5.3: the CA flag and path length as Go checks them.
TEST(VerifyClientCertificateTest, R5_3_IssuerConstraints) {
  const std::string cannot_sign =
      "x509: invalid signature: parent certificate cannot sign this kind of certificate";
  RunCases({
      {"intermediate with CA:FALSE",
       [] {
         CertSpec intermediate = Ca("intermediate");
         intermediate.basic_constraints->is_ca = false;
         return LeafUnderIntermediate(Client(), intermediate);
       },
       Hint(cannot_sign, "intermediate")},
      {"v3 intermediate without basicConstraints",
       [] {
         CertSpec intermediate = Ca("intermediate");
         intermediate.basic_constraints.reset();
         return LeafUnderIntermediate(Client(), intermediate);
       },
       Hint(cannot_sign, "intermediate")},
      {"intermediate whose keyUsage lacks keyCertSign",
       [] {
         CertSpec intermediate = Ca("intermediate");
         intermediate.key_usage = "critical,digitalSignature";
         return LeafUnderIntermediate(Client(), intermediate);
       },
       Hint(cannot_sign, "intermediate")},
      {"root with CA:FALSE",
       [] {
         CertSpec root = Ca("root");
         root.basic_constraints->is_ca = false;
         return LeafUnderRoot(Client(), root);
       },
       Hint(cannot_sign, "root")},
      {"v1 intermediate is not authorized to sign",
       [] {
         CertSpec intermediate = Ca("intermediate");
         intermediate.version = 1;
         return LeafUnderIntermediate(Client(), intermediate);
       },
       "x509: certificate is not authorized to sign other certificates"},
      {"v1 root is accepted",
       [] {
         CertSpec root = Ca("root");
         root.version = 1;
         return LeafUnderRoot(Client(), root);
       },
       ""},
      {"root pathlen:0 above an intermediate",
       [] {
         CertSpec root = Ca("root");
         root.basic_constraints->path_len = 0;
         return LeafUnderIntermediate(Client(), Ca("intermediate"), root);
       },
       "x509: too many intermediates for path length constraint"},
      {"root pathlen:1 above an intermediate",
       [] {
         CertSpec root = Ca("root");
         root.basic_constraints->path_len = 1;
         return LeafUnderIntermediate(Client(), Ca("intermediate"), root);
       },
       ""},
      {"intermediate pathlen:0 above a leaf",
       [] {
         CertSpec intermediate = Ca("intermediate");
         intermediate.basic_constraints->path_len = 0;
         return LeafUnderIntermediate(Client(), intermediate);
       },
       ""},
  });
}

// R5.3: time is "now"; Go compares at full precision and prints RFC 3339 in UTC.
TEST(VerifyClientCertificateTest, R5_3_Validity) {
  auto leaf_valid = [](system_clock::time_point not_before, system_clock::time_point not_after) {
    CertSpec leaf = Client();
    leaf.not_before = not_before;
    leaf.not_after = not_after;
    return leaf;
  };
  RunCases({
      {"expired leaf", [&] { return LeafUnderRoot(leaf_valid(kNow - 48h, kNow - 1h)); },
       "x509: certificate has expired or is not yet valid: current time 2026-01-15T12:00:00Z is "
       "after 2026-01-15T11:00:00Z"},
      {"leaf not yet valid", [&] { return LeafUnderRoot(leaf_valid(kNow + 1h, kNow + 48h)); },
       "x509: certificate has expired or is not yet valid: current time 2026-01-15T12:00:00Z is "
       "before 2026-01-15T13:00:00Z"},
      {"now equal to NotAfter is still valid",
       [&] { return LeafUnderRoot(leaf_valid(kNow - 1h, kNow)); }, ""},
      {"now equal to NotBefore is valid",
       [&] { return LeafUnderRoot(leaf_valid(kNow, kNow + 1h)); }, ""},
      {"half a second after NotAfter",
       [&] {
         Scenario s = LeafUnderRoot(leaf_valid(kNow - 1h, kNow));
         s.now = kNow + 500ms;
         return s;
       },
       "x509: certificate has expired or is not yet valid: current time 2026-01-15T12:00:00Z is "
       "after 2026-01-15T12:00:00Z"},
      {"GeneralizedTime after 2049",
       [&] {
         CertSpec root = Ca("root");
         root.not_after = std::chrono::sys_days{std::chrono::year{2060} / 1 / 1};
         Scenario s = LeafUnderRoot(
             leaf_valid(kNow - 1h, std::chrono::sys_days{std::chrono::year{2051} / 3 / 4}), root);
         s.now = std::chrono::sys_days{std::chrono::year{2052} / 1 / 1};
         return s;
       },
       "x509: certificate has expired or is not yet valid: current time 2052-01-01T00:00:00Z is "
       "after 2051-03-04T00:00:00Z"},
      {"expired intermediate",
       [] {
         CertSpec intermediate = Ca("intermediate");
         intermediate.not_after = kNow - 2h;
         intermediate.not_before = kNow - 72h;
         return LeafUnderIntermediate(Client(), intermediate);
       },
       "x509: certificate has expired or is not yet valid: current time 2026-01-15T12:00:00Z is "
       "after 2026-01-15T10:00:00Z"},
      {"expired root",
       [] {
         CertSpec root = Ca("root");
         root.not_after = kNow - 3h;
         root.not_before = kNow - 72h;
         return LeafUnderRoot(Client(), root);
       },
       "x509: certificate has expired or is not yet valid: current time 2026-01-15T12:00:00Z is "
       "after 2026-01-15T09:00:00Z"},
      // Go checks the leaf before it looks for an issuer.
      {"expired leaf from an unknown CA reports the expiry",
       [&] {
         Scenario s = LeafUnderRoot(leaf_valid(kNow - 48h, kNow - 1h));
         s.certs.push_back(SelfSign(Ca("other root")));
         s.bundle = BundleOf({&s.certs.back()});
         return s;
       },
       "x509: certificate has expired or is not yet valid: current time 2026-01-15T12:00:00Z is "
       "after 2026-01-15T11:00:00Z"},
      // ... and an issuer's validity before the extended key usage.
      {"serverAuth leaf under an expired intermediate reports the expiry",
       [] {
         CertSpec intermediate = Ca("intermediate");
         intermediate.not_after = kNow - 2h;
         intermediate.not_before = kNow - 72h;
         return LeafUnderIntermediate(WithEku(Client(), {kServerAuth}), intermediate);
       },
       "x509: certificate has expired or is not yet valid: current time 2026-01-15T12:00:00Z is "
       "after 2026-01-15T10:00:00Z"},
  });
}

// R5.3: client auth must be allowed along the whole chain, as Go's checkChainForKeyUsage decides.
TEST(VerifyClientCertificateTest, R5_3_ExtendedKeyUsage) {
  RunCases({
      {"clientAuth leaf", [] { return LeafUnderRoot(Client()); }, ""},
      {"serverAuth-only leaf", [] { return LeafUnderRoot(WithEku(Client(), {kServerAuth})); },
       std::string(kIncompatibleUsage)},
      {"leaf without extendedKeyUsage",
       [] {
         CertSpec leaf = Client();
         leaf.ext_key_usage.reset();
         return LeafUnderRoot(leaf);
       },
       ""},
      {"leaf with an empty extendedKeyUsage", [] { return LeafUnderRoot(WithEku(Client(), {})); },
       ""},
      {"leaf with anyExtendedKeyUsage", [] { return LeafUnderRoot(WithEku(Client(), {kAnyEku})); },
       ""},
      {"leaf with codeSigning and clientAuth",
       [] {
         return LeafUnderRoot(WithEku(Client(), {kCodeSigning, kClientAuth}));
       },
       ""},
      {"leaf with only an unknown usage",
       [] { return LeafUnderRoot(WithEku(Client(), {"1.2.3.4.5"})); },
       std::string(kIncompatibleUsage)},
      {"critical clientAuth extendedKeyUsage",
       [] {
         CertSpec leaf = Client();
         leaf.ext_key_usage_critical = true;
         return LeafUnderRoot(leaf);
       },
       ""},
      {"intermediate limited to serverAuth",
       [] { return LeafUnderIntermediate(Client(), WithEku(Ca("intermediate"), {kServerAuth})); },
       std::string(kIncompatibleUsage)},
      {"intermediate limited to clientAuth",
       [] { return LeafUnderIntermediate(Client(), WithEku(Ca("intermediate"), {kClientAuth})); },
       ""},
      {"intermediate with anyExtendedKeyUsage over a serverAuth leaf",
       [] {
         return LeafUnderIntermediate(WithEku(Client(), {kServerAuth}),
                                      WithEku(Ca("intermediate"), {kAnyEku}));
       },
       std::string(kIncompatibleUsage)},
      {"root limited to serverAuth",
       [] { return LeafUnderRoot(Client(), WithEku(Ca("root"), {kServerAuth})); },
       std::string(kIncompatibleUsage)},
      {"root limited to clientAuth and serverAuth",
       [] {
         return LeafUnderRoot(Client(), WithEku(Ca("root"), {kServerAuth, kClientAuth}));
       },
       ""},
  });
}

// R5.3: Go ignores keyUsage and nsCertType on the leaf; OpenSSL's SSL-client purpose would not.
TEST(VerifyClientCertificateTest, R5_3_NoPurposeChecks) {
  RunCases({
      {"keyUsage without digitalSignature",
       [] {
         CertSpec leaf = Client();
         leaf.key_usage = "critical,keyEncipherment";
         return LeafUnderRoot(leaf);
       },
       ""},
      {"keyUsage keyCertSign only",
       [] {
         CertSpec leaf = Client();
         leaf.key_usage = "critical,keyCertSign";
         return LeafUnderRoot(leaf);
       },
       ""},
      {"nsCertType server",
       [] {
         CertSpec leaf = Client();
         leaf.ns_cert_type = "server";
         return LeafUnderRoot(leaf);
       },
       ""},
      {"nsCertType server without extendedKeyUsage",
       [] {
         CertSpec leaf = Client();
         leaf.ns_cert_type = "server";
         leaf.ext_key_usage.reset();
         return LeafUnderRoot(leaf);
       },
       ""},
      {"leaf that is itself a CA",
       [] {
         CertSpec leaf = Client();
         leaf.basic_constraints->is_ca = true;
         return LeafUnderRoot(leaf);
       },
       ""},
      {"root without keyUsage",
       [] {
         CertSpec root = Ca("root");
         root.key_usage.reset();
         return LeafUnderRoot(Client(), root);
       },
       ""},
  });
}

// R5.3: OpenSSL runs with no purpose, so it has nothing to say about keyUsage, nsCertType or the
// extended key usage (Go's rules decide those); the expired leaf shows reports are captured.
TEST(VerifyClientCertificateTest, R5_3_OpenSslRunsWithoutPurposeChecks) {
  using x509_internal::OpenSslReport;
  struct ReportCase {
    const char* name;
    std::function<Scenario()> make;
    std::vector<OpenSslReport> want;
  };
  const ReportCase cases[] = {
      {"valid chain", [] { return LeafUnderIntermediate(Client()); }, {}},
      {"nsCertType server",
       [] {
         CertSpec leaf = Client();
         leaf.ns_cert_type = "server";
         return LeafUnderRoot(leaf);
       },
       {}},
      {"keyUsage without digitalSignature",
       [] {
         CertSpec leaf = Client();
         leaf.key_usage = "critical,keyEncipherment";
         return LeafUnderRoot(leaf);
       },
       {}},
      {"serverAuth-only leaf", [] { return LeafUnderRoot(WithEku(Client(), {kServerAuth})); }, {}},
      {"expired leaf",
       [] {
         CertSpec leaf = Client();
         leaf.not_after = kNow - 1h;
         return LeafUnderRoot(leaf);
       },
       {{X509_V_ERR_CERT_HAS_EXPIRED, 0}}},
  };
  for (const ReportCase& c : cases) {
    const Scenario s = c.make();
    EXPECT_EQ(x509_internal::OpenSslReportsFor(s.chain, *s.bundle, s.now), c.want) << c.name;
  }
}

// R5.3: Go's parser lists the critical extensions it does not process; any makes isValid fail.
TEST(VerifyClientCertificateTest, R5_3_UnhandledCriticalExtensions) {
  const std::string unhandled = "x509: unhandled critical extension";
  auto with_extension = [](CertSpec spec, std::string oid, std::string der) {
    spec.extra_extensions.push_back({std::move(oid), true, std::move(der)});
    return spec;
  };
  RunCases({
      {"unknown critical extension on the leaf",
       [&] {
         return LeafUnderRoot(with_extension(Client(), "1.2.3.4", std::string("\x05\x00", 2)));
       },
       unhandled},
      {"unknown non-critical extension on the leaf",
       [] {
         CertSpec leaf = Client();
         leaf.extra_extensions.push_back({"1.2.3.4", false, std::string("\x05\x00", 2)});
         return LeafUnderRoot(leaf);
       },
       ""},
      {"critical nsCertType (OpenSSL knows it, Go does not)",
       [] {
         CertSpec leaf = Client();
         leaf.ns_cert_type = "critical,client";
         return LeafUnderRoot(leaf);
       },
       unhandled},
      {"unknown critical extension on the intermediate",
       [&] {
         return LeafUnderIntermediate(
             Client(), with_extension(Ca("intermediate"), "1.2.3.4", std::string("\x05\x00", 2)));
       },
       unhandled},
      {"unknown critical extension on the root",
       [&] {
         return LeafUnderRoot(Client(),
                              with_extension(Ca("root"), "1.2.3.4", std::string("\x05\x00", 2)));
       },
       unhandled},
      {"critical subjectAltName with a DNS name",
       [] {
         CertSpec leaf = Client();
         // SEQUENCE { [2] "a.example" }
         leaf.extra_extensions.push_back({"2.5.29.17", true,
                                          std::string("\x30\x0b\x82\x09"
                                                      "a.example")});
         return LeafUnderRoot(leaf);
       },
       ""},
      {"critical subjectAltName with only a registeredID",
       [] {
         CertSpec leaf = Client();
         // SEQUENCE { [8] 1.2.3 }
         leaf.extra_extensions.push_back(
             {"2.5.29.17", true, std::string("\x30\x04\x88\x02\x2a\x03")});
         return LeafUnderRoot(leaf);
       },
       unhandled},
  });
}

// R5.3: name constraints in an issuer apply to the subject alternative names below it. Go's
// detail names the offending SAN; kauth gives OpenSSL's reason (a documented deviation).
TEST(VerifyClientCertificateTest, R5_3_NameConstraints) {
  auto constrained_intermediate = [] {
    CertSpec intermediate = Ca("intermediate");
    // critical NameConstraints { permitted: [ dNSName "example.com" ] }
    intermediate.extra_extensions.push_back({"2.5.29.30", true,
                                             std::string("\x30\x11\xa0\x0f\x30\x0d\x82\x0b"
                                                         "example.com")});
    return intermediate;
  };
  auto leaf_with = [](std::string common_name, std::vector<std::string> dns_names) {
    CertSpec leaf = Client(std::move(common_name));
    leaf.dns_names = std::move(dns_names);
    return leaf;
  };
  RunCases({
      {"SAN inside the constraint",
       [&] {
         return LeafUnderIntermediate(leaf_with("alice", {"a.example.com"}),
                                      constrained_intermediate());
       },
       ""},
      {"SAN outside the constraint",
       [&] {
         return LeafUnderIntermediate(leaf_with("alice", {"evil.org"}), constrained_intermediate());
       },
       "x509: a root or intermediate certificate is not authorized to sign for this name: "
       "permitted subtree violation"},
      {"hostname-like CN outside the constraint, no SAN (Go ignores the CN)",
       [&] {
         return LeafUnderIntermediate(leaf_with("alice.evil.org", {}), constrained_intermediate());
       },
       ""},
  });
}

// R5.3: with two CAs of the same name in the bundle (a CA rotation), the one that signed wins.
TEST(VerifyClientCertificateTest, R5_3_RotatedCaWithTheSameName) {
  for (bool key_ids : {true, false}) {
    CertSpec root_spec = Ca("root");
    root_spec.add_subject_key_id = key_ids;
    root_spec.add_authority_key_id = key_ids;
    const IssuedCert old_root = SelfSign(root_spec);
    const IssuedCert new_root = SelfSign(root_spec);
    CertSpec leaf_spec = Client();
    leaf_spec.add_authority_key_id = key_ids;
    const IssuedCert old_leaf = Issue(leaf_spec, old_root);
    const IssuedCert new_leaf = Issue(leaf_spec, new_root);
    const auto bundle = BundleOf({&old_root, &new_root});
    for (const IssuedCert* leaf : {&old_leaf, &new_leaf}) {
      const std::vector<X509*> chain = {leaf->get()};
      Result<void> result = VerifyClientCertificate(chain, *bundle, kNow);
      EXPECT_TRUE(result) << "key ids " << key_ids << ", " << (leaf == &old_leaf ? "old" : "new")
                          << " leaf: " << result.error().message;
    }
  }
}

// Rejected signatures raise OpenSSL errors; they are dropped, and errors queued before stay.
TEST(VerifyClientCertificateTest, LeavesTheOpenSslErrorQueueAsItWas) {
  Scenario s = LeafUnderRoot(Client());
  s.certs.push_back(SelfSign(Ca("root")));
  s.bundle = BundleOf({&s.certs.back()});
  ERR_clear_error();
  ERR_raise(ERR_LIB_USER, 42);
  EXPECT_EQ(Verify(s), Hint("x509: ECDSA verification failure", "root"));
  EXPECT_EQ(ERR_GET_REASON(ERR_get_error()), 42);
  EXPECT_EQ(ERR_get_error(), 0u);
}

TEST(VerifyClientCertificateTest, EmptyChainIsAnError) {
  const IssuedCert root = SelfSign(Ca("root"));
  Result<void> result = VerifyClientCertificate({}, *BundleOf({&root}), kNow);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "x509: no client certificate to verify");
}

// R5.5: how each OpenSSL verification error is treated, and the Go text it becomes.
TEST(GoX509ErrorsTest, R5_5_OpenSslErrorTable) {
  struct Row {
    int code;
    OpenSslVerdict verdict;
    std::string message;  // OpenSslErrorMessage, for the rows whose text is fixed
  };
  const std::string unknown(kUnknownAuthority);
  const Row rows[] = {
      {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, OpenSslVerdict::kUnknownAuthority, unknown},
      {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, OpenSslVerdict::kUnknownAuthority, unknown},
      {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, OpenSslVerdict::kUnknownAuthority, unknown},
      {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, OpenSslVerdict::kUnknownAuthority, unknown},
      {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, OpenSslVerdict::kUnknownAuthority, unknown},
      {X509_V_ERR_CERT_UNTRUSTED, OpenSslVerdict::kUnknownAuthority, unknown},
      {X509_V_ERR_CERT_REJECTED, OpenSslVerdict::kUnknownAuthority, unknown},
      {X509_V_ERR_CERT_CHAIN_TOO_LONG, OpenSslVerdict::kMapped,
       "x509: signature check attempts limit reached while verifying certificate chain"},
      {X509_V_ERR_PERMITTED_VIOLATION, OpenSslVerdict::kMapped,
       "x509: a root or intermediate certificate is not authorized to sign for this name: "
       "permitted subtree violation"},
      {X509_V_ERR_EXCLUDED_VIOLATION, OpenSslVerdict::kMapped,
       "x509: a root or intermediate certificate is not authorized to sign for this name: "
       "excluded subtree violation"},
      {X509_V_ERR_UNABLE_TO_GET_CRL, OpenSslVerdict::kUnmapped,
       "x509: certificate verification failed: unable to get certificate CRL"},
      {X509_V_ERR_INVALID_NON_CA, OpenSslVerdict::kUnmapped,
       "x509: certificate verification failed: invalid non-CA certificate (has CA markings)"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(x509_internal::MapOpenSslError(row.code).verdict, row.verdict) << row.code;
    EXPECT_EQ(x509_internal::OpenSslErrorMessage(row.code), row.message) << row.code;
  }

  struct Decided {
    int code;
    OpenSslVerdict verdict;
    std::string_view go_text;
  };
  const Decided decided[] = {
      {X509_V_ERR_CERT_SIGNATURE_FAILURE, OpenSslVerdict::kSignature, ""},
      {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, OpenSslVerdict::kSignature, ""},
      {X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, OpenSslVerdict::kSignature, ""},
      {X509_V_ERR_CERT_NOT_YET_VALID, OpenSslVerdict::kDecidedTheGoWay,
       "x509: certificate has expired or is not yet valid: "},
      {X509_V_ERR_CERT_HAS_EXPIRED, OpenSslVerdict::kDecidedTheGoWay,
       "x509: certificate has expired or is not yet valid: "},
      {X509_V_ERR_INVALID_CA, OpenSslVerdict::kDecidedTheGoWay,
       "x509: certificate is not authorized to sign other certificates"},
      {X509_V_ERR_PATH_LENGTH_EXCEEDED, OpenSslVerdict::kDecidedTheGoWay,
       "x509: too many intermediates for path length constraint"},
      {X509_V_ERR_INVALID_PURPOSE, OpenSslVerdict::kDecidedTheGoWay,
       "x509: certificate specifies an incompatible key usage"},
      {X509_V_ERR_KEYUSAGE_NO_CERTSIGN, OpenSslVerdict::kDecidedTheGoWay,
       "x509: invalid signature: parent certificate cannot sign this kind of certificate"},
      {X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, OpenSslVerdict::kDecidedTheGoWay,
       "x509: unhandled critical extension"},
      {X509_V_ERR_EE_KEY_TOO_SMALL, OpenSslVerdict::kIgnored, ""},
      {X509_V_ERR_CA_KEY_TOO_SMALL, OpenSslVerdict::kIgnored, ""},
      {X509_V_ERR_CA_MD_TOO_WEAK, OpenSslVerdict::kIgnored, ""},
  };
  for (const Decided& row : decided) {
    const x509_internal::OpenSslErrorMapping mapping = x509_internal::MapOpenSslError(row.code);
    EXPECT_EQ(mapping.verdict, row.verdict) << row.code;
    EXPECT_EQ(mapping.go_text, row.go_text) << row.code;
  }

  // Each code appears once, in code order.
  const auto table = x509_internal::OpenSslErrorTable();
  for (std::size_t i = 1; i < table.size(); ++i) {
    EXPECT_LT(table[i - 1].code, table[i].code) << "row " << i;
  }
}

TEST(GoX509ErrorsTest, GoQuote) {
  struct QuoteCase {
    std::string in;
    std::string want;
  };
  const QuoteCase cases[] = {
      {"root", "\"root\""},
      {"a\"b\\c", "\"a\\\"b\\\\c\""},
      {"tab\tnl\ncr\r", "\"tab\\tnl\\ncr\\r\""},
      {std::string("nul\0", 4), "\"nul\\x00\""},
      {"\x7f", "\"\\x7f\""},
      {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
      {"bad\xff", "\"bad\\xff\""},
      {"nbsp\xc2\xa0", "\"nbsp\\u00a0\""},
      {"\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},
  };
  for (const QuoteCase& c : cases) EXPECT_EQ(GoQuote(c.in), c.want) << c.in;
}

TEST(GoX509ErrorsTest, GoRfc3339TruncatesToSeconds) {
  EXPECT_EQ(x509_internal::GoRfc3339(kNow), "2026-01-15T12:00:00Z");
  EXPECT_EQ(x509_internal::GoRfc3339(kNow + 999ms), "2026-01-15T12:00:00Z");
  EXPECT_EQ(x509_internal::GoRfc3339(std::chrono::sys_days{std::chrono::year{1999} / 12 / 31} +
                                     23h + 59min + 59s),
            "1999-12-31T23:59:59Z");
}

}  // namespace
}  // namespace kauth
