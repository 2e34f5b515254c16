// VerifyClientCertificate: Go's Certificate.Verify with Kubernetes' options (R5.3) on OpenSSL.
//
// OpenSSL builds one chain from the leaf through the client's intermediates to a certificate in
// the bundle and checks its signatures. Its own verdicts are not used: a callback records every
// error it reports and lets it carry on, and the Go rules are then applied to the chain in the
// order Go applies them:
//
//   1. the leaf's isValid (unhandled critical extension, validity period);
//   2. for each issuer, bottom up: CheckSignatureFrom (the issuer may sign certificates, the
//      algorithms are acceptable, the signature verifies), a failure giving "signed by unknown
//      authority" with Go's hint; then the issuer's isValid (critical extensions, validity, CA
//      flag for intermediates, path length);
//   3. no trusted certificate at the top: unknown authority, with the hint Go would give for a
//      certificate that carries the right name but was not accepted as the issuer;
//   4. errors OpenSSL found that Go has a text for (name constraints) or none (kauth's text);
//   5. the extended key usage, client authentication, on every certificate of the chain.
//
// OpenSSL is asked for no purpose and no trust setting, so neither keyUsage nor nsCertType is
// enforced, as in Go. Any certificate of the bundle is a trust anchor (partial chains), as in a
// Go CertPool, and the bundle's issuer lookup follows Go's candidate order (UseGoIssuerLookup).
// Where Go would build several chains, OpenSSL builds one; see docs/deviations.md.
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kauth/x509.h"
#include "x509/certificate_fields.h"
#include "x509/go_x509_errors.h"
#include "x509/openssl_error_mark.h"
#include "x509/verify_internal.h"

namespace kauth {
namespace x509_internal {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

// Where a certificate sits in the chain, which decides the checks Go's isValid applies.
enum class Role { kLeaf, kIntermediate, kRoot };

// Go's KeyUsage holds the nine bits RFC 5280 defines; in OpenSSL's layout they are these.
constexpr std::uint32_t kGoKeyUsageBits = 0x80FF;

struct BasicConstraintsInfo {
  bool present = false;
  bool is_ca = false;
  long max_path_len = -1;  // -1: no limit
};

BasicConstraintsInfo ReadBasicConstraints(const X509* cert) {
  BasicConstraintsInfo info;
  int critical = -1;
  auto* bc = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert, NID_basic_constraints, &critical, nullptr));
  if (bc == nullptr) return info;
  info.present = true;
  info.is_ca = bc->ca != 0;
  if (bc->pathlen != nullptr) info.max_path_len = ASN1_INTEGER_get(bc->pathlen);
  BASIC_CONSTRAINTS_free(bc);
  return info;
}

bool IsGoNameType(int general_name_type) {
  return general_name_type == GEN_DNS || general_name_type == GEN_EMAIL ||
         general_name_type == GEN_IPADD || general_name_type == GEN_URI;
}

// Go handles a critical subjectAltName only when it holds a name Go understands.
bool SanHandledByGo(X509_EXTENSION* ext) {
  auto* names = static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext));
  if (names == nullptr) return false;
  bool handled = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    if (IsGoNameType(sk_GENERAL_NAME_value(names, i)->type)) handled = true;
  }
  GENERAL_NAMES_free(names);
  return handled;
}

// Go handles critical name constraints only when every constraint has a type it implements.
bool NameConstraintsHandledByGo(X509_EXTENSION* ext) {
  auto* nc = static_cast<NAME_CONSTRAINTS*>(X509V3_EXT_d2i(ext));
  if (nc == nullptr) return false;
  bool handled = true;
  for (STACK_OF(GENERAL_SUBTREE) * subtrees : {nc->permittedSubtrees, nc->excludedSubtrees}) {
    for (int i = 0; i < sk_GENERAL_SUBTREE_num(subtrees); ++i) {
      if (!IsGoNameType(sk_GENERAL_SUBTREE_value(subtrees, i)->base->type)) handled = false;
    }
  }
  NAME_CONSTRAINTS_free(nc);
  return handled;
}

