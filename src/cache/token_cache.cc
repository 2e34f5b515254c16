#include "kauth/token_cache.h"

#include <openssl/crypto.h>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <cassert>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cache/expiring_lru.h"
#include "cache/waiter.h"
#include "crypto/digest.h"

namespace kauth {
namespace {

namespace asio = boost::asio;
using Clock = TokenCacheOptions::Clock;

constexpr std::size_t kMaxStripes = 32;
// A small bound gets fewer stripes, so that eviction stays close to a global LRU order.
constexpr std::size_t kMinEntriesPerStripe = 64;

constexpr std::string_view kContextCanceled = "context canceled";
constexpr std::string_view kDeadlineExceeded = "context deadline exceeded";
constexpr std::string_view kAuthnCrashed =
    "Internal error occurred: authentication failed unexpectedly";

AuthResult Failure(AuthErrorKind kind, std::string_view message) {
  return AuthResult::Rejected(AuthError(kind, std::string(message)));
}

// What one shared call produced: stored in the cache and handed to every caller that joined it.
struct Outcome {
  AuthResult result;
  std::vector<std::string> warnings;
  std::vector<AuditAnnotation> audit_annotations;
};
using OutcomePtr = std::shared_ptr<const Outcome>;
using OutcomeWaiter = Waiter<OutcomePtr>;

// One shared call to the inner authenticator, and the callers waiting on it.
struct Flight {
  explicit Flight(std::uint64_t started_generation) : generation(started_generation) {}
  // The cache generation when the call started; its result is stored only if no Clear came since.
  const std::uint64_t generation;
  std::vector<std::shared_ptr<OutcomeWaiter>> waiters;  // guarded by the stripe's mutex
};

// Stored entries and running calls share one mutex, so that "not stored, so join or start a call"
// and "store the result, then retire the call" are each atomic: a caller either finds the stored
// result or joins the call that will produce it. That is the re-check of R8.4 step 2.
struct alignas(64) Stripe {
  explicit Stripe(std::size_t capacity) : entries(capacity) {}
  std::mutex mu;
  ExpiringLru<OutcomePtr> entries;
  std::unordered_map<Sha256Digest, std::shared_ptr<Flight>, DigestHash> flights;
  // Counted under the lock already held, so that a hit updates no counter shared by all threads.
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
};

// R8.4 step 5: only an authenticated result brings its warnings and annotations to the request.
// A stored result's copy for one caller. Its group list gets room for one more: the chain's
// group adder appends system:authenticated to nearly every user, and a copied vector has no
// spare capacity, so the append would move it at once.
AuthResult CopyForCaller(const AuthResult& stored) {
  if (!stored.authenticated()) return stored;
  const Response& response = stored.response();
  std::vector<std::string> groups;
  groups.reserve(response.user.groups.size() + 1);
  groups.assign(response.user.groups.begin(), response.user.groups.end());
  return AuthResult::Authenticated({.user = {.name = response.user.name,
                                             .uid = response.user.uid,
                                             .groups = std::move(groups),
                                             .extra = response.user.extra},
                                    .audiences = response.audiences});
}

AuthResult Replay(const Outcome& outcome, AuthContext& ctx) {
  if (outcome.result.authenticated()) {
    for (const std::string& warning : outcome.warnings) ctx.AddWarning(warning);
    for (const AuditAnnotation& annotation : outcome.audit_annotations) {
      ctx.AddAuditAnnotation(annotation.key, annotation.value);
    }
  }
  return CopyForCaller(outcome.result);
}

// Replay of an outcome nobody else will see: its result is moved out, not copied.
AuthResult Replay(Outcome&& outcome, AuthContext& ctx) {
  if (outcome.result.authenticated()) {
    for (const std::string& warning : outcome.warnings) ctx.AddWarning(warning);
    for (const AuditAnnotation& annotation : outcome.audit_annotations) {
      ctx.AddAuditAnnotation(annotation.key, annotation.value);
    }
  }
  return std::move(outcome.result);
}

// Counts a caller in a gauge for as long as its coroutine frame lives, even if the frame is
// destroyed without resuming (its io_context torn down).
class GaugeHold {
 public:
  explicit GaugeHold(std::atomic<std::int64_t>& gauge) : gauge_(gauge) {
    gauge_.fetch_add(1, std::memory_order_relaxed);
  }
  ~GaugeHold() { gauge_.fetch_sub(1, std::memory_order_relaxed); }
  GaugeHold(const GaugeHold&) = delete;
  GaugeHold& operator=(const GaugeHold&) = delete;

