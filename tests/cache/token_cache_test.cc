#include "kauth/token_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"
#include "testing/slow_token_authenticator.h"

namespace kauth {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = TokenCacheOptions::Clock;
using testing::Authed;
using testing::MapTokenAuthenticator;
using testing::Rejected;
using testing::SlowTokenAuthenticator;

const AuthResult kAlice = Authed(UserInfo{.name = "alice", .uid = "1", .groups = {"dev"}});
const AuthResult kBob = Authed(UserInfo{.name = "bob", .uid = "2"});
const AuthResult kInvalid = Rejected("invalid bearer token");
const AuthResult kContextCanceled = Rejected("context canceled", AuthErrorKind::kCanceled);
const AuthResult kDeadlineExceeded =
    Rejected("context deadline exceeded", AuthErrorKind::kCanceled);
const AuthResult kCrashed = Rejected("Internal error occurred: authentication failed unexpectedly",
                                     AuthErrorKind::kInternal);

// One lookup started with Start: it owns what the lookup borrows, and receives its result.
struct Lookup {
  explicit Lookup(std::string token_in, std::optional<Audiences> audiences = std::nullopt)
      : token(std::move(token_in)), ctx(std::move(audiences)) {}
  std::string token;
  AuthContext ctx;
  std::optional<AuthResult> result;
  asio::cancellation_signal cancel;  // emit on the lookup's executor
};

template <typename Executor>
void Start(const Executor& executor, const TokenCache& cache, Lookup& lookup) {
  asio::co_spawn(executor, cache.AuthenticateToken(lookup.token, lookup.ctx),
                 asio::bind_cancellation_slot(
                     lookup.cancel.slot(), [&lookup](std::exception_ptr error, AuthResult result) {
                       EXPECT_FALSE(error);
                       lookup.result = std::move(result);
                     }));
}

// Runs what is ready now, without waiting.
void Poll(asio::io_context& io) {
  io.restart();
  io.poll();
}

// Runs until nothing is left to do.
void RunAll(asio::io_context& io) {
  io.restart();
  io.run();
}

// A settable clock for the TTL tests.
struct FakeClock {
  Clock::time_point now = Clock::time_point() + 1h;
  std::function<Clock::time_point()> Fn() {
    return [this] { return now; };
  }
};

// An in-memory token authenticator (never suspends) that runs a script and counts calls.
class ScriptedTokenAuthenticator final : public TokenAuthenticator {
 public:
  using Script = std::function<AuthResult(std::string_view token, AuthContext& ctx)>;
  // `completes_inline` declares the authenticator in-memory (TokenAuthenticator::CompletesInline)
  // so the cache takes its inline miss path; otherwise misses go through the shared call.
  explicit ScriptedTokenAuthenticator(Script script, bool completes_inline = false)
      : script_(std::move(script)), completes_inline_(completes_inline) {}

  bool CompletesInline() const override { return completes_inline_; }

  Awaitable<AuthResult> AuthenticateToken(std::string_view token, AuthContext& ctx) const override {
    ++calls_;
    co_return script_(token, ctx);
  }

  AuthResult AuthenticateTokenInline(std::string_view token, AuthContext& ctx) const override {
    ++calls_;
    return script_(token, ctx);
  }

  int calls() const { return calls_.load(); }

 private:
  Script script_;
  bool completes_inline_;
  mutable std::atomic<int> calls_{0};
};

std::shared_ptr<MapTokenAuthenticator> MapInner(std::map<std::string, AuthResult> answers,
                                                std::shared_ptr<std::atomic<int>> calls) {
  return std::make_shared<MapTokenAuthenticator>(std::move(answers), std::move(calls));
}

// ---- Asynchrony and single flight -------------------------------------------------------------

// R8.4: a lookup suspended in a remote authenticator holds no thread: on a single-threaded
// io_context, unrelated work completes while it waits.
TEST(TokenCacheTest, R8_4_PendingLookupBlocksNoThread) {
  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"slow", kAlice}});
  TokenCache cache(slow, {});
  Lookup pending("slow");
  Start(io.get_executor(), cache, pending);
  Poll(io);
  ASSERT_EQ(slow->pending(), 1);

  bool posted_ran = false;
  asio::post(io, [&] { posted_ran = true; });
  TokenCache other(MapInner({{"fast", kBob}}, nullptr), {});
  Lookup fast("fast");
  Start(io.get_executor(), other, fast);
  Poll(io);

  EXPECT_TRUE(posted_ran);
  EXPECT_EQ(fast.result, kBob);
  EXPECT_FALSE(pending.result.has_value());
  EXPECT_EQ(slow->pending(), 1);

  slow->Release();
  RunAll(io);
  EXPECT_EQ(pending.result, kAlice);
}

// R8.4 step 2: identical concurrent lookups share one call and all get its result.
TEST(TokenCacheTest, R8_4_ConcurrentIdenticalLookupsShareOneCall) {
  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  TokenCache cache(slow, {});
  constexpr int kCallers = 50;
  std::deque<Lookup> lookups;
  for (int i = 0; i < kCallers; ++i) Start(io.get_executor(), cache, lookups.emplace_back("tok"));
  Poll(io);

  EXPECT_EQ(slow->calls(), 1);
  EXPECT_EQ(slow->pending(), 1);
  TokenCacheStats stats = cache.stats();
  EXPECT_EQ(stats.misses, 50u);
  EXPECT_EQ(stats.in_flight, 1);
  EXPECT_EQ(stats.blocked, 50);

  slow->Release();
  RunAll(io);
  for (const Lookup& lookup : lookups) EXPECT_EQ(lookup.result, kAlice);
  EXPECT_EQ(slow->calls(), 1);
  stats = cache.stats();
  EXPECT_EQ(stats.fetches_ok, 1u);
  EXPECT_EQ(stats.in_flight, 0);
  EXPECT_EQ(stats.blocked, 0);
}

