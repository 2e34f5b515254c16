// TokenCache: the token authenticator cache of R8, in front of the union of token authenticators.
//
// Results are stored under a keyed hash (HMAC-SHA-256 with a per-process random key) of the token
// and the context audiences, so no plaintext token stays in memory beyond the lookup. Concurrent
// identical lookups share one call to the inner authenticator (single flight). The shared call
// runs detached from its callers on the first caller's executor, with its own timeout and fresh
// warning and audit recorders; a caller that is cancelled gets Rejected(kCanceled,
// "context canceled") at once and the shared call goes on for the others and for the cache.
//
// Beyond Kubernetes (R8.3 has no bound): the number of stored entries is bounded; the least
// recently used entry is evicted first.
//
// Thread-safe: one instance serves every thread.
#ifndef KAUTH_TOKEN_CACHE_H_
#define KAUTH_TOKEN_CACHE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "kauth/authenticator.h"

namespace kauth {

struct TokenCacheOptions {
  using Clock = std::chrono::steady_clock;

  // Kubernetes' main cache (R8.1): success 10 s, failure 0 s. A TTL of 0 stores nothing.
  Clock::duration success_ttl = std::chrono::seconds(10);
  Clock::duration failure_ttl = std::chrono::seconds(0);
  // Whether Rejected results may be stored (for the failure TTL). The main cache may; the
  // webhook's may not (R8.1).
  bool cache_errors = true;
  // Bound on stored entries (beyond Kubernetes, R8.3).
  std::size_t max_entries = 65536;
  // The shared call's own deadline (R8.4: a detached context with a 30 s timeout).
  Clock::duration lookup_timeout = std::chrono::seconds(30);
  // The clock; steady_clock::now when empty.
  std::function<Clock::time_point()> now;
  // Called after every lookup with "hit" or "miss" and its duration in seconds, measured on
  // `now`'s clock (R8.5's authentication_token_cache_request_duration_seconds). Optional.
  std::function<void(std::string_view status, double seconds)> observe_request_duration;
};

// A snapshot of the R8.5 counters and gauges.
struct TokenCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t fetches_ok = 0;     // shared calls that completed without an error
  std::uint64_t fetches_error = 0;  // shared calls that ended in a rejection, timeout or throw
  std::int64_t in_flight = 0;       // shared calls running now
  std::int64_t blocked = 0;         // callers waiting on a shared call now
};

class TokenCache final : public TokenAuthenticator {
 public:
  TokenCache(std::shared_ptr<const TokenAuthenticator> inner, TokenCacheOptions options);
  ~TokenCache() override;
  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  // Hit: the stored outcome. Miss: joins or starts the shared call. Either way, an Authenticated
  // outcome has the lookup's warnings and audit annotations replayed onto `ctx` (R8.4 step 5);
  // NotApplicable and Rejected outcomes are returned as stored, without them.
  // An exception thrown by the inner authenticator becomes Rejected(kInternal,
  // "Internal error occurred: authentication failed unexpectedly") (R8.4 step 4).
  Awaitable<AuthResult> AuthenticateToken(std::string_view token, AuthContext& ctx) const override;
  // In front of an inner authenticator that completes inline, so does the cache: a miss runs the
  // inner lookup on the caller's thread (no shared call, nothing to wait for).
  bool CompletesInline() const override;
  AuthResult AuthenticateTokenInline(std::string_view token, AuthContext& ctx) const override;

  TokenCacheStats stats() const;
  // Entries stored now, expired ones included until they are evicted or looked up.
  std::size_t size() const;
  // Drops every stored entry (a credential reload must not let old results live on).
  void Clear();

 private:
  // The lookup itself; sets *hit_out (when non-null) on a cache hit.
  Awaitable<AuthResult> Lookup(std::string_view token, AuthContext& ctx, bool* hit_out) const;
  // Lookup, reporting its duration to options.observe_request_duration.
  Awaitable<AuthResult> TimedLookup(std::string_view token, AuthContext& ctx) const;
  // The same two for an inner authenticator that completes inline; `now` is the caller's
  // clock reading (a timed lookup's start), which decides expiry.
  AuthResult LookupInline(std::string_view token, AuthContext& ctx, bool* hit_out,
                          TokenCacheOptions::Clock::time_point now) const;
  AuthResult TimedLookupInline(std::string_view token, AuthContext& ctx) const;

  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with detached lookups that may outlive a call
};

}  // namespace kauth

#endif  // KAUTH_TOKEN_CACHE_H_
