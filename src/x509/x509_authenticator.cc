// The x509 request authenticator (R5.2-R5.6): Kubernetes' x509.Authenticator with
// CommonNameUserConversion.
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/digest.h"
#include "kauth/x509.h"
#include "x509/certificate_fields.h"

namespace kauth {
namespace {

using x509_internal::ColonHex;
using x509_internal::GoAttributeString;
using x509_internal::SerialDecimal;

// The DER content of the user UID attribute's OID, 1.3.6.1.4.1.57683.2 (R5.6).
constexpr unsigned char kUidOid[] = {0x2B, 0x06, 0x01, 0x04, 0x01, 0x83, 0xC2, 0x53, 0x02};

// "SN=<decimal>, SKID=<hex>, AKID=<hex>" (R5.5).
std::string CertificateIdentifier(X509* cert) {
  return "SN=" + SerialDecimal(cert) + ", SKID=" + ColonHex(X509_get0_subject_key_id(cert)) +
         ", AKID=" + ColonHex(X509_get0_authority_key_id(cert));
}

AuthResult Reject(std::string message) {
  return AuthResult::Rejected(AuthError(AuthErrorKind::kInvalidCredential, std::move(message)));
}

bool IsUidAttribute(const ASN1_OBJECT* type) {
  return OBJ_length(type) == sizeof(kUidOid) &&
         std::equal(kUidOid, kUidOid + sizeof(kUidOid), OBJ_get0_data(type));
}

struct UidOrError {
  std::string uid;  // "" when the subject has none
  std::optional<std::string> error;
};

// Kubernetes' parseUIDFromCert: every UID attribute must be a string, there may be at most one,
// and it may not be empty.
UidOrError ParseUid(const X509_NAME* subject) {
  std::vector<std::string> uids;
  for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, i);
    if (!IsUidAttribute(X509_NAME_ENTRY_get_object(entry))) continue;
    std::optional<std::string> value = GoAttributeString(X509_NAME_ENTRY_get_data(entry));
    if (!value) return {.error = "unable to parse UID into a string"};
    uids.push_back(std::move(*value));
  }
  if (uids.empty()) return {};
  if (uids.size() > 1) {
    // Go's %v of a []string: the elements joined by spaces inside brackets.
    std::string list;
    for (const std::string& one : uids) list += (list.empty() ? "" : " ") + one;
    return {.error = "expected 1 UID, but found multiple: [" + list + "]"};
  }
  if (uids.front().empty()) return {.error = "UID cannot be an empty string"};
  return {.uid = std::move(uids.front())};
}

std::string CredentialId(X509* leaf) {
  const int len = i2d_X509(leaf, nullptr);
  std::string der(static_cast<std::size_t>(std::max(len, 0)), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (len > 0) i2d_X509(leaf, &out);
  const Sha256Digest digest = Sha256(der);
  return "X509SHA256=" + HexLower(digest);
}

// CommonNameUserConversion over the verified chain's leaf (R5.6).
AuthResult UserFromLeaf(X509* leaf) {
  const X509_NAME* subject = X509_get_subject_name(leaf);
  x509_internal::GoSubject names = x509_internal::ParseGoSubject(subject);
  if (names.common_name.empty()) return AuthResult::NotApplicable();

  UidOrError uid = ParseUid(subject);
  if (uid.error) return Reject(std::move(*uid.error));
  UserInfo user;
  user.uid = std::move(uid.uid);
  user.name = std::move(names.common_name);
  user.groups = std::move(names.organizations);
  user.extra[std::string(kExtraCredentialID)] = {CredentialId(leaf)};
  return AuthResult::Authenticated(Response{.user = std::move(user), .audiences = {}});
}

class X509Authenticator final : public InlineRequestAuthenticator {
 public:
  explicit X509Authenticator(X509AuthenticatorOptions options) : options_(std::move(options)) {
    if (options_.client_ca == nullptr) {
      std::fprintf(stderr, "kauth: NewX509Authenticator needs a client CA provider\n");
      std::abort();
    }
  }

  AuthResult AuthenticateInline(Request& request, AuthContext& /*ctx*/) const override {
    return AuthenticateNow(request);
  }

 private:
  AuthResult AuthenticateNow(const Request& request) const {
    if (!request.is_tls()) return AuthResult::NotApplicable();
    const std::span<X509* const> chain = request.peer_certificates();
    if (chain.empty()) return AuthResult::NotApplicable();
    // Held until the end of this call: a reload may swap the provider's bundle meanwhile.
    const std::shared_ptr<const CaBundle> bundle = options_.client_ca->Current();
    if (bundle == nullptr) return AuthResult::NotApplicable();

    const auto now = options_.now ? options_.now() : std::chrono::system_clock::now();
    X509* leaf = chain.front();
    if (options_.observe_expiration) {
      if (auto not_after = x509_internal::ToTimePoint(X509_get0_notAfter(leaf))) {
        options_.observe_expiration(std::chrono::duration<double>(*not_after - now).count());
      }
    }
    if (Result<void> verified = VerifyClientCertificate(chain, *bundle, now); !verified) {
      return Reject("verifying certificate " + CertificateIdentifier(leaf) +
                    " failed: " + verified.error().message);
    }
    return UserFromLeaf(leaf);
  }

  const X509AuthenticatorOptions options_;
};

}  // namespace

std::unique_ptr<RequestAuthenticator> NewX509Authenticator(X509AuthenticatorOptions options) {
  return std::make_unique<X509Authenticator>(std::move(options));
}

}  // namespace kauth
