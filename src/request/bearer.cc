#include "kauth/bearer.h"

#include <utility>

#include "request/bearer_parse.h"
#include "request/unknown_token.h"

namespace kauth {
namespace {

class BearerAuthenticator final : public RequestAuthenticator {
 public:
  explicit BearerAuthenticator(std::shared_ptr<const TokenAuthenticator> tokens)
      : tokens_(std::move(tokens)) {}

  Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const override {
    const BearerCredential credential = ParseBearerAuthorization(request.Header("Authorization"));
    switch (credential.kind) {
      case BearerCredential::Kind::kNone:
      case BearerCredential::Kind::kEmptyToken:
        co_return AuthResult::NotApplicable();
      case BearerCredential::Kind::kExtraSpace:
        // Kubernetes serves this as "no credential" (and so possibly anonymous), with a warning
        // (kubernetes/kubernetes#106142).
        ctx.AddWarning(std::string(kBearerExtraSpaceWarning));
        co_return AuthResult::NotApplicable();
      case BearerCredential::Kind::kToken:
        break;
    }
    AuthResult result =
        RejectUnknownToken(co_await tokens_->AuthenticateToken(credential.token, ctx));
    // Done last: `credential.token` points into the header being removed.
    if (result.authenticated()) request.RemoveHeader("Authorization");
    co_return result;
  }

 private:
  std::shared_ptr<const TokenAuthenticator> tokens_;
};

}  // namespace

std::unique_ptr<RequestAuthenticator> NewBearerAuthenticator(
    std::shared_ptr<const TokenAuthenticator> tokens) {
  return std::make_unique<BearerAuthenticator>(std::move(tokens));
}

}  // namespace kauth