// Go's parser records a critical extension as unhandled unless it is one of those it processes.
bool HasGoUnhandledCriticalExtension(const X509* cert) {
  const int count = X509_get_ext_count(cert);
  for (int i = 0; i < count; ++i) {
    X509_EXTENSION* ext = X509_get_ext(cert, i);
    if (X509_EXTENSION_get_critical(ext) == 0) continue;
    switch (OBJ_obj2nid(X509_EXTENSION_get_object(ext))) {
      case NID_key_usage:
      case NID_basic_constraints:
      case NID_crl_distribution_points:
      case NID_authority_key_identifier:
      case NID_policy_constraints:
      case NID_ext_key_usage:
      case NID_subject_key_identifier:
      case NID_certificate_policies:
      case NID_policy_mappings:
      case NID_inhibit_any_policy:
      case NID_info_access:
        break;
      case NID_subject_alt_name:
        if (!SanHandledByGo(ext)) return true;
        break;
      case NID_name_constraints:
        if (!NameConstraintsHandledByGo(ext)) return true;
        break;
      default:
        return true;
    }
  }
  return false;
}

// Go's isValid, except name constraints (OpenSSL's report stands in for them). `below` is the
// number of certificates under this one in the chain.
std::optional<std::string> GoIsValid(const X509* cert, Role role, std::size_t below,
                                     TimePoint now) {
  if (HasGoUnhandledCriticalExtension(cert)) return std::string(kErrUnhandledCriticalExtension);
  const std::optional<TimePoint> not_before = ToTimePoint(X509_get0_notBefore(cert));
  if (!not_before) return OpenSslErrorMessage(X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD);
  const std::optional<TimePoint> not_after = ToTimePoint(X509_get0_notAfter(cert));
  if (!not_after) return OpenSslErrorMessage(X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD);
  // Go compares at full precision: a certificate is still valid at its NotAfter second.
  if (now < *not_before) return ExpiredError(now, *not_before, /*before=*/true);
  if (now > *not_after) return ExpiredError(now, *not_after, /*before=*/false);

  const BasicConstraintsInfo bc = ReadBasicConstraints(cert);
  if (role == Role::kIntermediate && !(bc.present && bc.is_ca)) {
    return std::string(kErrNotAuthorizedToSign);
  }
  const long intermediates_below = static_cast<long>(below) - 1;
  if (bc.present && bc.max_path_len >= 0 && intermediates_below > bc.max_path_len) {
    return std::string(kErrTooManyIntermediates);
  }
  return std::nullopt;
}

enum class KeyAlgorithm { kUnknown, kRsa, kEcdsa, kEd25519, kDsa };

KeyAlgorithm KeyAlgorithmOf(const X509* cert) {
  const EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) return KeyAlgorithm::kUnknown;
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return KeyAlgorithm::kRsa;
    case EVP_PKEY_EC:
      return KeyAlgorithm::kEcdsa;
    case EVP_PKEY_ED25519:
      return KeyAlgorithm::kEd25519;
    case EVP_PKEY_DSA:
      return KeyAlgorithm::kDsa;
    default:
      return KeyAlgorithm::kUnknown;  // e.g. RSA-PSS keys, which Go does not parse
  }
}