// R8.4 step 2 (and R8.2): the single flight is keyed like the cache, by token and audiences.
TEST(TokenCacheTest, R8_4_DifferentTokensOrAudiencesAreSeparateCalls) {
  asio::io_context io;
  auto slow = std::make_shared<SlowTokenAuthenticator>(
      std::map<std::string, AuthResult>{{"a", kAlice}, {"b", kBob}});
  TokenCache cache(slow, {});
  std::deque<Lookup> lookups;
  Start(io.get_executor(), cache, lookups.emplace_back("a"));
  Start(io.get_executor(), cache, lookups.emplace_back("b"));
  Start(io.get_executor(), cache, lookups.emplace_back("a", Audiences{"x"}));
  Start(io.get_executor(), cache, lookups.emplace_back("a", Audiences{"x", "y"}));
  Start(io.get_executor(), cache, lookups.emplace_back("a", Audiences{"x"}));  // joins the third
  Start(io.get_executor(), cache, lookups.emplace_back("a", Audiences{}));     // joins the first
  Poll(io);
  EXPECT_EQ(slow->calls(), 4);

  slow->Release();
  RunAll(io);
  EXPECT_EQ(lookups[0].result, kAlice);
  EXPECT_EQ(lookups[1].result, kBob);
  for (std::size_t i = 2; i < lookups.size(); ++i) EXPECT_EQ(lookups[i].result, kAlice) << i;
  EXPECT_EQ(slow->calls(), 4);
}

// R8.4 step 3: a cancelled caller gets "context canceled" at once; the shared call is not
// cancelled (not even when the cancelled caller is the one that started it), the other callers
// get its result and the cache stores it.
TEST(TokenCacheTest, R8_4_CancelledWaiterReturnsAtOnceAndSharedCallGoesOn) {
  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  TokenCache cache(slow, {});
  std::deque<Lookup> lookups;
  for (int i = 0; i < 3; ++i) Start(io.get_executor(), cache, lookups.emplace_back("tok"));
  Poll(io);
  ASSERT_EQ(slow->pending(), 1);

  lookups[0].cancel.emit(asio::cancellation_type::terminal);
  Poll(io);
  EXPECT_EQ(lookups[0].result, kContextCanceled);
  EXPECT_FALSE(lookups[1].result.has_value());
  EXPECT_FALSE(lookups[2].result.has_value());
  EXPECT_EQ(slow->pending(), 1);
  EXPECT_EQ(slow->cancelled(), 0);
  EXPECT_EQ(cache.stats().blocked, 2);

  slow->Release();
  RunAll(io);
  EXPECT_EQ(lookups[1].result, kAlice);
  EXPECT_EQ(lookups[2].result, kAlice);
  EXPECT_EQ(slow->cancelled(), 0);
  EXPECT_EQ(cache.size(), 1u);

  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kAlice);
  EXPECT_EQ(slow->calls(), 1);
  EXPECT_EQ(cache.stats().hits, 1u);
}

// R8.4 step 3: with every caller gone, the shared call still finishes and fills the cache.
TEST(TokenCacheTest, R8_4_SharedCallFillsCacheAfterEveryCallerLeft) {
  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  TokenCache cache(slow, {});
  Lookup lookup("tok");
  Start(io.get_executor(), cache, lookup);
  Poll(io);
  lookup.cancel.emit(asio::cancellation_type::terminal);
  Poll(io);
  EXPECT_EQ(lookup.result, kContextCanceled);
  EXPECT_EQ(cache.stats().in_flight, 1);

  slow->Release();
  RunAll(io);
  EXPECT_EQ(slow->completed(), 1);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kAlice);
  EXPECT_EQ(slow->calls(), 1);
}

// R8.4 step 3: a caller whose coroutine was cancelled before the lookup (and that chose to go on
// without throwing) gets "context canceled" without waiting, and no exception; the call it
// started still runs and fills the cache.
TEST(TokenCacheTest, R8_4_AlreadyCancelledCallerDoesNotWait) {
  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  TokenCache cache(slow, {});
  AuthContext ctx;
  std::optional<AuthResult> result;
  asio::cancellation_signal cancel;
  asio::co_spawn(
      io,
      [&]() -> Awaitable<AuthResult> {
        co_await asio::this_coro::throw_if_cancelled(false);
        asio::steady_timer never(co_await asio::this_coro::executor, 1h);
        (void)co_await never.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled below
        co_return co_await cache.AuthenticateToken("tok", ctx);
      },
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr error, AuthResult r) {
        EXPECT_FALSE(error);
        result = std::move(r);
      }));
  Poll(io);
  cancel.emit(asio::cancellation_type::terminal);
  Poll(io);
  EXPECT_EQ(result, kContextCanceled);
  EXPECT_EQ(slow->pending(), 1);

  slow->Release();
  RunAll(io);
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kAlice);
  EXPECT_EQ(slow->calls(), 1);
}

