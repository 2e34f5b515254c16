#include "kauth/group_adder.h"

#include <algorithm>
#include <utility>

namespace kauth {
namespace {

bool NeedsAuthenticatedGroup(const UserInfo& user) {
  if (user.name == kUserAnonymous) return false;
  return std::none_of(user.groups.begin(), user.groups.end(), [](const std::string& group) {
    return group == kGroupAuthenticated || group == kGroupUnauthenticated;
  });
}

void AddAuthenticatedGroup(AuthResult& result) {
  if (result.authenticated() && NeedsAuthenticatedGroup(result.response().user)) {
    result.response().user.groups.emplace_back(kGroupAuthenticated);
  }
}

class AuthenticatedGroupAdder final : public RequestAuthenticator {
 public:
  explicit AuthenticatedGroupAdder(std::unique_ptr<RequestAuthenticator> delegate)
      : delegate_(std::move(delegate)) {}

  bool CompletesInline() const override { return delegate_->CompletesInline(); }

  Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const override {
    AuthResult result = co_await delegate_->Authenticate(request, ctx);
    AddAuthenticatedGroup(result);
    co_return result;
  }

  AuthResult AuthenticateInline(Request& request, AuthContext& ctx) const override {
    AuthResult result = delegate_->AuthenticateInline(request, ctx);
    AddAuthenticatedGroup(result);
    return result;
  }

 private:
  std::unique_ptr<RequestAuthenticator> delegate_;
};

}  // namespace

std::unique_ptr<RequestAuthenticator> NewAuthenticatedGroupAdder(
    std::unique_ptr<RequestAuthenticator> delegate) {
  return std::make_unique<AuthenticatedGroupAdder>(std::move(delegate));
}

}  // namespace kauth
