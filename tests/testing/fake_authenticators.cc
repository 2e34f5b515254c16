#include "testing/fake_authenticators.h"

namespace kauth {

void PrintTo(const UserInfo& user, std::ostream* os) {
  *os << "{name=\"" << user.name << "\" uid=\"" << user.uid << "\" groups=[";
  for (std::size_t i = 0; i < user.groups.size(); ++i) {
    *os << (i ? " " : "") << '"' << user.groups[i] << '"';
  }
  *os << "] extra={";
  for (const auto& [key, values] : user.extra) {
    *os << key << ":[";
    for (std::size_t i = 0; i < values.size(); ++i) *os << (i ? " " : "") << values[i];
    *os << "]";
  }
  *os << "}}";
}

void PrintTo(const AuthResult& result, std::ostream* os) {
  if (result.not_applicable()) {
    *os << "NotApplicable";
  } else if (result.rejected()) {
    *os << "Rejected(kind=" << static_cast<int>(result.error().kind()) << ", \""
        << result.error().message() << "\")";
  } else {
    *os << "Authenticated(";
    PrintTo(result.response().user, os);
    *os << ", audiences=[";
    for (const auto& aud : result.response().audiences) *os << '"' << aud << "\" ";
    *os << "])";
  }
}

}  // namespace kauth

namespace kauth::testing {

AuthResult Authed(UserInfo user, Audiences audiences) {
  return AuthResult::Authenticated({std::move(user), std::move(audiences)});
}

AuthResult Rejected(std::string message, AuthErrorKind kind) {
  return AuthResult::Rejected(AuthError(kind, std::move(message)));
}

FixedRequestAuthenticator::FixedRequestAuthenticator(AuthResult result,
                                                     std::shared_ptr<std::atomic<int>> calls)
    : result_(std::move(result)), calls_(std::move(calls)) {}

Awaitable<AuthResult> FixedRequestAuthenticator::Authenticate(Request&, AuthContext&) const {
  if (calls_) ++*calls_;
  co_return result_;
}

MapTokenAuthenticator::MapTokenAuthenticator(std::map<std::string, AuthResult> answers,
                                             std::shared_ptr<std::atomic<int>> calls)
    : answers_(answers.begin(), answers.end()), calls_(std::move(calls)) {}

AuthResult MapTokenAuthenticator::AuthenticateTokenInline(std::string_view token,
                                                          AuthContext&) const {
  if (calls_) ++*calls_;
  const auto it = answers_.find(token);
  if (it == answers_.end()) return AuthResult::NotApplicable();
  return it->second;
}

}  // namespace kauth::testing
