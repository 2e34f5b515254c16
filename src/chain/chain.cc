#include "kauth/chain.h"

#include <openssl/rand.h>

#include <cassert>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <utility>

#include "crypto/digest.h"
#include "kauth/audience_agnostic.h"
#include "kauth/bearer.h"
#include "kauth/group_adder.h"
#include "kauth/union.h"
#include "kauth/websocket.h"

namespace kauth {
namespace {

std::string RandomUuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof(b)) != 1) std::abort();
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

// The one loopback token, compared in constant time. Kubernetes builds it from a one-entry token
// table; a table lookup would hash every request's token first, and this authenticator sees the
// bearer token of every request. Only the length (fixed and public) shortcuts the compare.
class LoopbackTokenAuthenticator final : public InlineTokenAuthenticator {
 public:
  LoopbackTokenAuthenticator(std::string token, UserInfo user)
      : token_(std::move(token)), user_(std::move(user)) {}

  AuthResult AuthenticateTokenInline(std::string_view token, AuthContext& /*ctx*/) const override {
    if (token.size() != token_.size() || !ConstantTimeEquals(AsBytes(token), AsBytes(token_))) {
      return AuthResult::NotApplicable();
    }
    return AuthResult::Authenticated({user_, {}});
  }

 private:
  static std::span<const std::uint8_t> AsBytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
  }

  std::string token_;
  UserInfo user_;
};

// R6.4 step 4: the loopback token as its own bearer authenticator, audience-agnostic.
std::unique_ptr<RequestAuthenticator> NewLoopbackAuthenticator(std::string token,
                                                               const Audiences& api_audiences) {
  UserInfo user{.name = std::string(kUserAPIServer),
                .uid = RandomUuid(),
                .groups = {std::string(kGroupAuthenticated), std::string(kGroupMasters)}};
  std::shared_ptr<const TokenAuthenticator> tokens = NewAudienceAgnosticTokenAuthenticator(
      std::make_unique<LoopbackTokenAuthenticator>(std::move(token), std::move(user)),
      api_audiences);
  return NewBearerAuthenticator(std::move(tokens));
}

}  // namespace

Chain BuildChain(ChainConfig config) {
  Chain chain;
  std::vector<std::unique_ptr<RequestAuthenticator>> request_authenticators =
      std::move(config.front);

  if (config.client_ca) {
    request_authenticators.push_back(
        NewX509Authenticator({.client_ca = config.client_ca,
                              .observe_expiration = config.observe_client_certificate_expiration}));
  }

  std::vector<std::unique_ptr<TokenAuthenticator>> token_authenticators;
  assert(!(config.token_file && config.reloadable_token_file));
  if (config.token_file) {
    token_authenticators.push_back(NewAudienceAgnosticTokenAuthenticator(
        NewTokenFileAuthenticator(config.token_file), config.api_audiences));
  }
  if (config.reloadable_token_file) {
    token_authenticators.push_back(NewAudienceAgnosticTokenAuthenticator(
        NewTokenFileAuthenticator(
            std::shared_ptr<const TokenFileProvider>(config.reloadable_token_file)),
        config.api_audiences));
  }
  for (auto& token_authenticator : config.tokens) {
    token_authenticators.push_back(std::move(token_authenticator));
  }

  if (!token_authenticators.empty()) {
    std::shared_ptr<const TokenAuthenticator> tokens =
        NewUnionTokenAuthenticator(std::move(token_authenticators));
    const auto zero = TokenCacheOptions::Clock::duration::zero();
    if (config.token_cache.success_ttl > zero || config.token_cache.failure_ttl > zero) {
      chain.token_cache = std::make_shared<TokenCache>(std::move(tokens), config.token_cache);
      tokens = chain.token_cache;
      if (config.reloadable_token_file) {
        // Weak: the cache owns (through its authenticators) the token file, which owns this.
        config.reloadable_token_file->AddListener(
            [cache = std::weak_ptr<TokenCache>(chain.token_cache)](const TokenFileReload& reload) {
              if (reload.outcome != TokenFileReload::Outcome::kSwapped) return;
              // After the swap: a lookup that began before it is not stored (Clear's
              // generation), and one that begins after it sees the new table.
              if (const auto locked = cache.lock()) locked->Clear();
            });
      }
    }
    request_authenticators.push_back(NewBearerAuthenticator(tokens));
    request_authenticators.push_back(NewWebSocketProtocolAuthenticator(tokens));
  }

  std::unique_ptr<RequestAuthenticator> authenticator;
  if (request_authenticators.empty()) {
    // R6.4 step 1: anonymous alone, without the group adder; or nothing at all (R7.1).
    if (config.anonymous) {
      authenticator = NewAnonymousAuthenticator(std::move(config.anonymous_options));
    }
  } else {
    authenticator =
        NewAuthenticatedGroupAdder(NewUnionAuthenticator(std::move(request_authenticators)));
    if (config.anonymous) {
      // R6.4 step 3: a bad credential is a 401, never anonymous.
      std::vector<std::unique_ptr<RequestAuthenticator>> members;
      members.push_back(std::move(authenticator));
      members.push_back(NewAnonymousAuthenticator(std::move(config.anonymous_options)));
      authenticator = NewFailOnErrorUnionAuthenticator(std::move(members));
    }
  }

  if (authenticator && config.loopback_token) {
    std::vector<std::unique_ptr<RequestAuthenticator>> members;
    members.push_back(
        NewLoopbackAuthenticator(std::move(*config.loopback_token), config.api_audiences));
    members.push_back(std::move(authenticator));
    authenticator = NewUnionAuthenticator(std::move(members));
  }

  chain.authenticator = std::move(authenticator);
  return chain;
}

}  // namespace kauth