// Go's PublicKeyAlgorithm.String() and the %T of its public key type.
std::string_view GoKeyAlgorithmName(KeyAlgorithm key) {
  switch (key) {
    case KeyAlgorithm::kRsa:
      return "RSA";
    case KeyAlgorithm::kEcdsa:
      return "ECDSA";
    case KeyAlgorithm::kEd25519:
      return "Ed25519";
    case KeyAlgorithm::kDsa:
      return "DSA";
    case KeyAlgorithm::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view GoKeyTypeName(KeyAlgorithm key) {
  switch (key) {
    case KeyAlgorithm::kRsa:
      return "*rsa.PublicKey";
    case KeyAlgorithm::kEcdsa:
      return "*ecdsa.PublicKey";
    case KeyAlgorithm::kEd25519:
      return "ed25519.PublicKey";
    case KeyAlgorithm::kDsa:
      return "*dsa.PublicKey";
    case KeyAlgorithm::kUnknown:
      break;
  }
  return "unknown";
}

struct SignatureAlgorithm {
  enum class Status { kAccepted, kInsecure, kUnsupported };
  Status status = Status::kUnsupported;
  KeyAlgorithm key = KeyAlgorithm::kUnknown;
  std::string_view go_name;
};

// The signature algorithms Go knows, and which of them it refuses.
SignatureAlgorithm SignatureAlgorithmOf(const X509* cert) {
  using S = SignatureAlgorithm::Status;
  using K = KeyAlgorithm;
  switch (X509_get_signature_nid(cert)) {
    case NID_md2WithRSAEncryption:
      return {S::kUnsupported, K::kRsa, "MD2-RSA"};
    case NID_md5WithRSAEncryption:
      return {S::kInsecure, K::kRsa, "MD5-RSA"};
    case NID_sha1WithRSAEncryption:
    case NID_sha1WithRSA:
      return {S::kInsecure, K::kRsa, "SHA1-RSA"};
    case NID_sha256WithRSAEncryption:
      return {S::kAccepted, K::kRsa, "SHA256-RSA"};
    case NID_sha384WithRSAEncryption:
      return {S::kAccepted, K::kRsa, "SHA384-RSA"};
    case NID_sha512WithRSAEncryption:
      return {S::kAccepted, K::kRsa, "SHA512-RSA"};
    case NID_rsassaPss:
      return {S::kAccepted, K::kRsa, "RSAPSS"};
    case NID_dsaWithSHA1:
      return {S::kInsecure, K::kDsa, "DSA-SHA1"};
    case NID_ecdsa_with_SHA1:
      return {S::kInsecure, K::kEcdsa, "ECDSA-SHA1"};
    case NID_ecdsa_with_SHA256:
      return {S::kAccepted, K::kEcdsa, "ECDSA-SHA256"};
    case NID_ecdsa_with_SHA384:
      return {S::kAccepted, K::kEcdsa, "ECDSA-SHA384"};
    case NID_ecdsa_with_SHA512:
      return {S::kAccepted, K::kEcdsa, "ECDSA-SHA512"};
    case NID_ED25519:
      return {S::kAccepted, K::kEd25519, "Ed25519"};
    default:
      return {};
  }
}

// Go's CheckSignatureFrom: nullopt when `parent` may have signed `child` and did; otherwise the
// error Go would give as the unknown-authority hint. OpenSSL did the signature arithmetic.
std::optional<std::string> GoCheckSignatureFrom(const X509* child, X509* parent,
                                                bool signature_failed) {
  const BasicConstraintsInfo bc = ReadBasicConstraints(parent);
  const bool v3 = X509_get_version(parent) == X509_VERSION_3;
  if ((v3 && !bc.present) || (bc.present && !bc.is_ca)) {
    return std::string(kErrConstraintViolation);
  }
  const std::uint32_t key_usage = X509_get_key_usage(parent);
  if (key_usage != UINT32_MAX && (key_usage & kGoKeyUsageBits) != 0 &&
      (key_usage & KU_KEY_CERT_SIGN) == 0) {
    return std::string(kErrConstraintViolation);
  }
  const KeyAlgorithm parent_key = KeyAlgorithmOf(parent);
  if (parent_key == KeyAlgorithm::kUnknown) return std::string(kErrUnsupportedAlgorithm);

  const SignatureAlgorithm algorithm = SignatureAlgorithmOf(child);
  if (algorithm.status == SignatureAlgorithm::Status::kInsecure) {
    return std::string(kErrInsecureAlgorithmPrefix) + std::string(algorithm.go_name);
  }
  if (algorithm.status == SignatureAlgorithm::Status::kUnsupported ||
      parent_key == KeyAlgorithm::kDsa) {  // Go no longer verifies DSA signatures
    return std::string(kErrUnsupportedAlgorithm);
  }
  if (algorithm.key != parent_key) {
    return "x509: signature algorithm specifies an " +
           std::string(GoKeyAlgorithmName(algorithm.key)) +
           " public key, but have public key of type " + std::string(GoKeyTypeName(parent_key));
  }
  if (!signature_failed) return std::nullopt;
  switch (parent_key) {
    case KeyAlgorithm::kEcdsa:
      return std::string(kErrEcdsaVerification);
    case KeyAlgorithm::kEd25519:
      return std::string(kErrEd25519Verification);
    default:
      return std::string(kErrRsaVerification);
  }
}

// Go's checkChainForKeyUsage for the single usage Kubernetes asks for: a certificate with no
// extended key usage, or with "any", allows everything; otherwise it must list client auth.
bool GoAllowsClientAuth(const X509* cert) {
  int critical = -1;
  auto* usages = static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cert, NID_ext_key_usage, &critical, nullptr));
  if (usages == nullptr) return true;
  bool allowed = sk_ASN1_OBJECT_num(usages) == 0;
  for (int i = 0; i < sk_ASN1_OBJECT_num(usages); ++i) {
    const int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(usages, i));
    if (nid == NID_anyExtendedKeyUsage || nid == NID_client_auth) allowed = true;
  }
  EXTENDED_KEY_USAGE_free(usages);
  return allowed;
}