 private:
  std::atomic<std::int64_t>& gauge_;
};

Clock::time_point SaturatingAdd(Clock::time_point now, Clock::duration ttl) {
  if (ttl >= Clock::time_point::max() - now) return Clock::time_point::max();
  return now + ttl;
}

std::size_t StripeCount(std::size_t max_entries) {
  std::size_t count = kMaxStripes;
  while (count > 1 && max_entries / count < kMinEntriesPerStripe) count /= 2;
  return count;
}

class CacheState {
 public:
  CacheState(std::shared_ptr<const TokenAuthenticator> inner, TokenCacheOptions options)
      : inner_(std::move(inner)), options_(std::move(options)), hmac_(HmacSha256::WithRandomKey()) {
    assert(inner_ != nullptr);
    const std::size_t count = StripeCount(options_.max_entries);
    stripes_.reserve(count);
    // The bound is split across stripes and adds up to max_entries exactly.
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t capacity =
          options_.max_entries / count + (i < options_.max_entries % count ? 1 : 0);
      stripes_.push_back(std::make_unique<Stripe>(capacity));
    }
  }

  const TokenAuthenticator& inner() const { return *inner_; }
  const TokenCacheOptions& options() const { return options_; }

  // R8.2. Lengths are written as 4 bytes; a token or audience of 4 GiB cannot reach here through
  // a request header.
  Sha256Digest Key(std::string_view token, const std::optional<Audiences>& audiences) const {
    HmacSha256::Message message = hmac_.Begin();
    message.UpdateUint32(static_cast<std::uint32_t>(token.size()));
    message.Update(token);
    const std::size_t count = audiences ? audiences->size() : 0;
    message.UpdateUint32(static_cast<std::uint32_t>(count));
    if (audiences) {
      for (const std::string& audience : *audiences) {
        message.UpdateUint32(static_cast<std::uint32_t>(audience.size()));
        message.Update(audience);
      }
    }
    return message.Final();
  }

  Stripe& StripeFor(const Sha256Digest& key) {
    // The key is an HMAC output, so its first byte is already uniformly spread.
    return *stripes_[key[0] & (stripes_.size() - 1)];
  }

  Clock::time_point Now() const { return options_.now ? options_.now() : Clock::now(); }

  // R8.5's request duration, in whole milliseconds as Kubernetes records it.
  void ObserveDuration(bool hit, Clock::time_point start) const {
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(Now() - start).count();
    options_.observe_request_duration(hit ? "hit" : "miss", static_cast<double>(millis) / 1000.0);
  }

  // R8.4 step 2.
  Clock::duration TtlFor(const AuthResult& result) const {
    if (result.authenticated()) return options_.success_ttl;
    if (result.rejected() && !options_.cache_errors) return Clock::duration::zero();
    return options_.failure_ttl;
  }

  // Ends `flight`: stores its outcome when allowed and wakes every caller that joined it.
  void Complete(const Sha256Digest& key, const std::shared_ptr<Flight>& flight, OutcomePtr outcome,
                bool storable) {
    std::vector<std::shared_ptr<OutcomeWaiter>> waiters;
    Store(key, flight->generation, outcome, storable, [&](Stripe& stripe) {
      // After a Clear the map may already hold a newer call under the same key.
      if (const auto it = stripe.flights.find(key);
          it != stripe.flights.end() && it->second == flight) {
        stripe.flights.erase(it);
      }
      waiters.swap(flight->waiters);
    });
    in_flight.fetch_sub(1, std::memory_order_relaxed);
    for (const auto& waiter : waiters) waiter->Complete(outcome);
  }

  // Counts a finished lookup.
  void CountFetch(const AuthResult& result) {
    (result.rejected() ? fetches_error : fetches_ok).fetch_add(1, std::memory_order_relaxed);
  }

