#include "kauth/union.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace kauth {
namespace {

// The union's rule (R6.1), fed one member's result at a time: the first authenticated result
// wins; a rejection wins at once in a fail-on-error union and is otherwise kept for the
// aggregate; all not-applicable is not-applicable. Shared by the inline and suspending loops.
class UnionOutcome {
 public:
  explicit UnionOutcome(bool fail_on_error) : fail_on_error_(fail_on_error) {}

  // True when `result` is the union's answer; the caller returns it.
  bool Decides(AuthResult& result) {
    if (result.authenticated()) return true;
    if (result.rejected()) {
      if (fail_on_error_) return true;
      // Aggregated as the errors come: no list of them, and nothing copied for a repeated
      // message (a refused token is "invalid bearer token" to both the loopback and the token
      // members).
      if (!first_error_) {
        first_error_.emplace(std::move(result).error());
      } else {
        first_error_->Absorb(std::move(result).error());
      }
    }
    return false;
  }

  // The answer when no member decided.
  AuthResult Finish() && {
    if (first_error_) return AuthResult::Rejected(std::move(*first_error_));
    return AuthResult::NotApplicable();
  }

 private:
  bool fail_on_error_;
  std::optional<AuthError> first_error_;  // every error so far, aggregated (R6.1, R0.3)
};

template <typename Member, typename Call>
Awaitable<AuthResult> RunUnion(const std::vector<std::unique_ptr<Member>>& members,
                               bool fail_on_error, Call call) {
  UnionOutcome outcome(fail_on_error);
  for (const auto& member : members) {
    AuthResult result = co_await call(*member);
    if (outcome.Decides(result)) co_return result;
  }
  co_return std::move(outcome).Finish();
}

template <typename Member, typename Call>
AuthResult RunUnionInline(const std::vector<std::unique_ptr<Member>>& members, bool fail_on_error,
                          Call call) {
  UnionOutcome outcome(fail_on_error);
  for (const auto& member : members) {
    AuthResult result = call(*member);
    if (outcome.Decides(result)) return result;
  }
  return std::move(outcome).Finish();
}

template <typename Member>
bool AllCompleteInline(const std::vector<std::unique_ptr<Member>>& members) {
  return std::all_of(members.begin(), members.end(),
                     [](const auto& member) { return member->CompletesInline(); });
}

class UnionAuthenticator final : public RequestAuthenticator {
 public:
  UnionAuthenticator(std::vector<std::unique_ptr<RequestAuthenticator>> members, bool fail_on_error)
      : members_(std::move(members)),
        fail_on_error_(fail_on_error),
        completes_inline_(AllCompleteInline(members_)) {}

  bool CompletesInline() const override { return completes_inline_; }

  Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const override {
    if (completes_inline_) co_return AuthenticateInline(request, ctx);
    co_return co_await RunUnion(members_, fail_on_error_,
                                [&request, &ctx](const RequestAuthenticator& member) {
                                  return member.Authenticate(request, ctx);
                                });
  }

  AuthResult AuthenticateInline(Request& request, AuthContext& ctx) const override {
    return RunUnionInline(members_, fail_on_error_,
                          [&request, &ctx](const RequestAuthenticator& member) {
                            return member.AuthenticateInline(request, ctx);
                          });
  }

 private:
  std::vector<std::unique_ptr<RequestAuthenticator>> members_;
  bool fail_on_error_;
  bool completes_inline_;
};

class UnionTokenAuthenticator final : public TokenAuthenticator {
 public:
  UnionTokenAuthenticator(std::vector<std::unique_ptr<TokenAuthenticator>> members,
                          bool fail_on_error)
      : members_(std::move(members)),
        fail_on_error_(fail_on_error),
        completes_inline_(AllCompleteInline(members_)) {}

  bool CompletesInline() const override { return completes_inline_; }

  Awaitable<AuthResult> AuthenticateToken(std::string_view token, AuthContext& ctx) const override {
    if (completes_inline_) co_return AuthenticateTokenInline(token, ctx);
    co_return co_await RunUnion(members_, fail_on_error_,
                                [token, &ctx](const TokenAuthenticator& member) {
                                  return member.AuthenticateToken(token, ctx);
                                });
  }

  AuthResult AuthenticateTokenInline(std::string_view token, AuthContext& ctx) const override {
    return RunUnionInline(members_, fail_on_error_,
                          [token, &ctx](const TokenAuthenticator& member) {
                            return member.AuthenticateTokenInline(token, ctx);
                          });
  }

 private:
  std::vector<std::unique_ptr<TokenAuthenticator>> members_;
  bool fail_on_error_;
  bool completes_inline_;
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
