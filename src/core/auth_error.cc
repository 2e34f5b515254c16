#include "kauth/auth_error.h"

#include <algorithm>
#include <cassert>

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

AuthError::AuthError(AuthErrorKind kind, std::string message) : kind_(kind) {
  messages_.push_back(std::move(message));
}

AuthError AuthError::Aggregate(const std::vector<AuthError>& errors) {
  assert(!errors.empty());
  AuthError out;
  out.kind_ = errors.front().kind_;
  for (const AuthError& error : errors) {
    if (Severity(error.kind_) > Severity(out.kind_)) out.kind_ = error.kind_;
    // Each part is already flat, so flattening is one level deep.
    for (const std::string& message : error.messages_) {
      if (std::find(out.messages_.begin(), out.messages_.end(), message) == out.messages_.end()) {
        out.messages_.push_back(message);
      }
    }
  }
  return out;
}

std::string AuthError::message() const {
  if (messages_.size() == 1) return messages_.front();
  std::string out = "[";
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (i > 0) out += ", ";
    out += messages_[i];
  }
  out += "]";
  return out;
}

}  // namespace kauth