  // Counts a finished lookup and stores its outcome for its TTL, unless a Clear came since
  // `started_generation`. `under_lock` runs with the stripe locked.
  template <typename UnderLock>
  void Store(const Sha256Digest& key, std::uint64_t started_generation, const OutcomePtr& outcome,
             bool storable, UnderLock under_lock) {
    CountFetch(outcome->result);
    const Clock::duration ttl = storable ? TtlFor(outcome->result) : Clock::duration::zero();
    const Clock::time_point expiry =
        ttl > Clock::duration::zero() ? SaturatingAdd(Now(), ttl) : Clock::time_point();
    Stripe& stripe = StripeFor(key);
    std::lock_guard lock(stripe.mu);
    // Checked under the stripe lock, which Clear takes after bumping the generation: either
    // this store happens before Clear empties the stripe, or it sees the new generation.
    if (ttl > Clock::duration::zero() && started_generation == generation.load()) {
      stripe.entries.Insert(key, outcome, expiry);
    }
    under_lock(stripe);
  }

  std::size_t size() {
    std::size_t total = 0;
    for (const auto& stripe : stripes_) {
      std::lock_guard lock(stripe->mu);
      total += stripe->entries.size();
    }
    return total;
  }

  TokenCacheStats stats() {
    TokenCacheStats stats{
        .fetches_ok = fetches_ok.load(std::memory_order_relaxed),
        .fetches_error = fetches_error.load(std::memory_order_relaxed),
        .in_flight = in_flight.load(std::memory_order_relaxed),
        .blocked = blocked.load(std::memory_order_relaxed),
    };
    for (const auto& stripe : stripes_) {
      std::lock_guard lock(stripe->mu);
      stats.hits += stripe->hits;
      stats.misses += stripe->misses;
    }
    return stats;
  }

  void Clear() {
    generation.fetch_add(1);
    for (const auto& stripe : stripes_) {
      std::lock_guard lock(stripe->mu);
      stripe->entries.Clear();
      // Calls already running still answer their callers, but later callers start afresh.
      stripe->flights.clear();
    }
  }

  std::atomic<std::uint64_t> generation{0};
  std::atomic<std::uint64_t> fetches_ok{0};
  std::atomic<std::uint64_t> fetches_error{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> blocked{0};

 private:
  const std::shared_ptr<const TokenAuthenticator> inner_;
  const TokenCacheOptions options_;
  const HmacSha256 hmac_;
  std::vector<std::unique_ptr<Stripe>> stripes_;
};

// The detached part of a miss (R8.4 step 2): runs the inner authenticator on a strand of the
// first caller's executor, races it against the lookup timeout, and completes the flight exactly
// once. The timeout does not wait for the inner authenticator to honour its cancellation; a late
// answer is dropped. All handlers run on the strand, so the flags need no lock.
class SharedCall {
 public:
  static void Start(std::shared_ptr<CacheState> state, const Sha256Digest& key,
                    std::shared_ptr<Flight> flight, std::string_view token,
                    std::optional<Audiences> audiences, const asio::any_io_executor& executor) {
    auto call = std::make_shared<SharedCall>(std::move(state), key, std::move(flight), token,
                                             std::move(audiences), asio::make_strand(executor));
    // Both operations are started here, before anything can run on the strand.
    call->timer_.expires_after(call->state_->options().lookup_timeout);
    call->timer_.async_wait([call](const boost::system::error_code& ec) {
      if (!ec) call->OnTimeout();
    });
    asio::co_spawn(call->strand_, Run(call),
                   asio::bind_cancellation_slot(
                       call->cancel_.slot(), [call](std::exception_ptr error, AuthResult result) {
                         call->OnInnerDone(error, std::move(result));
                       }));
  }

  SharedCall(std::shared_ptr<CacheState> state, const Sha256Digest& key,
             std::shared_ptr<Flight> flight, std::string_view token,
             std::optional<Audiences> audiences, asio::strand<asio::any_io_executor> strand)
      : state_(std::move(state)),
        key_(key),
        flight_(std::move(flight)),
        token_(token),
        ctx_(std::move(audiences)),
        strand_(std::move(strand)),
        timer_(strand_) {}

