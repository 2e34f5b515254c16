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
  for (std::size_t i = 1; i < errors.size(); ++i) {
    const AuthError& error = errors[i];
    if (Severity(error.kind_) > Severity(out.kind_)) out.kind_ = error.kind_;
    // Each part is already flat, so flattening is one level deep.
    if (!out.Contains(error.first_)) out.more_.push_back(error.first_);
    for (const std::string& message : error.more_) {
      if (!out.Contains(message)) out.more_.push_back(message);
    }
  }
  return out;
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
