#include "kauth/anonymous.h"

#include <algorithm>
#include <utility>

#include "kauth/user.h"

namespace kauth {
namespace {

class AnonymousAuthenticator final : public InlineRequestAuthenticator {
 public:
  explicit AnonymousAuthenticator(AnonymousOptions options) : options_(std::move(options)) {}

  AuthResult AuthenticateInline(Request& request, AuthContext& ctx) const override {
    if (options_.allowed_paths) {
      const auto& paths = *options_.allowed_paths;
      if (std::find(paths.begin(), paths.end(), request.path()) == paths.end()) {
        return AuthResult::NotApplicable();
      }
    }
    Response response;
    response.user.name = std::string(kUserAnonymous);
    response.user.groups.emplace_back(kGroupUnauthenticated);
    if (ctx.audiences()) response.audiences = *ctx.audiences();
    return AuthResult::Authenticated(std::move(response));
  }

 private:
  AnonymousOptions options_;
};

}  // namespace

std::unique_ptr<RequestAuthenticator> NewAnonymousAuthenticator(AnonymousOptions options) {
  return std::make_unique<AnonymousAuthenticator>(std::move(options));
}

}  // namespace kauth