// Beyond Kubernetes: a partial cancellation is not a caller giving up; the caller keeps waiting.
TEST(TokenCacheTest, R8_4_NonTerminalCancellationIsIgnored) {
  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  TokenCache cache(slow, {});
  Lookup lookup("tok");
  Start(io.get_executor(), cache, lookup);
  Poll(io);
  lookup.cancel.emit(asio::cancellation_type::partial);
  Poll(io);
  EXPECT_FALSE(lookup.result.has_value());
  slow->Release();
  RunAll(io);
  EXPECT_EQ(lookup.result, kAlice);
}

// R8.4: callers on other io_contexts and threads join the call and are woken on their own
// executor; a waiting caller keeps its io_context's run() from returning.
TEST(TokenCacheTest, R8_4_CallersOnOtherThreadsShareTheCall) {
  asio::io_context io1;
  asio::io_context io2;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  TokenCache cache(slow, {});
  Lookup first("tok");
  Start(io1.get_executor(), cache, first);
  Poll(io1);
  ASSERT_EQ(slow->pending(), 1);

  Lookup second("tok");
  Start(io2.get_executor(), cache, second);
  std::thread thread([&] { io2.run(); });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (cache.stats().blocked < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(cache.stats().blocked, 2);

  slow->Release();
  RunAll(io1);
  thread.join();
  EXPECT_EQ(first.result, kAlice);
  EXPECT_EQ(second.result, kAlice);
  EXPECT_EQ(slow->calls(), 1);
}

// Lifetimes: the detached call may outlive both its callers and the TokenCache object.
TEST(TokenCacheTest, R8_4_DetachedCallOutlivesTheCache) {
  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  auto cache = std::make_unique<TokenCache>(slow, TokenCacheOptions{});
  Lookup left("tok");
  Lookup waiting("tok");
  Start(io.get_executor(), *cache, left);
  Start(io.get_executor(), *cache, waiting);
  Poll(io);
  left.cancel.emit(asio::cancellation_type::terminal);
  Poll(io);
  EXPECT_EQ(left.result, kContextCanceled);

  cache.reset();
  slow->Release();
  RunAll(io);
  EXPECT_EQ(slow->completed(), 1);
  EXPECT_EQ(waiting.result, kAlice);
}

// Lifetimes: when the io_context running the shared call is destroyed with the call pending,
// callers waiting elsewhere are told "context canceled" rather than waiting forever.
TEST(TokenCacheTest, R8_4_CallersAreReleasedWhenTheCallsIoContextIsDestroyed) {
  auto io1 = std::make_unique<asio::io_context>();
  asio::io_context io2;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  TokenCache cache(slow, {});
  Lookup first("tok");
  Start(io1->get_executor(), cache, first);
  Poll(*io1);
  Lookup second("tok");
  Start(io2.get_executor(), cache, second);
  Poll(io2);
  ASSERT_EQ(cache.stats().blocked, 2);

  io1.reset();
  RunAll(io2);
  EXPECT_EQ(second.result, kContextCanceled);
  EXPECT_FALSE(first.result.has_value());
  const TokenCacheStats stats = cache.stats();
  EXPECT_EQ(stats.in_flight, 0);
  EXPECT_EQ(stats.fetches_error, 1u);
  EXPECT_EQ(cache.size(), 0u);
}

// ---- Timeout and crashes ----------------------------------------------------------------------

// R8.4 step 2: the shared call has its own deadline; the inner call is cancelled.
TEST(TokenCacheTest, R8_4_TimeoutGivesDeadlineExceeded) {
  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  TokenCache cache(slow, {.lookup_timeout = 5ms});
  Lookup lookup("tok");
  Start(io.get_executor(), cache, lookup);
  RunAll(io);
  EXPECT_EQ(lookup.result, kDeadlineExceeded);
  EXPECT_EQ(slow->cancelled(), 1);
  EXPECT_EQ(slow->pending(), 0);
  EXPECT_EQ(cache.stats().fetches_error, 1u);
  EXPECT_EQ(cache.size(), 0u);  // failure TTL 0
}

// R8.4 step 2: the deadline holds even against an inner authenticator that ignores cancellation;
// its late answer is dropped.
TEST(TokenCacheTest, R8_4_TimeoutDoesNotWaitForAnInnerCallThatIgnoresCancellation) {
  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  slow->set_ignore_cancellation(true);
  TokenCache cache(slow, {.lookup_timeout = 5ms});
  Lookup lookup("tok");
  Start(io.get_executor(), cache, lookup);
  while (!lookup.result) io.run_one();
  EXPECT_EQ(lookup.result, kDeadlineExceeded);
  EXPECT_EQ(slow->pending(), 1);
  EXPECT_EQ(slow->cancelled(), 0);

  slow->Release();
  RunAll(io);
  EXPECT_EQ(slow->completed(), 1);
  EXPECT_EQ(cache.size(), 0u);
  const TokenCacheStats stats = cache.stats();
  EXPECT_EQ(stats.fetches_ok, 0u);
  EXPECT_EQ(stats.fetches_error, 1u);
  EXPECT_EQ(stats.in_flight, 0);
}

// R8.4 step 2: with errors stored, a timeout is stored like any other error.
TEST(TokenCacheTest, R8_4_TimeoutIsStoredForFailureTtl) {
  asio::io_context io;
  FakeClock clock;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  TokenCache cache(slow, {.failure_ttl = 5s, .lookup_timeout = 5ms, .now = clock.Fn()});
  Lookup lookup("tok");
  Start(io.get_executor(), cache, lookup);
  RunAll(io);
  EXPECT_EQ(lookup.result, kDeadlineExceeded);
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kDeadlineExceeded);
  EXPECT_EQ(slow->calls(), 1);
}

