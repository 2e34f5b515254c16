// AuthError: why an authenticator rejected a request (the ERR outcome of R0.2).
//
// An AuthError holds one or more messages. Several messages form an aggregate that prints the way
// Kubernetes' apimachinery aggregate does (R0.3): flattened, duplicates removed keeping the first,
// a single distinct text printed bare, otherwise "[a, b]". The text is Kubernetes' and goes to logs
// and TokenReview.status.error; the kind is kauth's, for metrics and logs, and never changes
// control flow.
#ifndef KAUTH_AUTH_ERROR_H_
#define KAUTH_AUTH_ERROR_H_

#include <string>
#include <vector>

namespace kauth {

enum class AuthErrorKind {
  // The credential was presented and is wrong: unknown token, bad signature, expired certificate.
  kInvalidCredential,
  // A backend needed to decide was not reachable or not ready (webhook down, keys not fetched).
  kUnavailable,
  // The caller gave up (cancellation or deadline) before an answer arrived.
  kCanceled,
  // A broken invariant or an unexpected failure inside an authenticator.
  kInternal,
};

class AuthError {
 public:
  AuthError(AuthErrorKind kind, std::string message);

  // R0.3: flattens nested aggregates; the kind is the most severe of the parts
  // (internal > unavailable > canceled > invalid credential). Requires a non-empty list.
  static AuthError Aggregate(const std::vector<AuthError>& errors);
  // Aggregate({*this, other}), in place: `other`'s distinct messages join this one's, and its
  // kind replaces this one's when more severe.
  void Absorb(AuthError other);

  AuthErrorKind kind() const { return kind_; }
  // The distinct leaf messages, in first-seen order.
  std::vector<std::string> messages() const;
  // The Kubernetes text: the bare message, or "[a, b]" for several distinct ones.
  std::string message() const;

  // Equal when kind and Kubernetes text match, however the text was assembled.
  friend bool operator==(const AuthError& a, const AuthError& b) {
    return a.kind_ == b.kind_ && a.message() == b.message();
  }

 private:
  AuthError() = default;
  bool Contains(const std::string& message) const;

  AuthErrorKind kind_ = AuthErrorKind::kInvalidCredential;
  // The first message, then the rest: most errors have one, and it needs no list.
  std::string first_;
  std::vector<std::string> more_;
};

}  // namespace kauth

#endif  // KAUTH_AUTH_ERROR_H_
