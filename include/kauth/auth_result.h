// AuthResult: the three outcomes of an authenticator (R0.2) as one type.
//
//   Authenticated(response)  Kubernetes' (resp, true, nil)
//   NotApplicable()          (nil, false, nil): no credential of this kind was presented
//   Rejected(error)          (nil, false, err) -- and (resp, true, err), which every combinator
//                            treats as a failure, so it is not representable here.
//
// Reading the response of a result that is not Authenticated, or the error of one that is not
// Rejected, is a programming error and asserts.
#ifndef KAUTH_AUTH_RESULT_H_
#define KAUTH_AUTH_RESULT_H_

#include <utility>
#include <variant>

#include "kauth/audiences.h"
#include "kauth/auth_error.h"
#include "kauth/user.h"

namespace kauth {

struct Response {
  UserInfo user;
  // Empty means the authenticator is not audience-aware (R1.1).
  Audiences audiences;

  friend bool operator==(const Response&, const Response&) = default;
};

class [[nodiscard]] AuthResult {
 public:
  // NotApplicable, like Go's zero value (nil, false, nil). Exists for Asio's co_spawn, which
  // default-constructs a result when a coroutine throws.
  AuthResult() = default;

  static AuthResult Authenticated(Response response) {
    return AuthResult(Storage(std::in_place_index<1>, std::move(response)));
  }
  static AuthResult NotApplicable() { return AuthResult(Storage(std::in_place_index<0>)); }
  static AuthResult Rejected(AuthError error) {
    return AuthResult(Storage(std::in_place_index<2>, std::move(error)));
  }

  bool authenticated() const { return storage_.index() == 1; }
  bool not_applicable() const { return storage_.index() == 0; }
  bool rejected() const { return storage_.index() == 2; }

  // Requires authenticated().
  const Response& response() const& { return *std::get_if<1>(&Checked(1)); }
  Response& response() & { return *std::get_if<1>(&CheckedMutable(1)); }
  Response&& response() && { return std::move(*std::get_if<1>(&CheckedMutable(1))); }
  // Requires rejected().
  const AuthError& error() const& { return *std::get_if<2>(&Checked(2)); }
  AuthError&& error() && { return std::move(*std::get_if<2>(&CheckedMutable(2))); }

  friend bool operator==(const AuthResult&, const AuthResult&) = default;

 private:
  using Storage = std::variant<std::monostate, Response, AuthError>;

  explicit AuthResult(Storage storage) : storage_(std::move(storage)) {}
  const Storage& Checked(std::size_t index) const;
  Storage& CheckedMutable(std::size_t index);

  Storage storage_;
};

}  // namespace kauth

#endif  // KAUTH_AUTH_RESULT_H_
