#include "kauth/bearer.h"

#include <optional>
#include <string_view>
#include <utility>

#include "request/bearer_parse.h"
#include "request/unknown_token.h"

namespace kauth {
namespace {

// R3: what the Authorization header holds. A token to look up, or the answer without one.
struct Presented {
  std::optional<AuthResult> answer;
  std::string_view token;  // into the request's header
};

Presented PresentedToken(const Request& request, AuthContext& ctx) {
  const BearerCredential credential = ParseBearerAuthorization(request.Header("Authorization"));
  switch (credential.kind) {
    case BearerCredential::Kind::kNone:
    case BearerCredential::Kind::kEmptyToken:
      return {AuthResult::NotApplicable(), {}};
    case BearerCredential::Kind::kExtraSpace:
      // Kubernetes serves this as "no credential" (and so possibly anonymous), with a warning
      // (kubernetes/kubernetes#106142).
      ctx.AddWarning(std::string(kBearerExtraSpaceWarning));
      return {AuthResult::NotApplicable(), {}};
    case BearerCredential::Kind::kToken:
      break;
  }
  return {std::nullopt, credential.token};
}

AuthResult Finish(AuthResult looked_up, Request& request) {
  AuthResult result = RejectUnknownToken(std::move(looked_up));
  // Done last: the token points into the header being removed.
  if (result.authenticated()) request.RemoveHeader("Authorization");
  return result;
}

class BearerAuthenticator final : public RequestAuthenticator {
 public:
  explicit BearerAuthenticator(std::shared_ptr<const TokenAuthenticator> tokens)
      : tokens_(std::move(tokens)) {}

  bool CompletesInline() const override { return tokens_->CompletesInline(); }

  Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const override {
    Presented presented = PresentedToken(request, ctx);
    if (presented.answer) co_return std::move(*presented.answer);
    AuthResult looked_up = co_await tokens_->AuthenticateToken(presented.token, ctx);
    co_return Finish(std::move(looked_up), request);
  }

  AuthResult AuthenticateInline(Request& request, AuthContext& ctx) const override {
    Presented presented = PresentedToken(request, ctx);
    if (presented.answer) return std::move(*presented.answer);
    return Finish(tokens_->AuthenticateTokenInline(presented.token, ctx), request);
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