std::string_view KeyIdBytes(const ASN1_OCTET_STRING* id) {
  if (id == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(id)),
                          static_cast<std::size_t>(ASN1_STRING_length(id)));
}

std::string_view SanBytes(const X509* cert) {
  const int index = X509_get_ext_by_NID(cert, NID_subject_alt_name, -1);
  if (index < 0) return {};
  return KeyIdBytes(X509_EXTENSION_get_data(X509_get_ext(cert, index)));
}

// Go's alreadyInChain: same subject, same key and same subject alternative names.
bool AlreadyInChain(const X509* candidate, const std::vector<X509*>& chain) {
  for (const X509* cert : chain) {
    if (NameDer(X509_get_subject_name(candidate)) != NameDer(X509_get_subject_name(cert))) continue;
    const EVP_PKEY* a = X509_get0_pubkey(candidate);
    const EVP_PKEY* b = X509_get0_pubkey(cert);
    if (a == nullptr || b == nullptr || EVP_PKEY_eq(a, b) != 1) continue;
    const int san_a = X509_get_ext_by_NID(candidate, NID_subject_alt_name, -1);
    const int san_b = X509_get_ext_by_NID(cert, NID_subject_alt_name, -1);
    if ((san_a < 0) != (san_b < 0)) continue;
    if (SanBytes(candidate) == SanBytes(cert)) return true;
  }
  return false;
}

// The order in which Go's findPotentialParents offers issuers: matching key identifiers first,
// then those where only one side has one, then mismatches.
int KeyIdRank(X509* candidate, X509* child) {
  const std::string_view skid = KeyIdBytes(X509_get0_subject_key_id(candidate));
  const std::string_view akid = KeyIdBytes(X509_get0_authority_key_id(child));
  if (skid == akid) return 0;
  if (skid.empty() != akid.empty()) return 1;
  return 2;
}

