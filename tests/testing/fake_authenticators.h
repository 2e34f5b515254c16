// Hand-written fakes for the authenticator interfaces: fixed answers, call counting, and a
// description of each outcome for readable test failures.
#ifndef KAUTH_TESTING_FAKE_AUTHENTICATORS_H_
#define KAUTH_TESTING_FAKE_AUTHENTICATORS_H_

#include <atomic>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "kauth/authenticator.h"

namespace kauth {
// gtest prints results with these.
void PrintTo(const AuthResult& result, std::ostream* os);
void PrintTo(const UserInfo& user, std::ostream* os);
}  // namespace kauth

namespace kauth::testing {

// Shorthands for expected outcomes.
AuthResult Authed(UserInfo user, Audiences audiences = {});
AuthResult Rejected(std::string message, AuthErrorKind kind = AuthErrorKind::kInvalidCredential);

// A request authenticator that always answers `result`, counting its calls.
class FixedRequestAuthenticator final : public RequestAuthenticator {
 public:
  explicit FixedRequestAuthenticator(AuthResult result,
                                     std::shared_ptr<std::atomic<int>> calls = nullptr);
  Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const override;

 private:
  AuthResult result_;
  std::shared_ptr<std::atomic<int>> calls_;
};

// A token authenticator with a fixed map of token -> outcome; unknown tokens are NotApplicable.
// In memory, so it completes inline.
class MapTokenAuthenticator final : public InlineTokenAuthenticator {
 public:
  explicit MapTokenAuthenticator(std::map<std::string, AuthResult> answers,
                                 std::shared_ptr<std::atomic<int>> calls = nullptr);
  AuthResult AuthenticateTokenInline(std::string_view token, AuthContext& ctx) const override;

 private:
  std::map<std::string, AuthResult, std::less<>> answers_;
  std::shared_ptr<std::atomic<int>> calls_;
};

}  // namespace kauth::testing

#endif  // KAUTH_TESTING_FAKE_AUTHENTICATORS_H_
