#include "kauth/auth_error.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace kauth {
namespace {

int Severity(AuthErrorKind kind) {
  switch (kind) {
    case AuthErrorKind::kInvalidCredential:
      return 0;
    case AuthErrorKind::kCanceled:
      return 1;
    case AuthErrorKind::kUnavailable:
      return 2;
    case AuthErrorKind::kInternal:
      return 3;
  }
  return 3;
}

}  // namespace

AuthError::AuthError(AuthErrorKind kind, std::string message)
    : kind_(kind), first_(std::move(message)) {}

bool AuthError::Contains(const std::string& message) const {
  return first_ == message || std::find(more_.begin(), more_.end(), message) != more_.end();
}

AuthError AuthError::Aggregate(const std::vector<AuthError>& errors) {
  assert(!errors.empty());
  AuthError out = errors.front();
  for (std::size_t i = 1; i < errors.size(); ++i) out.Absorb(errors[i]);
  return out;
}

void AuthError::Absorb(AuthError other) {
  if (Severity(other.kind_) > Severity(kind_)) kind_ = other.kind_;
  // Each part is already flat, so flattening is one level deep.
  if (!Contains(other.first_)) more_.push_back(std::move(other.first_));
  for (std::string& message : other.more_) {
    if (!Contains(message)) more_.push_back(std::move(message));
  }
}

std::vector<std::string> AuthError::messages() const {
  std::vector<std::string> out;
  out.reserve(1 + more_.size());
  out.push_back(first_);
  out.insert(out.end(), more_.begin(), more_.end());
  return out;
}

std::string AuthError::message() const {
  if (more_.empty()) return first_;
  std::string out = "[" + first_;
  for (const std::string& message : more_) {
    out += ", ";
    out += message;
  }
  out += "]";
  return out;
}

}  // namespace kauth
