// The two authenticator interfaces of Kubernetes (R1.1): one that sees the whole request and one
// that sees only an opaque token.
//
// Both are coroutines on Boost.Asio (`awaitable`). An in-memory authenticator (token file, x509,
// union) never suspends: `co_await` on it runs to completion inline, on the caller's thread, with
// no scheduler round trip. A remote one (webhook, OIDC key fetch) suspends on its network I/O and
// frees the thread for other requests. Cancellation follows Asio's per-operation cancellation:
// a caller that binds a cancellation slot to the coroutine it spawned can abandon a pending
// lookup (see TokenCache for what that does to a shared lookup).
//
// Implementations are immutable after construction and safe to call from many threads at once.
// Arguments are borrowed: `request`, `token` and `ctx` must stay valid until the returned
// awaitable completes, which holds whenever the caller `co_await`s it directly.
#ifndef KAUTH_AUTHENTICATOR_H_
#define KAUTH_AUTHENTICATOR_H_

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "kauth/auth_context.h"
#include "kauth/auth_result.h"
#include "kauth/request.h"

namespace kauth {

template <typename T>
using Awaitable = boost::asio::awaitable<T>;

class RequestAuthenticator {
 public:
  virtual ~RequestAuthenticator() = default;

  // Authenticated: the request carried a valid credential of this kind. The authenticator may
  // have edited the request (e.g. removed the credential header).
  // NotApplicable: no credential of this kind was presented.
  // Rejected: a credential was presented and failed, or a backend could not decide.
  virtual Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const = 0;

  // True when Authenticate never suspends: an in-memory check, or a composite of such. Callers
  // may then use AuthenticateInline, which gives the same answer with plain calls: a chain is a
  // dozen layers deep, and a coroutine frame per layer costs more than most layers' work.
  // Remote authenticators keep the default.
  virtual bool CompletesInline() const { return false; }
  // Only for an authenticator whose CompletesInline() is true.
  virtual AuthResult AuthenticateInline(Request& request, AuthContext& ctx) const;
};

// Base for an authenticator that never suspends: it implements AuthenticateInline only.
class InlineRequestAuthenticator : public RequestAuthenticator {
 public:
  Awaitable<AuthResult> Authenticate(Request& request, AuthContext& ctx) const final;
  bool CompletesInline() const final { return true; }
  AuthResult AuthenticateInline(Request& request, AuthContext& ctx) const override = 0;
};

class TokenAuthenticator {
 public:
  virtual ~TokenAuthenticator() = default;

  // Same outcomes as RequestAuthenticator::Authenticate, for an opaque bearer token.
  virtual Awaitable<AuthResult> AuthenticateToken(std::string_view token,
                                                  AuthContext& ctx) const = 0;

  // True when AuthenticateToken always completes without suspending (an in-memory lookup), as
  // for RequestAuthenticator. The token cache also runs such a miss inline instead of as a
  // detached shared call: a lookup that cannot wait gains nothing from single flight or a
  // timeout, and the detached call costs microseconds. Remote authenticators keep the default.
  virtual bool CompletesInline() const { return false; }
  // Only for an authenticator whose CompletesInline() is true.
  virtual AuthResult AuthenticateTokenInline(std::string_view token, AuthContext& ctx) const;
};

// Base for a token authenticator that never suspends: it implements AuthenticateTokenInline only.
class InlineTokenAuthenticator : public TokenAuthenticator {
 public:
  Awaitable<AuthResult> AuthenticateToken(std::string_view token, AuthContext& ctx) const final;
  bool CompletesInline() const final { return true; }
  AuthResult AuthenticateTokenInline(std::string_view token, AuthContext& ctx) const override = 0;
};

}  // namespace kauth

#endif  // KAUTH_AUTHENTICATOR_H_