// The top of an untrusted chain has no issuer OpenSSL accepted. Go would still have tried each
// bundle certificate (then each intermediate) whose subject is the top's issuer name, and
// reports the first one it rejected as the hint.
std::string UnknownAuthorityAtTop(const std::vector<X509*>& chain, const CaBundle& bundle,
                                  std::span<X509* const> intermediates, TimePoint now) {
  X509* top = chain.back();
  const std::string_view issuer = NameDer(X509_get_issuer_name(top));
  struct Candidate {
    X509* cert;
    Role role;
  };
  std::vector<Candidate> candidates;
  auto collect = [&](std::span<X509* const> pool, Role role) {
    std::vector<X509*> found;
    for (X509* cert : pool) {
      if (NameDer(X509_get_subject_name(cert)) == issuer && !AlreadyInChain(cert, chain)) {
        found.push_back(cert);
      }
    }
    std::stable_sort(found.begin(), found.end(),
                     [top](X509* a, X509* b) { return KeyIdRank(a, top) < KeyIdRank(b, top); });
    for (X509* cert : found) candidates.push_back({cert, role});
  };
  collect(bundle.certificates(), Role::kRoot);
  collect(intermediates, Role::kIntermediate);

  for (const Candidate& candidate : candidates) {
    EVP_PKEY* key = X509_get0_pubkey(candidate.cert);
    const bool signature_failed = key == nullptr || X509_verify(top, key) != 1;
    if (auto hint = GoCheckSignatureFrom(top, candidate.cert, signature_failed)) {
      return UnknownAuthorityWithHint(*hint, GoCertificateName(candidate.cert));
    }
    if (auto error = GoIsValid(candidate.cert, candidate.role, chain.size(), now)) return *error;
    // Go would have accepted this issuer where OpenSSL's stricter issuer matching did not (a
    // documented deviation); there is no better text than Go's plain one.
    break;
  }
  return std::string(kErrUnknownAuthority);
}

std::string Der(const X509* cert) {
  const int len = i2d_X509(cert, nullptr);
  if (len <= 0) return "";
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &out);
  return der;
}

// Byte equality, as Go's CertPool.contains decides it (X509_cmp treats a certificate whose
// encoding is marked modified as equal to anything with the same fingerprint state).
bool InBundle(const X509* cert, const CaBundle& bundle) {
  const std::string_view subject = NameDer(X509_get_subject_name(cert));
  std::string der;
  for (const X509* trusted : bundle.certificates()) {
    if (NameDer(X509_get_subject_name(trusted)) != subject) continue;
    if (der.empty()) der = Der(cert);
    if (!der.empty() && Der(trusted) == der) return true;
  }
  return false;
}

// Of same-named bundle certificates in Go's order: the first whose signature on `cert` verifies
// and that is valid at `now`, else the first whose signature verifies, else the first (whose
// rejection then becomes Go's hint). Null when there are none.
X509* PreferredIssuer(const std::vector<X509*>& candidates, X509* cert, time_t now) {
  if (candidates.empty()) return nullptr;
  // With one candidate there is nothing to choose; OpenSSL checks its signature afterwards.
  if (candidates.size() == 1) return candidates.front();
  X509* first_that_verifies = nullptr;
  for (X509* candidate : candidates) {
    EVP_PKEY* key = X509_get0_pubkey(candidate);
    if (key == nullptr || X509_verify(cert, key) != 1) continue;
    if (X509_cmp_time(X509_get0_notBefore(candidate), &now) < 0 &&
        X509_cmp_time(X509_get0_notAfter(candidate), &now) > 0) {
      return candidate;
    }
    if (first_that_verifies == nullptr) first_that_verifies = candidate;
  }
  return first_that_verifies != nullptr ? first_that_verifies : candidates.front();
}

