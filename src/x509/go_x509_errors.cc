#include "x509/go_x509_errors.h"

#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iterator>

#include "core/go_format.h"

namespace kauth::x509_internal {
namespace {

using V = OpenSslVerdict;

constexpr OpenSslErrorMapping kTable[] = {
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, V::kUnknownAuthority, kErrUnknownAuthority},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, V::kSignature, ""},
    {X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, V::kSignature, ""},
    {X509_V_ERR_CERT_SIGNATURE_FAILURE, V::kSignature, ""},
    {X509_V_ERR_CERT_NOT_YET_VALID, V::kDecidedTheGoWay, kErrExpiredPrefix},
    {X509_V_ERR_CERT_HAS_EXPIRED, V::kDecidedTheGoWay, kErrExpiredPrefix},
    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, V::kUnknownAuthority, kErrUnknownAuthority},
    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, V::kUnknownAuthority, kErrUnknownAuthority},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, V::kUnknownAuthority, kErrUnknownAuthority},
    {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, V::kUnknownAuthority, kErrUnknownAuthority},
    // Go has no depth limit, only a budget of 100 signature checks; OpenSSL's depth is 100.
    {X509_V_ERR_CERT_CHAIN_TOO_LONG, V::kMapped, kErrSignatureCheckLimit},
    {X509_V_ERR_PATH_LENGTH_EXCEEDED, V::kDecidedTheGoWay, kErrTooManyIntermediates},
    // kauth sets no purpose, so OpenSSL never reports this; Go's EKU check takes its place.
    {X509_V_ERR_INVALID_PURPOSE, V::kDecidedTheGoWay, kErrIncompatibleUsage},
    {X509_V_ERR_CERT_UNTRUSTED, V::kUnknownAuthority, kErrUnknownAuthority},
    {X509_V_ERR_CERT_REJECTED, V::kUnknownAuthority, kErrUnknownAuthority},
    // Go refuses such an issuer in CheckSignatureFrom: an unknown-authority hint.
    {X509_V_ERR_KEYUSAGE_NO_CERTSIGN, V::kDecidedTheGoWay, kErrConstraintViolation},
    // kauth turns OpenSSL's check off (X509_V_FLAG_IGNORE_CRITICAL) and applies Go's list.
    {X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, V::kDecidedTheGoWay, kErrUnhandledCriticalExtension},
    {X509_V_ERR_PERMITTED_VIOLATION, V::kMapped, ""},
    {X509_V_ERR_EXCLUDED_VIOLATION, V::kMapped, ""},
    {X509_V_ERR_SUBTREE_MINMAX, V::kMapped, ""},
    {X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE, V::kMapped, ""},
    {X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX, V::kMapped, ""},
    {X509_V_ERR_UNSUPPORTED_NAME_SYNTAX, V::kMapped, ""},
    // Go never builds a chain through a certificate already in it.
    {X509_V_ERR_PATH_LOOP, V::kUnknownAuthority, kErrUnknownAuthority},
    // Security-level checks only run with an auth level, which kauth never sets.
    {X509_V_ERR_EE_KEY_TOO_SMALL, V::kIgnored, ""},
    {X509_V_ERR_CA_KEY_TOO_SMALL, V::kIgnored, ""},
    {X509_V_ERR_CA_MD_TOO_WEAK, V::kIgnored, ""},
    {X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM, V::kSignature, ""},
    {X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH, V::kSignature, ""},
    {X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY, V::kSignature, ""},
    // A v3 issuer that is not a CA fails Go's CheckSignatureFrom (an unknown-authority hint); a
    // v1 intermediate fails isValid with this text. A root's CA flag is only checked by
    // CheckSignatureFrom.
    {X509_V_ERR_INVALID_CA, V::kDecidedTheGoWay, kErrNotAuthorizedToSign},
};

bool IsNameConstraintError(int code) {
  switch (code) {
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
    case X509_V_ERR_SUBTREE_MINMAX:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
    case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string GoRfc3339(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
  const auto day = floor<days>(secs);
  const year_month_day ymd(day);
  const hh_mm_ss hms(secs - day);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string ExpiredError(std::chrono::system_clock::time_point now,
                         std::chrono::system_clock::time_point bound, bool before) {
  return std::string(kErrExpiredPrefix) + "current time " + GoRfc3339(now) +
         (before ? " is before " : " is after ") + GoRfc3339(bound);
}

std::string UnknownAuthorityWithHint(std::string_view hint_error, std::string_view candidate_name) {
  return std::string(kErrUnknownAuthority) + " (possibly because of " + GoQuote(hint_error) +
         " while trying to verify candidate authority certificate " + GoQuote(candidate_name) + ")";
}

std::span<const OpenSslErrorMapping> OpenSslErrorTable() { return kTable; }

OpenSslErrorMapping MapOpenSslError(int code) {
  const auto* it =
      std::find_if(std::begin(kTable), std::end(kTable),
                   [code](const OpenSslErrorMapping& row) { return row.code == code; });
  if (it == std::end(kTable)) return {code, V::kUnmapped, ""};
  return *it;
}

std::string OpenSslErrorMessage(int code) {
  const OpenSslErrorMapping row = MapOpenSslError(code);
  const char* reason = X509_verify_cert_error_string(code);
  if (IsNameConstraintError(code)) return std::string(kErrNameConstraintsPrefix) + reason;
  if (row.verdict == V::kUnmapped || row.go_text.empty()) {
    return std::string(kErrOpenSslPrefix) + reason;
  }
  return std::string(row.go_text);
}

}  // namespace kauth::x509_internal