// R8.4 step 4: an exception from the inner authenticator, before or after it suspends, becomes
// an internal error; it is not stored, even when errors are.
TEST(TokenCacheTest, R8_4_InnerExceptionBecomesInternalError) {
  auto throwing = std::make_shared<ScriptedTokenAuthenticator>(
      [](std::string_view, AuthContext&) -> AuthResult { throw std::runtime_error("boom"); });
  TokenCache cache(throwing, {.failure_ttl = 10s});
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kCrashed);
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kCrashed);
  EXPECT_EQ(throwing->calls(), 2);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.stats().fetches_error, 2u);

  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  slow->set_throw(true);
  TokenCache slow_cache(slow, {});
  std::deque<Lookup> lookups;
  for (int i = 0; i < 2; ++i) Start(io.get_executor(), slow_cache, lookups.emplace_back("tok"));
  Poll(io);
  slow->Release();
  RunAll(io);
  EXPECT_EQ(lookups[0].result, kCrashed);
  EXPECT_EQ(lookups[1].result, kCrashed);
  EXPECT_EQ(slow->calls(), 1);
}

// ---- Storage and TTLs ---------------------------------------------------------------------------

// R8.1, R8.3: a success is stored for the success TTL; it has expired once now >= expiry.
TEST(TokenCacheTest, R8_3_SuccessStoredForSuccessTtl) {
  FakeClock clock;
  auto calls = std::make_shared<std::atomic<int>>(0);
  TokenCache cache(MapInner({{"tok", kAlice}}, calls), {.now = clock.Fn()});
  const Clock::time_point start = clock.now;

  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kAlice);
  EXPECT_EQ(calls->load(), 1);
  clock.now = start + 9999ms;
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kAlice);
  EXPECT_EQ(calls->load(), 1);
  clock.now = start + 10s;
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kAlice);
  EXPECT_EQ(calls->load(), 2);
  const TokenCacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 2u);
}

// R8.1: the main cache's failure TTL is 0: neither NotApplicable nor an error is stored.
TEST(TokenCacheTest, R8_1_FailureTtlZeroStoresNothing) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  TokenCache cache(MapInner({{"bad", kInvalid}}, calls), {});
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(testing::AuthenticateToken(cache, "bad"), kInvalid);
    EXPECT_EQ(testing::AuthenticateToken(cache, "unknown"), AuthResult::NotApplicable());
  }
  EXPECT_EQ(calls->load(), 4);
  EXPECT_EQ(cache.size(), 0u);
}

// R8.1, R8.4 step 2: with a failure TTL, NotApplicable and errors are stored for that TTL.
TEST(TokenCacheTest, R8_4_FailureTtlStoresNotApplicableAndErrors) {
  FakeClock clock;
  const Clock::time_point start = clock.now;
  auto calls = std::make_shared<std::atomic<int>>(0);
  TokenCache cache(MapInner({{"bad", kInvalid}}, calls), {.failure_ttl = 5s, .now = clock.Fn()});
  EXPECT_EQ(testing::AuthenticateToken(cache, "bad"), kInvalid);
  EXPECT_EQ(testing::AuthenticateToken(cache, "unknown"), AuthResult::NotApplicable());
  EXPECT_EQ(cache.size(), 2u);
  clock.now = start + 4999ms;
  EXPECT_EQ(testing::AuthenticateToken(cache, "bad"), kInvalid);
  EXPECT_EQ(testing::AuthenticateToken(cache, "unknown"), AuthResult::NotApplicable());
  EXPECT_EQ(calls->load(), 2);
  clock.now = start + 5s;
  EXPECT_EQ(testing::AuthenticateToken(cache, "bad"), kInvalid);
  EXPECT_EQ(testing::AuthenticateToken(cache, "unknown"), AuthResult::NotApplicable());
  EXPECT_EQ(calls->load(), 4);
}

// R8.1: the webhook's cache does not store errors, but does store NotApplicable.
TEST(TokenCacheTest, R8_1_ErrorsNotStoredWhenCacheErrorsIsFalse) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  TokenCache cache(MapInner({{"bad", kInvalid}}, calls),
                   {.failure_ttl = 2min, .cache_errors = false});
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(testing::AuthenticateToken(cache, "bad"), kInvalid);
    EXPECT_EQ(testing::AuthenticateToken(cache, "unknown"), AuthResult::NotApplicable());
  }
  EXPECT_EQ(calls->load(), 3);  // "bad" twice, "unknown" once
  EXPECT_EQ(cache.size(), 1u);
}

// R8.1: a success TTL of 0 stores nothing.
TEST(TokenCacheTest, R8_1_SuccessTtlZeroStoresNothing) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  TokenCache cache(MapInner({{"tok", kAlice}}, calls), {.success_ttl = 0s});
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kAlice);
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok"), kAlice);
  EXPECT_EQ(calls->load(), 2);
  EXPECT_EQ(cache.size(), 0u);
}