// See UseGoIssuerLookup. Returns a new reference in `*issuer`.
int GoIssuerLookup(X509** issuer, X509_STORE_CTX* ctx, X509* cert) {
  *issuer = nullptr;
  STACK_OF(X509)* named = X509_STORE_CTX_get1_certs(ctx, X509_get_issuer_name(cert));
  if (named == nullptr) return 0;
  // OpenSSL compares canonical names; Go compares the encoded bytes.
  const std::string_view issuer_name = NameDer(X509_get_issuer_name(cert));
  std::vector<X509*> candidates;
  for (int i = 0; i < sk_X509_num(named); ++i) {
    X509* candidate = sk_X509_value(named, i);
    if (NameDer(X509_get_subject_name(candidate)) == issuer_name) candidates.push_back(candidate);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [cert](X509* a, X509* b) { return KeyIdRank(a, cert) < KeyIdRank(b, cert); });

  X509* chosen =
      PreferredIssuer(candidates, cert, X509_VERIFY_PARAM_get_time(X509_STORE_CTX_get0_param(ctx)));
  if (chosen != nullptr) {
    X509_up_ref(chosen);
    *issuer = chosen;
  }
  sk_X509_pop_free(named, X509_free);
  return chosen != nullptr ? 1 : 0;
}

int RecordAndContinue(int ok, X509_STORE_CTX* ctx) {
  if (ok == 0) {
    auto* reports = static_cast<std::vector<OpenSslReport>*>(X509_STORE_CTX_get_ex_data(ctx, 0));
    reports->push_back({X509_STORE_CTX_get_error(ctx), X509_STORE_CTX_get_error_depth(ctx)});
  }
  return 1;
}

struct StoreCtxFree {
  void operator()(X509_STORE_CTX* ctx) const { X509_STORE_CTX_free(ctx); }
};
struct X509StackFree {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};

// One run of OpenSSL's chain building. The chain's certificates are owned by `ctx`.
struct OpenSslRun {
  std::unique_ptr<STACK_OF(X509), X509StackFree> untrusted;
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx;
  std::vector<OpenSslReport> reports;
  std::vector<X509*> chain;
  // Set when OpenSSL failed for a reason of its own (the callback never stops it): out of
  // memory, say. Not a verdict on the certificate.
  std::optional<std::string> failure;
};

void RunOpenSsl(std::span<X509* const> peer_chain, const CaBundle& bundle, TimePoint now,
                OpenSslRun& run) {
  run.untrusted.reset(sk_X509_new_null());
  run.ctx.reset(X509_STORE_CTX_new());
  if (run.untrusted == nullptr || run.ctx == nullptr) {
    run.failure = std::string(kErrOpenSslPrefix) + "out of memory";
    return;
  }
  for (X509* cert : peer_chain.subspan(1)) {
    if (sk_X509_push(run.untrusted.get(), cert) <= 0) {
      run.failure = std::string(kErrOpenSslPrefix) + "out of memory";
      return;
    }
  }
  X509_STORE_CTX* ctx = run.ctx.get();
  if (X509_STORE_CTX_init(ctx, bundle.store(), peer_chain.front(), run.untrusted.get()) != 1) {
    run.failure = std::string(kErrOpenSslPrefix) + "cannot initialise verification";
    return;
  }
  // No purpose and no trust setting are set: OpenSSL's SSL-client purpose would enforce keyUsage
  // and nsCertType, which Go ignores.
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_time(
      param, static_cast<time_t>(
                 std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count()));
  // A Go CertPool makes every certificate a trust anchor, self-signed or not. OpenSSL's
  // critical-extension list differs from Go's, which GoIsValid applies instead.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_IGNORE_CRITICAL);
  // Go has no key-size or digest security levels (SHA-1 and MD5 are refused in
  // GoCheckSignatureFrom).
  X509_VERIFY_PARAM_set_auth_level(param, 0);
  // Go applies name constraints to subject alternative names only, never to the CN.
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);

  X509_STORE_CTX_set_ex_data(ctx, 0, &run.reports);
  X509_STORE_CTX_set_verify_cb(ctx, RecordAndContinue);
  const int verified = X509_verify_cert(ctx);
  X509_STORE_CTX_set_ex_data(ctx, 0, nullptr);

  if (STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx)) {
    for (int i = 0; i < sk_X509_num(built); ++i) run.chain.push_back(sk_X509_value(built, i));
  }
  if (verified != 1 || run.chain.empty()) {
    run.failure = std::string(kErrOpenSslPrefix) +
                  X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  }
}

