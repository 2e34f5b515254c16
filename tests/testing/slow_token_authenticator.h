// SlowTokenAuthenticator: a token authenticator that suspends like a remote one (webhook, OIDC)
// until the test releases it or a delay passes, for tests of callers that must not block a
// thread while a lookup is pending.
//
// Each lookup suspends its coroutine (no thread is held) on its own executor. Release() may be
// called from any thread. A lookup whose coroutine gets a terminal cancellation while suspended
// ends with Rejected(kCanceled, "context canceled") and is counted in cancelled(), unless the
// authenticator was told to ignore cancellation, as a misbehaving backend client would.
#ifndef KAUTH_TESTING_SLOW_TOKEN_AUTHENTICATOR_H_
#define KAUTH_TESTING_SLOW_TOKEN_AUTHENTICATOR_H_

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kauth/authenticator.h"

namespace kauth::testing {

class SlowTokenAuthenticator final : public TokenAuthenticator {
 public:
  // Released lookups answer answers[token], or NotApplicable for an unknown token.
  explicit SlowTokenAuthenticator(std::map<std::string, AuthResult> answers);
  ~SlowTokenAuthenticator() override;

  Awaitable<AuthResult> AuthenticateToken(std::string_view token, AuthContext& ctx) const override;

  // Completes every lookup suspended now. Later lookups wait for the next Release.
  void Release();
  // From now on lookups complete by themselves after `delay` instead of waiting for Release.
  void set_delay(std::chrono::steady_clock::duration delay);
  // Released lookups throw std::runtime_error instead of answering.
  void set_throw(bool value);
  // Suspended lookups ignore cancellation and wait for their release or delay.
  void set_ignore_cancellation(bool value);
  // Released lookups add these to the context they were given before answering.
  void set_side_effects(std::vector<std::string> warnings,
                        std::vector<AuditAnnotation> audit_annotations);

  int calls() const { return calls_.load(); }          // lookups started
  int pending() const;                                 // lookups suspended now on Release
  int cancelled() const { return cancelled_.load(); }  // lookups ended by cancellation
  int completed() const { return completed_.load(); }  // lookups that answered or threw
  // The context audiences of every lookup, in call order.
  std::vector<std::optional<Audiences>> audiences_seen() const;

 private:
  struct Gate;

  std::map<std::string, AuthResult, std::less<>> answers_;
  mutable std::mutex mu_;
  // Lookups waiting for Release. Each gate belongs to its lookup's coroutine, so that it goes
  // away with that coroutine's io_context.
  mutable std::vector<std::weak_ptr<Gate>> gates_;
  mutable std::vector<std::optional<Audiences>> audiences_seen_;
  std::optional<std::chrono::steady_clock::duration> delay_;
  bool throw_ = false;
  bool ignore_cancellation_ = false;
  std::vector<std::string> warnings_;
  std::vector<AuditAnnotation> audit_annotations_;
  mutable std::atomic<int> calls_{0};
  mutable std::atomic<int> cancelled_{0};
  mutable std::atomic<int> completed_{0};
};

}  // namespace kauth::testing

#endif  // KAUTH_TESTING_SLOW_TOKEN_AUTHENTICATOR_H_