  // Also reached without either handler having run, when the io_context is destroyed with the
  // call pending; the callers that joined must not wait forever.
  ~SharedCall() {
    if (!finished_) {
      state_->Complete(key_, flight_,
                       std::make_shared<const Outcome>(
                           Outcome{Failure(AuthErrorKind::kCanceled, kContextCanceled), {}, {}}),
                       /*storable=*/false);
    }
    OPENSSL_cleanse(token_.data(), token_.size());
  }

  SharedCall(const SharedCall&) = delete;
  SharedCall& operator=(const SharedCall&) = delete;

 private:
  // A coroutine, so that an inner authenticator that throws before its first suspension is caught
  // by co_spawn like any other throw.
  static Awaitable<AuthResult> Run(std::shared_ptr<SharedCall> call) {
    co_return co_await call->state_->inner().AuthenticateToken(call->token_, call->ctx_);
  }

  void OnTimeout() {
    Finish(Outcome{Failure(AuthErrorKind::kCanceled, kDeadlineExceeded), {}, {}},
           /*storable=*/true);
    if (!inner_done_) cancel_.emit(asio::cancellation_type::terminal);
  }

  void OnInnerDone(const std::exception_ptr& error, AuthResult result) {
    inner_done_ = true;
    timer_.cancel();
    if (error) {
      // R8.4 step 4. A crash is not stored: the next caller tries again.
      Finish(Outcome{Failure(AuthErrorKind::kInternal, kAuthnCrashed), {}, {}},
             /*storable=*/false);
      return;
    }
    Finish(Outcome{std::move(result), ctx_.warnings(), ctx_.audit_annotations()},
           /*storable=*/true);
  }

  void Finish(Outcome outcome, bool storable) {
    if (finished_) return;
    finished_ = true;
    state_->Complete(key_, flight_, std::make_shared<const Outcome>(std::move(outcome)), storable);
  }

