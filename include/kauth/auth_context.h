// AuthContext: per-request state that travels through the authenticator chain, standing in for
// the values Kubernetes keeps in a Go context: the target audiences, response warnings and audit
// annotations.
//
// One AuthContext belongs to one request; it is not shared between threads. Authenticators
// borrow it for the duration of one Authenticate call.
#ifndef KAUTH_AUTH_CONTEXT_H_
#define KAUTH_AUTH_CONTEXT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kauth/audiences.h"

namespace kauth {

struct AuditAnnotation {
  std::string key;
  std::string value;

  friend bool operator==(const AuditAnnotation&, const AuditAnnotation&) = default;
};

class AuthContext {
 public:
  AuthContext() = default;
  explicit AuthContext(std::optional<Audiences> audiences) : audiences_(std::move(audiences)) {}

  // The audiences the request targets. nullopt means "no audiences in the context", which
  // differs from an empty list for the audience-agnostic wrapper (R1.5 step 1). The filter sets
  // them only when the API audiences are non-empty (R7.2).
  const std::optional<Audiences>& audiences() const { return audiences_; }
  void set_audiences(std::optional<Audiences> audiences) { audiences_ = std::move(audiences); }

  // Response warnings (R7.7); duplicates are kept here and dropped when rendered.
  void AddWarning(std::string text) { warnings_.push_back(std::move(text)); }
  const std::vector<std::string>& warnings() const { return warnings_; }

  void AddAuditAnnotation(std::string key, std::string value) {
    audit_annotations_.push_back({std::move(key), std::move(value)});
  }
  const std::vector<AuditAnnotation>& audit_annotations() const { return audit_annotations_; }

 private:
  std::optional<Audiences> audiences_;
  std::vector<std::string> warnings_;
  std::vector<AuditAnnotation> audit_annotations_;
};

}  // namespace kauth

#endif  // KAUTH_AUTH_CONTEXT_H_