// R8.2: the key covers the audiences; no audiences and an empty list are the same key; the
// length prefixes keep {"a", "b"} and {"ab"} apart.
TEST(TokenCacheTest, R8_2_KeyIncludesAudiencesAndNulloptEqualsEmpty) {
  auto inner = std::make_shared<ScriptedTokenAuthenticator>([](std::string_view, AuthContext& ctx) {
    return Authed(UserInfo{.name = "alice"}, ctx.audiences().value_or(Audiences{}));
  });
  TokenCache cache(inner, {});
  const auto lookup = [&](std::optional<Audiences> audiences) {
    AuthContext ctx(std::move(audiences));
    return testing::AuthenticateToken(cache, "tok", ctx);
  };
  EXPECT_EQ(lookup(std::nullopt), Authed(UserInfo{.name = "alice"}));
  EXPECT_EQ(lookup(Audiences{}), Authed(UserInfo{.name = "alice"}));
  EXPECT_EQ(inner->calls(), 1);
  EXPECT_EQ(lookup(Audiences{"api"}), Authed(UserInfo{.name = "alice"}, {"api"}));
  EXPECT_EQ(lookup(Audiences{"api"}), Authed(UserInfo{.name = "alice"}, {"api"}));
  EXPECT_EQ(inner->calls(), 2);
  EXPECT_EQ(lookup(Audiences{"a", "b"}), Authed(UserInfo{.name = "alice"}, {"a", "b"}));
  EXPECT_EQ(lookup(Audiences{"ab"}), Authed(UserInfo{.name = "alice"}, {"ab"}));
  EXPECT_EQ(lookup(Audiences{"b", "a"}), Authed(UserInfo{.name = "alice"}, {"b", "a"}));
  EXPECT_EQ(inner->calls(), 5);
  EXPECT_EQ(cache.size(), 5u);
}

// R8.2: the token itself is length-prefixed and distinct tokens are distinct keys.
TEST(TokenCacheTest, R8_2_DistinctTokensAreDistinctKeys) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  TokenCache cache(MapInner({{"a", kAlice}, {"ab", kBob}}, calls), {});
  EXPECT_EQ(testing::AuthenticateToken(cache, "a"), kAlice);
  EXPECT_EQ(testing::AuthenticateToken(cache, "ab"), kBob);
  AuthContext b_audience(Audiences{"b"});
  EXPECT_EQ(testing::AuthenticateToken(cache, "a", b_audience), kAlice);
  EXPECT_EQ(calls->load(), 3);
}

// R8.4 step 2: the shared call runs with the caller's audiences and fresh recorders.
TEST(TokenCacheTest, R8_4_SharedCallGetsCallersAudiencesAndFreshContext) {
  std::optional<Audiences> seen_audiences;
  std::size_t seen_warnings = 99;
  auto inner =
      std::make_shared<ScriptedTokenAuthenticator>([&](std::string_view, AuthContext& ctx) {
        seen_audiences = ctx.audiences();
        seen_warnings = ctx.warnings().size() + ctx.audit_annotations().size();
        return kAlice;
      });
  TokenCache cache(inner, {});
  AuthContext ctx(Audiences{"api"});
  ctx.AddWarning("earlier");
  ctx.AddAuditAnnotation("earlier", "x");
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok", ctx), kAlice);
  EXPECT_EQ(seen_audiences, (Audiences{"api"}));
  EXPECT_EQ(seen_warnings, 0u);
}

// R8.4 steps 1 and 5: warnings and audit annotations recorded by the inner call are replayed
// onto the request, on the miss that stored them and on every hit.
TEST(TokenCacheTest, R8_4_WarningsAndAnnotationsReplayedOnMissAndHit) {
  auto inner = std::make_shared<ScriptedTokenAuthenticator>([](std::string_view, AuthContext& ctx) {
    ctx.AddWarning("token expires soon");
    ctx.AddAuditAnnotation("authentication.k8s.io/stale-token", "yes");
    return kAlice;
  });
  TokenCache cache(inner, {});
  const std::vector<AuditAnnotation> want_annotations = {
      {"authentication.k8s.io/stale-token", "yes"}};

  AuthContext miss;
  miss.AddWarning("earlier");
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok", miss), kAlice);
  EXPECT_EQ(miss.warnings(), (std::vector<std::string>{"earlier", "token expires soon"}));
  EXPECT_EQ(miss.audit_annotations(), want_annotations);

  AuthContext hit;
  EXPECT_EQ(testing::AuthenticateToken(cache, "tok", hit), kAlice);
  EXPECT_EQ(hit.warnings(), (std::vector<std::string>{"token expires soon"}));
  EXPECT_EQ(hit.audit_annotations(), want_annotations);
  EXPECT_EQ(inner->calls(), 1);
}

// R8.4 step 5: a failed lookup returns only its error; nothing is replayed.
TEST(TokenCacheTest, R8_4_FailuresReplayNothing) {
  auto inner =
      std::make_shared<ScriptedTokenAuthenticator>([](std::string_view token, AuthContext& ctx) {
        ctx.AddWarning("w");
        ctx.AddAuditAnnotation("k", "v");
        return token == "bad" ? kInvalid : AuthResult::NotApplicable();
      });
  TokenCache cache(inner, {.failure_ttl = 5s});
  for (int i = 0; i < 2; ++i) {  // a miss, then a hit
    for (const char* token : {"bad", "unknown"}) {
      AuthContext ctx;
      const AuthResult result = testing::AuthenticateToken(cache, token, ctx);
      EXPECT_EQ(result, std::string_view(token) == "bad" ? kInvalid : AuthResult::NotApplicable());
      EXPECT_TRUE(ctx.warnings().empty()) << token;
      EXPECT_TRUE(ctx.audit_annotations().empty()) << token;
    }
  }
  EXPECT_EQ(inner->calls(), 2);
}