std::optional<std::string> Verify(std::span<X509* const> peer_chain, const CaBundle& bundle,
                                  TimePoint now) {
  X509* leaf = peer_chain.front();
  if (auto error = GoIsValid(leaf, Role::kLeaf, 0, now)) return error;
  // Go's Roots.contains(leaf): a leaf that is itself in the bundle is its whole chain.
  if (InBundle(leaf, bundle)) {
    if (!GoAllowsClientAuth(leaf)) return std::string(kErrIncompatibleUsage);
    return std::nullopt;
  }

  OpenSslRun run;
  RunOpenSsl(peer_chain, bundle, now, run);
  if (run.failure) return run.failure;  // fail closed
  const std::vector<X509*>& chain = run.chain;
  if (chain.front() != leaf) {
    // OpenSSL swaps a self-signed certificate for an identical trusted copy; a true copy was
    // accepted above, so a chain that does not start with this leaf says nothing about it.
    return std::string(kErrUnknownAuthority);
  }

  bool untrusted_top = false;
  std::optional<std::string> chain_error;     // the first mapped or unmapped report
  std::set<std::size_t> bad_signature_links;  // by the index of the issuer
  for (const OpenSslReport& report : run.reports) {
    const auto depth = static_cast<std::size_t>(std::max(report.depth, 0));
    switch (MapOpenSslError(report.code).verdict) {
      case OpenSslVerdict::kUnknownAuthority:
        untrusted_top = true;
        break;
      case OpenSslVerdict::kSignature:
        // A bad signature is reported at the signed certificate, an unreadable key at its issuer.
        bad_signature_links.insert(
            report.code == X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY ? depth : depth + 1);
        break;
      case OpenSslVerdict::kMapped:
      case OpenSslVerdict::kUnmapped:
        if (!chain_error) chain_error = OpenSslErrorMessage(report.code);
        break;
      case OpenSslVerdict::kDecidedTheGoWay:
      case OpenSslVerdict::kIgnored:
        break;
    }
  }

  for (std::size_t k = 1; k < chain.size(); ++k) {
    if (auto hint = GoCheckSignatureFrom(chain[k - 1], chain[k], bad_signature_links.contains(k))) {
      return UnknownAuthorityWithHint(*hint, GoCertificateName(chain[k]));
    }
    const Role role = k + 1 == chain.size() && !untrusted_top ? Role::kRoot : Role::kIntermediate;
    if (auto error = GoIsValid(chain[k], role, k, now)) return error;
  }
  if (untrusted_top) return UnknownAuthorityAtTop(chain, bundle, peer_chain.subspan(1), now);
  if (chain_error) return chain_error;
  for (const X509* cert : chain) {
    if (!GoAllowsClientAuth(cert)) return std::string(kErrIncompatibleUsage);
  }
  return std::nullopt;
}

}  // namespace

void UseGoIssuerLookup(X509_STORE* store) { X509_STORE_set_get_issuer(store, GoIssuerLookup); }

std::vector<OpenSslReport> OpenSslReportsFor(std::span<X509* const> chain, const CaBundle& bundle,
                                             std::chrono::system_clock::time_point now) {
  const OpenSslErrorMark mark;
  OpenSslRun run;
  RunOpenSsl(chain, bundle, now, run);
  return std::move(run.reports);
}

}  // namespace x509_internal

Result<void> VerifyClientCertificate(std::span<X509* const> chain, const CaBundle& bundle,
                                     std::chrono::system_clock::time_point now) {
  if (chain.empty()) return Error{"x509: no client certificate to verify"};
  // Rejected signatures leave entries on this thread's OpenSSL error queue.
  const x509_internal::OpenSslErrorMark mark;
  std::optional<std::string> error = x509_internal::Verify(chain, bundle, now);
  if (error) return Error{std::move(*error)};
  return {};
}

}  // namespace kauth
