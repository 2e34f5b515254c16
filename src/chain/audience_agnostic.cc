#include "kauth/audience_agnostic.h"

#include <utility>

namespace kauth {
namespace {

std::string QuotedList(const Audiences& audiences) {
  // Go's %q of a []string: ["a" "b"]. Audiences are plain strings in practice; quotes and
  // backslashes are escaped as %q would.
  std::string out = "[";
  for (std::size_t i = 0; i < audiences.size(); ++i) {
    if (i > 0) out += ' ';
    out += '"';
    for (const char c : audiences[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += ']';
  return out;
}

// R1.5 after the delegate answered: an authenticated response gets the granted audiences.
AuthResult GrantAudiences(AuthResult result, Audiences granted) {
  if (!result.authenticated()) return result;
  if (!result.response().audiences.empty()) {
    return AuthResult::Rejected(AuthError(
        AuthErrorKind::kInternal,
        "audience agnostic authenticator wrapped an authenticator that returned audiences: " +
            QuotedList(result.response().audiences)));
  }
  result.response().audiences = std::move(granted);
  return result;
}

// R1.5, shared by both wrappers; `call` runs the delegate. The inline form below is the same
// steps with a plain call.
template <typename Call>
Awaitable<AuthResult> AuthenticateAgnostic(const Audiences& implicit, AuthContext& ctx, Call call) {
  if (!ctx.audiences()) co_return co_await call();
  Audiences granted = IntersectAudiences(implicit, *ctx.audiences());
  if (granted.empty()) co_return AuthResult::NotApplicable();
  AuthResult result = co_await call();
  co_return GrantAudiences(std::move(result), std::move(granted));
}

template <typename Call>
AuthResult AuthenticateAgnosticInline(const Audiences& implicit, AuthContext& ctx, Call call) {
  if (!ctx.audiences()) return call();
  Audiences granted = IntersectAudiences(implicit, *ctx.audiences());
  if (granted.empty()) return AuthResult::NotApplicable();
  return GrantAudiences(call(), std::move(granted));
}

class AudienceAgnosticTokenAuthenticator final : public TokenAuthenticator {
 public:
  AudienceAgnosticTokenAuthenticator(std::unique_ptr<TokenAuthenticator> delegate,
                                     Audiences implicit)
      : delegate_(std::move(delegate)), implicit_(std::move(implicit)) {}

  bool CompletesInline() const override { return delegate_->CompletesInline(); }

  Awaitable<AuthResult> AuthenticateToken(std::string_view token, AuthContext& ctx) const override {
    return AuthenticateAgnostic(implicit_, ctx, [this, token, ctx_ptr = &ctx] {
      return delegate_->AuthenticateToken(token, *ctx_ptr);
    });
  }

  AuthResult AuthenticateTokenInline(std::string_view token, AuthContext& ctx) const override {
    return AuthenticateAgnosticInline(implicit_, ctx, [this, token, &ctx] {
      return delegate_->AuthenticateTokenInline(token, ctx);
    });
  }

 private:
  std::unique_ptr<TokenAuthenticator> delegate_;
  Audiences implicit_;
};

class AudienceAgnosticAuthenticator final : public RequestAuthenticator {
 public:
  AudienceAgnosticAuthenticator(std::unique_ptr<RequestAuthenticator> delegate, Audiences implicit)
      : delegate_(std::move(delegate)), implicit_(std::move(implicit)) {}

  bool CompletesInline() const override { return delegate_->CompletesInline(); }

  Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const override {
    return AuthenticateAgnostic(implicit_, ctx, [this, request_ptr = &request, ctx_ptr = &ctx] {
      return delegate_->Authenticate(*request_ptr, *ctx_ptr);
    });
  }

  AuthResult AuthenticateInline(Request& request, AuthContext& ctx) const override {
    return AuthenticateAgnosticInline(implicit_, ctx, [this, &request, &ctx] {
      return delegate_->AuthenticateInline(request, ctx);
    });
  }

 private:
  std::unique_ptr<RequestAuthenticator> delegate_;
  Audiences implicit_;
};

}  // namespace

std::unique_ptr<TokenAuthenticator> NewAudienceAgnosticTokenAuthenticator(
    std::unique_ptr<TokenAuthenticator> delegate, Audiences implicit_audiences) {
  return std::make_unique<AudienceAgnosticTokenAuthenticator>(std::move(delegate),
                                                              std::move(implicit_audiences));
}

std::unique_ptr<RequestAuthenticator> NewAudienceAgnosticAuthenticator(
    std::unique_ptr<RequestAuthenticator> delegate, Audiences implicit_audiences) {
  return std::make_unique<AudienceAgnosticAuthenticator>(std::move(delegate),
                                                         std::move(implicit_audiences));
}

}  // namespace kauth
