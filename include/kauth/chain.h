// BuildChain: assembles kube-apiserver's authenticator from one configuration (R6.4), in
// Kubernetes' order: request-header, x509, then bearer and WebSocket over the cached union of
// token authenticators, the authenticated-group adder, anonymous, and the loopback wrapper.
#ifndef KAUTH_CHAIN_H_
#define KAUTH_CHAIN_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kauth/anonymous.h"
#include "kauth/audiences.h"
#include "kauth/authenticator.h"
#include "kauth/reloadable_token_file.h"
#include "kauth/token_cache.h"
#include "kauth/token_file.h"
#include "kauth/x509.h"

namespace kauth {

struct ChainConfig {
  // A1: authenticators placed first (the request-header authenticator, R9), already wrapped.
  std::vector<std::unique_ptr<RequestAuthenticator>> front;
  // A2: --client-ca-file. Absent: no x509 authenticator.
  std::shared_ptr<const CaBundleProvider> client_ca;
  std::function<void(double)> observe_client_certificate_expiration;
  // T1: --token-auth-file. Absent: no token file. Set at most one of the two: a fixed table, or
  // one that is reloaded; then BuildChain also makes every swap drop the token cache's results
  // (a revoked token must not live on for the success TTL).
  std::shared_ptr<const TokenFile> token_file;
  std::shared_ptr<ReloadableTokenFile> reloadable_token_file;
  // T2..T6 in Kubernetes' order, each already wrapped as R6.4 says.
  std::vector<std::unique_ptr<TokenAuthenticator>> tokens;
  // --api-audiences: the implicit audiences of audience-agnostic members.
  Audiences api_audiences;
  // --anonymous-auth (default true) and the anonymous conditions.
  bool anonymous = true;
  AnonymousOptions anonymous_options;
  // The main token cache (R8.1); used when either TTL is > 0.
  TokenCacheOptions token_cache;
  // R6.4 step 4: the server's privileged loopback token. Absent: no loopback wrapper.
  std::optional<std::string> loopback_token;
};

struct Chain {
  // nullptr when no authenticator is configured and anonymous is off: authentication is
  // disabled (R7.1).
  std::shared_ptr<const RequestAuthenticator> authenticator;
  // The main token cache, or nullptr when there is none (no token authenticators, or both TTLs
  // are 0). Exposed for metrics and for dropping results after a credential reload.
  std::shared_ptr<TokenCache> token_cache;
};

Chain BuildChain(ChainConfig config);

}  // namespace kauth

#endif  // KAUTH_CHAIN_H_
