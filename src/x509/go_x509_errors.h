// Go crypto/x509's error texts, the Go formatting they depend on (%q quoting, RFC 3339 times),
// and the table that says what each OpenSSL verification error means for a Go-style verdict.
//
// Kubernetes puts these texts into 401 logs and TokenReview errors (R5.5), so they are quoted
// exactly. kauth lets OpenSSL build the chain and check signatures, and makes every decision
// Go makes itself (see verify.cc); the table records, for each OpenSSL error, whether OpenSSL's
// report is taken as it is, re-decided the Go way, or ignored because Go never checks it.
#ifndef KAUTH_X509_GO_X509_ERRORS_H_
#define KAUTH_X509_GO_X509_ERRORS_H_

#include <chrono>
#include <span>
#include <string>
#include <string_view>

namespace kauth::x509_internal {

// Go's texts (crypto/x509 verify.go and x509.go; crypto/rsa).
inline constexpr std::string_view kErrUnknownAuthority =
    "x509: certificate signed by unknown authority";
inline constexpr std::string_view kErrExpiredPrefix =
    "x509: certificate has expired or is not yet valid: ";
inline constexpr std::string_view kErrIncompatibleUsage =
    "x509: certificate specifies an incompatible key usage";
inline constexpr std::string_view kErrNotAuthorizedToSign =
    "x509: certificate is not authorized to sign other certificates";
inline constexpr std::string_view kErrTooManyIntermediates =
    "x509: too many intermediates for path length constraint";
inline constexpr std::string_view kErrUnhandledCriticalExtension =
    "x509: unhandled critical extension";
inline constexpr std::string_view kErrNameConstraintsPrefix =
    "x509: a root or intermediate certificate is not authorized to sign for this name: ";
inline constexpr std::string_view kErrSignatureCheckLimit =
    "x509: signature check attempts limit reached while verifying certificate chain";
// The hints an unknown-authority error can carry (CheckSignatureFrom's errors).
inline constexpr std::string_view kErrConstraintViolation =
    "x509: invalid signature: parent certificate cannot sign this kind of certificate";
inline constexpr std::string_view kErrUnsupportedAlgorithm =
    "x509: cannot verify signature: algorithm unimplemented";
inline constexpr std::string_view kErrInsecureAlgorithmPrefix =
    "x509: cannot verify signature: insecure algorithm ";
inline constexpr std::string_view kErrEcdsaVerification = "x509: ECDSA verification failure";
inline constexpr std::string_view kErrEd25519Verification = "x509: Ed25519 verification failure";
inline constexpr std::string_view kErrRsaVerification = "crypto/rsa: verification error";

// kauth's prefix for OpenSSL errors that have no Go counterpart (a documented deviation).
inline constexpr std::string_view kErrOpenSslPrefix = "x509: certificate verification failed: ";

// Go's time.Format(time.RFC3339) of a UTC time: "2006-01-02T15:04:05Z", seconds truncated.
std::string GoRfc3339(std::chrono::system_clock::time_point time);

// "x509: certificate has expired or is not yet valid: current time <now> is before <bound>"
// (or "is after", when `before` is false).
std::string ExpiredError(std::chrono::system_clock::time_point now,
                         std::chrono::system_clock::time_point bound, bool before);

// Go's UnknownAuthorityError with a hint: the first candidate issuer that was rejected, and why.
std::string UnknownAuthorityWithHint(std::string_view hint_error, std::string_view candidate_name);

// How kauth treats an OpenSSL X509_V_ERR_* code reported during chain building.
enum class OpenSslVerdict {
  // Go checks this condition in its own way; kauth re-checks it as Go does (verify.cc) and
  // ignores OpenSSL's report. `go_text` is what Go says when the condition is the cause.
  kDecidedTheGoWay,
  // Go never checks it (key-size and digest-strength security levels); ignored.
  kIgnored,
  // No chain to the bundle could be built: Go's unknown-authority error.
  kUnknownAuthority,
  // A signature in the chain did not verify: unknown authority, with Go's hint naming the
  // rejected issuer (computed by verify.cc).
  kSignature,
  // A fixed Go text, or a Go prefix followed by OpenSSL's reason.
  kMapped,
  // No Go counterpart: kErrOpenSslPrefix followed by OpenSSL's reason.
  kUnmapped,
};

struct OpenSslErrorMapping {
  int code;
  OpenSslVerdict verdict;
  // Go's text for the condition; empty where it is computed from the chain (kSignature) or
  // where OpenSSL's reason follows a prefix.
  std::string_view go_text;
};

// Every X509_V_ERR_* code kauth gives a meaning to, in code order.
std::span<const OpenSslErrorMapping> OpenSslErrorTable();

// The row for `code`; codes outside the table are kUnmapped.
OpenSslErrorMapping MapOpenSslError(int code);

// The message kauth reports when a kMapped or kUnmapped `code` decides the outcome: the row's
// text, the name-constraint prefix plus OpenSSL's reason, or kErrOpenSslPrefix plus OpenSSL's
// reason. (The other verdicts' texts are computed by verify.cc from the chain.)
std::string OpenSslErrorMessage(int code);

}  // namespace kauth::x509_internal

#endif  // KAUTH_X509_GO_X509_ERRORS_H_
