// Runs an authenticator coroutine to completion on a private io_context, for tests of
// authenticators that never suspend (and for those that do, while their io_context runs).
#ifndef KAUTH_TESTING_RUN_SYNC_H_
#define KAUTH_TESTING_RUN_SYNC_H_

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <utility>

#include "kauth/authenticator.h"

namespace kauth::testing {

template <typename T>
T RunSync(Awaitable<T> awaitable) {
  boost::asio::io_context io;
  std::optional<T> result;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(awaitable), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

inline AuthResult Authenticate(const RequestAuthenticator& authenticator, Request& request,
                               AuthContext& ctx) {
  return RunSync(authenticator.Authenticate(request, ctx));
}

inline AuthResult Authenticate(const RequestAuthenticator& authenticator, Request& request) {
  AuthContext ctx;
  return Authenticate(authenticator, request, ctx);
}

inline AuthResult AuthenticateToken(const TokenAuthenticator& authenticator, std::string_view token,
                                    AuthContext& ctx) {
  return RunSync(authenticator.AuthenticateToken(token, ctx));
}

inline AuthResult AuthenticateToken(const TokenAuthenticator& authenticator,
                                    std::string_view token) {
  AuthContext ctx;
  return AuthenticateToken(authenticator, token, ctx);
}

}  // namespace kauth::testing

#endif  // KAUTH_TESTING_RUN_SYNC_H_
