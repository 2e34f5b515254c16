#include "kauth/union.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace kauth {
namespace {

// Both unions share one loop; only the member call differs between request and token unions.
template <typename Member, typename Call>
Awaitable<AuthResult> RunUnion(const std::vector<std::unique_ptr<Member>>& members,
                               bool fail_on_error, Call call) {
  std::vector<AuthError> errors;
  for (const auto& member : members) {
    AuthResult result = co_await call(*member);
    if (result.authenticated()) co_return result;
    if (result.rejected()) {
      if (fail_on_error) co_return result;
      errors.push_back(std::move(result).error());
    }
  }
  if (errors.empty()) co_return AuthResult::NotApplicable();
  co_return AuthResult::Rejected(AuthError::Aggregate(errors));
}

class UnionAuthenticator final : public RequestAuthenticator {
 public:
  UnionAuthenticator(std::vector<std::unique_ptr<RequestAuthenticator>> members, bool fail_on_error)
      : members_(std::move(members)), fail_on_error_(fail_on_error) {}

  Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const override {
    // Pointers, not references: the lambda lives in the coroutine frame past this call.
    return RunUnion(members_, fail_on_error_,
                    [request_ptr = &request, ctx_ptr = &ctx](const RequestAuthenticator& member) {
                      return member.Authenticate(*request_ptr, *ctx_ptr);
                    });
  }

 private:
  std::vector<std::unique_ptr<RequestAuthenticator>> members_;
  bool fail_on_error_;
};

class UnionTokenAuthenticator final : public TokenAuthenticator {
 public:
  UnionTokenAuthenticator(std::vector<std::unique_ptr<TokenAuthenticator>> members,
                          bool fail_on_error)
      : members_(std::move(members)), fail_on_error_(fail_on_error) {}

  bool CompletesInline() const override {
    return std::all_of(members_.begin(), members_.end(),
                       [](const auto& member) { return member->CompletesInline(); });
  }

  Awaitable<AuthResult> AuthenticateToken(std::string_view token, AuthContext& ctx) const override {
    return RunUnion(members_, fail_on_error_,
                    [token, ctx_ptr = &ctx](const TokenAuthenticator& member) {
                      return member.AuthenticateToken(token, *ctx_ptr);
                    });
  }

 private:
  std::vector<std::unique_ptr<TokenAuthenticator>> members_;
  bool fail_on_error_;
};

template <typename Member, typename Union>
std::unique_ptr<Member> MakeUnion(std::vector<std::unique_ptr<Member>> members,
                                  bool fail_on_error) {
  // R6.1: a union of one member is that member.
  if (members.size() == 1) return std::move(members.front());
  return std::make_unique<Union>(std::move(members), fail_on_error);
}

}  // namespace

std::unique_ptr<RequestAuthenticator> NewUnionAuthenticator(
    std::vector<std::unique_ptr<RequestAuthenticator>> members) {
  return MakeUnion<RequestAuthenticator, UnionAuthenticator>(std::move(members), false);
}

std::unique_ptr<RequestAuthenticator> NewFailOnErrorUnionAuthenticator(
    std::vector<std::unique_ptr<RequestAuthenticator>> members) {
  return MakeUnion<RequestAuthenticator, UnionAuthenticator>(std::move(members), true);
}

std::unique_ptr<TokenAuthenticator> NewUnionTokenAuthenticator(
    std::vector<std::unique_ptr<TokenAuthenticator>> members) {
  return MakeUnion<TokenAuthenticator, UnionTokenAuthenticator>(std::move(members), false);
}

std::unique_ptr<TokenAuthenticator> NewFailOnErrorUnionTokenAuthenticator(
    std::vector<std::unique_ptr<TokenAuthenticator>> members) {
  return MakeUnion<TokenAuthenticator, UnionTokenAuthenticator>(std::move(members), true);
}

}  // namespace kauth