// Beyond Kubernetes (R8.3 has no bound): the least recently used entry is evicted first.
TEST(TokenCacheTest, R8_3_SizeBoundEvictsLeastRecentlyUsed) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  TokenCache cache(MapInner({{"a", kAlice}, {"b", kBob}, {"c", kAlice}}, calls),
                   {.max_entries = 2});
  EXPECT_EQ(testing::AuthenticateToken(cache, "a"), kAlice);
  EXPECT_EQ(testing::AuthenticateToken(cache, "b"), kBob);
  EXPECT_EQ(testing::AuthenticateToken(cache, "a"), kAlice);  // hit: "b" is now least recent
  EXPECT_EQ(calls->load(), 2);
  EXPECT_EQ(testing::AuthenticateToken(cache, "c"), kAlice);  // evicts "b"
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(calls->load(), 3);
  EXPECT_EQ(testing::AuthenticateToken(cache, "a"), kAlice);
  EXPECT_EQ(testing::AuthenticateToken(cache, "c"), kAlice);
  EXPECT_EQ(calls->load(), 3);
  EXPECT_EQ(testing::AuthenticateToken(cache, "b"), kBob);  // evicts "a"
  EXPECT_EQ(calls->load(), 4);
  EXPECT_EQ(testing::AuthenticateToken(cache, "a"), kAlice);
  EXPECT_EQ(calls->load(), 5);
  EXPECT_EQ(cache.size(), 2u);
}

// The bound holds in total across stripes, and a bound of 0 stores nothing.
TEST(TokenCacheTest, R8_3_SizeBoundHoldsAcrossStripes) {
  auto inner = std::make_shared<ScriptedTokenAuthenticator>(
      [](std::string_view, AuthContext&) { return kAlice; });
  TokenCache cache(inner, {.max_entries = 256});
  for (int i = 0; i < 2000; ++i) {
    EXPECT_EQ(testing::AuthenticateToken(cache, "tok-" + std::to_string(i)), kAlice);
  }
  // 2000 uniform keys over at most 32 stripes fill every stripe's share of 256.
  EXPECT_EQ(cache.size(), 256u);

  TokenCache none(inner, {.max_entries = 0});
  EXPECT_EQ(testing::AuthenticateToken(none, "tok"), kAlice);
  EXPECT_EQ(none.size(), 0u);
}

// ---- Clear --------------------------------------------------------------------------------------

TEST(TokenCacheTest, R8_3_ClearDropsEveryEntry) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  TokenCache cache(MapInner({{"a", kAlice}, {"b", kBob}}, calls), {});
  EXPECT_EQ(testing::AuthenticateToken(cache, "a"), kAlice);
  EXPECT_EQ(testing::AuthenticateToken(cache, "b"), kBob);
  EXPECT_EQ(cache.size(), 2u);
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(testing::AuthenticateToken(cache, "a"), kAlice);
  EXPECT_EQ(calls->load(), 3);
}

// A call that was running when Clear came still answers its callers, but its result is not
// stored, and callers after the Clear do not join it.
TEST(TokenCacheTest, R8_3_ClearKeepsAnInFlightResultOut) {
  asio::io_context io;
  auto slow =
      std::make_shared<SlowTokenAuthenticator>(std::map<std::string, AuthResult>{{"tok", kAlice}});
  TokenCache cache(slow, {});
  std::deque<Lookup> lookups;
  Start(io.get_executor(), cache, lookups.emplace_back("tok"));
  Poll(io);
  cache.Clear();
  slow->Release();
  RunAll(io);
  EXPECT_EQ(lookups[0].result, kAlice);
  EXPECT_EQ(cache.size(), 0u);

  Start(io.get_executor(), cache, lookups.emplace_back("tok"));  // before Clear
  Poll(io);
  cache.Clear();
  Start(io.get_executor(), cache, lookups.emplace_back("tok"));  // after Clear: a new call
  Poll(io);
  EXPECT_EQ(slow->calls(), 3);
  EXPECT_EQ(slow->pending(), 2);
  slow->Release();
  RunAll(io);
  EXPECT_EQ(lookups[1].result, kAlice);
  EXPECT_EQ(lookups[2].result, kAlice);
  EXPECT_EQ(cache.size(), 1u);  // only the call started after the Clear was stored
  EXPECT_EQ(cache.stats().in_flight, 0);
}

// ---- Metrics ------------------------------------------------------------------------------------

// R8.5: hit/miss, fetch ok/error, in-flight and blocked.
TEST(TokenCacheTest, R8_5_StatsCountHitsMissesAndFetches) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  TokenCache cache(MapInner({{"good", kAlice}, {"bad", kInvalid}}, calls), {});
  EXPECT_EQ(testing::AuthenticateToken(cache, "good"), kAlice);                       // miss, ok
  EXPECT_EQ(testing::AuthenticateToken(cache, "good"), kAlice);                       // hit
  EXPECT_EQ(testing::AuthenticateToken(cache, "bad"), kInvalid);                      // miss, error
  EXPECT_EQ(testing::AuthenticateToken(cache, "none"), AuthResult::NotApplicable());  // miss, ok
  const TokenCacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 3u);
  EXPECT_EQ(stats.fetches_ok, 2u);
  EXPECT_EQ(stats.fetches_error, 1u);
  EXPECT_EQ(stats.in_flight, 0);
  EXPECT_EQ(stats.blocked, 0);
}