  const std::shared_ptr<CacheState> state_;
  const Sha256Digest key_;
  const std::shared_ptr<Flight> flight_;
  std::string token_;  // the only plaintext copy; wiped when the inner call can no longer read it
  AuthContext ctx_;    // fresh recorders, the first caller's audiences (R8.4 step 2)
  asio::strand<asio::any_io_executor> strand_;
  asio::steady_timer timer_;
  asio::cancellation_signal cancel_;
  bool finished_ = false;
  bool inner_done_ = false;
};

}  // namespace

struct TokenCache::Impl final : CacheState {
  using CacheState::CacheState;
};

TokenCache::TokenCache(std::shared_ptr<const TokenAuthenticator> inner, TokenCacheOptions options)
    : impl_(std::make_shared<Impl>(std::move(inner), std::move(options))) {}

TokenCache::~TokenCache() = default;

Awaitable<AuthResult> TokenCache::AuthenticateToken(std::string_view token,
                                                    AuthContext& ctx) const {
  // Not a coroutine itself: without an observer the lookup costs no extra frame.
  if (!impl_->options().observe_request_duration) return Lookup(token, ctx, nullptr);
  return TimedLookup(token, ctx);
}

bool TokenCache::CompletesInline() const { return impl_->inner().CompletesInline(); }

AuthResult TokenCache::AuthenticateTokenInline(std::string_view token, AuthContext& ctx) const {
  if (!impl_->options().observe_request_duration) {
    return LookupInline(token, ctx, nullptr, impl_->Now());
  }
  return TimedLookupInline(token, ctx);
}

Awaitable<AuthResult> TokenCache::TimedLookup(std::string_view token, AuthContext& ctx) const {
  // The cache may be destroyed while a miss waits.
  const std::shared_ptr<Impl> keep = impl_;
  const Clock::time_point start = keep->Now();
  bool hit = false;
  AuthResult result = co_await Lookup(token, ctx, &hit);
  keep->ObserveDuration(hit, start);
  co_return result;
}

AuthResult TokenCache::TimedLookupInline(std::string_view token, AuthContext& ctx) const {
  const Clock::time_point start = impl_->Now();
  bool hit = false;
  AuthResult result = LookupInline(token, ctx, &hit, start);
  impl_->ObserveDuration(hit, start);
  return result;
}

AuthResult TokenCache::LookupInline(std::string_view token, AuthContext& ctx, bool* hit_out,
                                    Clock::time_point now) const {
  CacheState& state = *impl_;
  const Sha256Digest key = state.Key(token, ctx.audiences());
  Stripe& stripe = state.StripeFor(key);
  {
    std::lock_guard lock(stripe.mu);
    if (const OutcomePtr* stored = stripe.entries.Find(key, now)) {
      ++stripe.hits;
      if (hit_out != nullptr) *hit_out = true;
      return Replay(**stored, ctx);
    }
    ++stripe.misses;
  }
  // Nothing to wait for, so no shared call: the lookup runs here, with fresh recorders as the
  // shared call would have (R8.4 step 2).
  const std::uint64_t started_generation = state.generation.load();
  AuthContext fresh(ctx.audiences());
  std::optional<Outcome> outcome;
  try {
    AuthResult result = state.inner().AuthenticateTokenInline(token, fresh);
    outcome.emplace(Outcome{std::move(result), fresh.warnings(), fresh.audit_annotations()});
  } catch (...) {
    // R8.4 step 4, and not stored, as on the shared path.
  }
  const bool crashed = !outcome;
  if (crashed) outcome.emplace(Outcome{Failure(AuthErrorKind::kInternal, kAuthnCrashed), {}, {}});
  if (crashed || state.TtlFor(outcome->result) == Clock::duration::zero()) {
    // Not kept (a failure without a failure TTL, the default): nothing to share or lock.
    state.CountFetch(outcome->result);
    return Replay(std::move(*outcome), ctx);
  }
  auto shared = std::make_shared<const Outcome>(std::move(*outcome));
  state.Store(key, started_generation, shared, /*storable=*/true, [](Stripe&) {});
  return Replay(*shared, ctx);
}

Awaitable<AuthResult> TokenCache::Lookup(std::string_view token, AuthContext& ctx,
                                         bool* hit_out) const {
  CacheState& state = *impl_;
  if (state.inner().CompletesInline()) co_return LookupInline(token, ctx, hit_out, state.Now());

  const Sha256Digest key = state.Key(token, ctx.audiences());
  const Clock::time_point now = state.Now();
  Stripe& stripe = state.StripeFor(key);
  OutcomePtr hit;
  std::shared_ptr<OutcomeWaiter> waiter;
  std::shared_ptr<Flight> started;
  {
    std::lock_guard lock(stripe.mu);
    if (const OutcomePtr* stored = stripe.entries.Find(key, now)) {
      hit = *stored;
      ++stripe.hits;
    } else {
      ++stripe.misses;
      std::shared_ptr<Flight>& flight = stripe.flights[key];
      if (!flight) {
        flight = std::make_shared<Flight>(state.generation.load());
        started = flight;
      }
      waiter = std::make_shared<OutcomeWaiter>();
      flight->waiters.push_back(waiter);
    }
  }
  if (hit) {
    if (hit_out != nullptr) *hit_out = true;
    co_return Replay(*hit, ctx);
  }

  // Past the first suspension `this` is not touched: the caller may destroy the cache while it
  // waits.
  const std::shared_ptr<CacheState> keep = impl_;
  const GaugeHold blocked(keep->blocked);
  if (started) {
    keep->in_flight.fetch_add(1, std::memory_order_relaxed);
    SharedCall::Start(keep, key, std::move(started), token, ctx.audiences(),
                      co_await asio::this_coro::executor);
  }
  // A caller already cancelled does not wait; its call still runs for the others and the cache.
  std::optional<OutcomePtr> outcome;
  const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
  if (cancellation.cancelled() == asio::cancellation_type::none) outcome = co_await waiter->Wait();
  if (!outcome) co_return Failure(AuthErrorKind::kCanceled, kContextCanceled);
  co_return Replay(**outcome, ctx);
}

TokenCacheStats TokenCache::stats() const { return impl_->stats(); }

std::size_t TokenCache::size() const { return impl_->size(); }

void TokenCache::Clear() { impl_->Clear(); }

}  // namespace kauth