// ---- Threads ------------------------------------------------------------------------------------

struct StressExpectation {
  std::map<std::string, AuthResult> answers = {{"t0", Authed(UserInfo{.name = "u0"})},
                                               {"t1", Authed(UserInfo{.name = "u1"})},
                                               {"t2", Authed(UserInfo{.name = "u2"})},
                                               {"t3", Authed(UserInfo{.name = "u3"})},
                                               {"bad", kInvalid}};
  std::vector<std::string> tokens = {"t0", "t1", "t2", "t3", "bad", "none"};

  AuthResult For(const std::string& token) const {
    const auto it = answers.find(token);
    return it == answers.end() ? AuthResult::NotApplicable() : it->second;
  }
};

// Many lookups over a few tokens from four threads, each with its own io_context, with short
// TTLs, a small bound, cancellations and Clear calls mixed in: every caller gets its token's
// answer (or "context canceled" if it was cancelled) and the gauges return to zero.
TEST(TokenCacheTest, R8_4_StressOneIoContextPerThread) {
  const StressExpectation expect;
  auto slow = std::make_shared<SlowTokenAuthenticator>(expect.answers);
  slow->set_delay(200us);
  TokenCache cache(slow, {.success_ttl = 2ms, .failure_ttl = 1ms, .max_entries = 4});
  constexpr int kThreads = 4;
  constexpr int kLookups = 400;
  std::atomic<int> wrong{0};
  std::atomic<int> canceled{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      asio::io_context io;
      std::mt19937 rng(static_cast<std::mt19937::result_type>(t + 1));
      std::deque<Lookup> lookups;
      std::vector<bool> may_cancel;
      for (int i = 0; i < kLookups; ++i) {
        const std::string& token = expect.tokens[rng() % expect.tokens.size()];
        Lookup& lookup = lookups.emplace_back(
            token, rng() % 2 ? std::nullopt : std::optional<Audiences>(Audiences{"api"}));
        Start(io.get_executor(), cache, lookup);
        may_cancel.push_back(i % 7 == 3);
        if (i % 7 == 3) {
          asio::post(io, [&lookup] {
            if (!lookup.result) lookup.cancel.emit(asio::cancellation_type::terminal);
          });
        }
        if (i % 100 == 50) asio::post(io, [&cache] { cache.Clear(); });
        if (i % 20 == 0) Poll(io);
      }
      RunAll(io);
      for (std::size_t i = 0; i < lookups.size(); ++i) {
        const Lookup& lookup = lookups[i];
        if (may_cancel[i] && lookup.result == kContextCanceled) {
          ++canceled;
        } else if (lookup.result != expect.For(lookup.token)) {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  const TokenCacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, static_cast<std::uint64_t>(kThreads * kLookups));
  EXPECT_EQ(stats.fetches_ok + stats.fetches_error, static_cast<std::uint64_t>(slow->calls()));
  EXPECT_EQ(stats.in_flight, 0);
  EXPECT_EQ(stats.blocked, 0);
  EXPECT_LE(cache.size(), 4u);
  EXPECT_LT(static_cast<std::uint64_t>(slow->calls()), stats.misses);  // callers did share calls
  EXPECT_EQ(slow->cancelled(), 0);
  EXPECT_GT(stats.misses, 0u);
  EXPECT_GT(canceled.load(), 0);
}

// The same with one io_context run by four threads; each lookup runs on its own strand.
TEST(TokenCacheTest, R8_4_StressOneIoContextManyThreads) {
  const StressExpectation expect;
  auto slow = std::make_shared<SlowTokenAuthenticator>(expect.answers);
  slow->set_delay(200us);
  TokenCache cache(slow, {.success_ttl = 2ms, .failure_ttl = 1ms, .max_entries = 4});
  constexpr int kThreads = 4;
  constexpr int kLookups = 1600;
  asio::io_context io;
  std::deque<Lookup> lookups;
  std::mt19937 rng(7);
  for (int i = 0; i < kLookups; ++i) {
    Lookup& lookup =
        lookups.emplace_back(expect.tokens[rng() % expect.tokens.size()],
                             rng() % 2 ? std::nullopt : std::optional<Audiences>(Audiences{"api"}));
    const auto strand = asio::make_strand(io);
    Start(strand, cache, lookup);
    if (i % 7 == 3) {
      asio::post(strand, [&lookup] {
        if (!lookup.result) lookup.cancel.emit(asio::cancellation_type::terminal);
      });
    }
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back([&] { io.run(); });
  for (std::thread& thread : threads) thread.join();

  int wrong = 0;
  for (std::size_t i = 0; i < lookups.size(); ++i) {
    const Lookup& lookup = lookups[i];
    if (i % 7 == 3 && lookup.result == kContextCanceled) continue;
    if (lookup.result != expect.For(lookup.token)) ++wrong;
  }
  EXPECT_EQ(wrong, 0);
  const TokenCacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, static_cast<std::uint64_t>(kLookups));
  EXPECT_LT(static_cast<std::uint64_t>(slow->calls()), stats.misses);
  EXPECT_EQ(stats.in_flight, 0);
  EXPECT_EQ(stats.blocked, 0);
}

// The inline miss path (an in-memory inner authenticator) keeps the shared call's semantics:
// R8.4 step 2 storage rules, fresh recorders replayed only on success, R8.4 step 4 for a throw.
TEST(TokenCacheInlineTest, R8_4_InlineMissMatchesSharedCallSemantics) {
  FakeClock clock;
  auto inner = std::make_shared<ScriptedTokenAuthenticator>(
      [](std::string_view token, AuthContext& ctx) -> AuthResult {
        ctx.AddWarning("warned for " + std::string(token));
        ctx.AddAuditAnnotation("k", std::string(token));
        if (token == "alice") return kAlice;
        if (token == "boom") throw std::runtime_error("crash");
        return AuthResult::NotApplicable();
      },
      /*completes_inline=*/true);
  TokenCache cache(inner, {.now = clock.Fn()});

  AuthContext first;
  EXPECT_EQ(testing::AuthenticateToken(cache, "alice", first), kAlice);
  EXPECT_EQ(first.warnings(), std::vector<std::string>{"warned for alice"});
  EXPECT_EQ(first.audit_annotations(), (std::vector<AuditAnnotation>{{"k", "alice"}}));
  AuthContext second;
  EXPECT_EQ(testing::AuthenticateToken(cache, "alice", second), kAlice);
  EXPECT_EQ(second.warnings(), std::vector<std::string>{"warned for alice"});
  EXPECT_EQ(inner->calls(), 1);  // the second lookup was a hit

  // Not applicable: not stored (failure TTL 0) and no warnings replayed.
  AuthContext unknown;
  EXPECT_TRUE(testing::AuthenticateToken(cache, "nobody", unknown).not_applicable());
  EXPECT_TRUE(unknown.warnings().empty());
  EXPECT_TRUE(testing::AuthenticateToken(cache, "nobody").not_applicable());
  EXPECT_EQ(inner->calls(), 3);

  // A throw becomes Kubernetes' internal error and is never stored.
  EXPECT_EQ(testing::AuthenticateToken(cache, "boom"), kCrashed);
  EXPECT_EQ(testing::AuthenticateToken(cache, "boom"), kCrashed);
  EXPECT_EQ(inner->calls(), 5);

  // Success expires after the TTL; Clear drops what is stored.
  clock.now += 10s;
  EXPECT_EQ(testing::AuthenticateToken(cache, "alice"), kAlice);
  EXPECT_EQ(inner->calls(), 6);
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(testing::AuthenticateToken(cache, "alice"), kAlice);
  EXPECT_EQ(inner->calls(), 7);

  const TokenCacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 7u);
  EXPECT_EQ(stats.fetches_ok, 5u);  // alice x3, nobody x2
  EXPECT_EQ(stats.fetches_error, 2u);
  EXPECT_EQ(stats.in_flight, 0);
}

// The inline path never suspends: a lookup runs as many io_context handlers as a coroutine that
// does nothing at all, while the shared-call path needs more (strand, timer, wake-up).
TEST(TokenCacheInlineTest, InlineMissCompletesWithoutSuspending) {
  const auto handlers = [](auto spawn) {
    asio::io_context io;
    spawn(io);
    return io.run();
  };
  const std::size_t baseline = handlers([](asio::io_context& io) {
    asio::co_spawn(
        io, []() -> Awaitable<AuthResult> { co_return AuthResult::NotApplicable(); },
        [](std::exception_ptr, AuthResult) {});
  });

  auto script = [](std::string_view, AuthContext&) { return kAlice; };
  for (const bool completes_inline : {true, false}) {
    TokenCache cache(std::make_shared<ScriptedTokenAuthenticator>(script, completes_inline), {});
    Lookup lookup("alice");
    const std::size_t ran =
        handlers([&](asio::io_context& io) { Start(io.get_executor(), cache, lookup); });
    ASSERT_TRUE(lookup.result.has_value());
    EXPECT_EQ(*lookup.result, kAlice);
    if (completes_inline) {
      EXPECT_EQ(ran, baseline);
    } else {
      EXPECT_GT(ran, baseline);
    }
  }
}

// R8.5: every lookup reports its status and its duration in whole milliseconds.
TEST(TokenCacheTest, R8_5_RequestDurationObserver) {
  FakeClock clock;
  std::vector<std::pair<std::string, double>> observed;
  auto inner = std::make_shared<ScriptedTokenAuthenticator>(
      [&clock](std::string_view, AuthContext&) {
        clock.now += 2500us;  // the lookup takes 2.5 ms
        return kAlice;
      },
      /*completes_inline=*/true);
  TokenCache cache(inner, {.now = clock.Fn(),
                           .observe_request_duration = [&](std::string_view status, double s) {
                             observed.emplace_back(std::string(status), s);
                           }});
  EXPECT_EQ(testing::AuthenticateToken(cache, "alice"), kAlice);
  EXPECT_EQ(testing::AuthenticateToken(cache, "alice"), kAlice);
  EXPECT_EQ(observed, (std::vector<std::pair<std::string, double>>{{"miss", 0.002}, {"hit", 0.0}}));
}

}  // namespace
}  // namespace kauth
