// Micro-benchmarks of the token cache (R8) in front of an in-memory authenticator that never
// suspends, so the numbers are the cache's own cost.
//
// Each benchmark thread drives lookups from one coroutine on its own io_context; the cache is
// shared by all threads. A hit is a keyed hash, a stripe lock and a copy of the stored result. A
// miss (success TTL 0, so nothing is stored) is a full shared call: the flight, a co_spawn on a
// strand of the caller's executor, the timeout timer, and the post that wakes the caller.
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "crypto/digest.h"
#include "kauth/token_cache.h"

namespace kauth {
namespace {

const std::string kToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.payload-of-a-typical-length.sig";
const Audiences kApiAudiences = {"https://kubernetes.default.svc"};

class FixedTokenAuthenticator final : public TokenAuthenticator {
 public:
  Awaitable<AuthResult> AuthenticateToken(std::string_view, AuthContext&) const override {
    co_return result_;
  }

 private:
  AuthResult result_ = AuthResult::Authenticated(
      {UserInfo{.name = "alice", .uid = "1", .groups = {"dev", "ops"}}, kApiAudiences});
};

std::shared_ptr<const TokenAuthenticator> Inner() {
  static const auto inner = std::make_shared<const FixedTokenAuthenticator>();
  return inner;
}

// Shared by every benchmark thread; built once, on first use.
TokenCache& HitCache() {
  static TokenCache cache(Inner(), {});
  return cache;
}

TokenCache& MissCache() {
  static TokenCache cache(Inner(), {.success_ttl = TokenCacheOptions::Clock::duration::zero()});
  return cache;
}

void Drive(benchmark::State& state, const TokenAuthenticator& authenticator, std::string token) {
  boost::asio::io_context io;
  boost::asio::co_spawn(
      io,
      [&]() -> Awaitable<void> {
        AuthContext ctx(kApiAudiences);
        for (auto _ : state) {
          AuthResult result = co_await authenticator.AuthenticateToken(token, ctx);
          if (!result.authenticated()) {
            state.SkipWithError("unexpected outcome");
            break;
          }
          benchmark::DoNotOptimize(result);
        }
      },
      boost::asio::detached);
  io.run();
  state.SetItemsProcessed(state.iterations());
}

// The inner authenticator alone: the floor under every cached lookup.
void BM_InnerOnly(benchmark::State& state) { Drive(state, *Inner(), kToken); }
BENCHMARK(BM_InnerOnly);

// The R8.2 key alone.
void BM_HmacKey(benchmark::State& state) {
  static const HmacSha256 hmac = HmacSha256::WithRandomKey();
  for (auto _ : state) {
    HmacSha256::Message message = hmac.Begin();
    message.UpdateUint32(static_cast<std::uint32_t>(kToken.size()));
    message.Update(kToken);
    message.UpdateUint32(1);
    message.UpdateUint32(static_cast<std::uint32_t>(kApiAudiences[0].size()));
    message.Update(kApiAudiences[0]);
    benchmark::DoNotOptimize(message.Final());
  }
}
BENCHMARK(BM_HmacKey);

// Every thread looks up the same token: all hits on one stripe.
void BM_CacheHit(benchmark::State& state) { Drive(state, HitCache(), kToken); }
BENCHMARK(BM_CacheHit)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// Each thread looks up its own token: hits spread over stripes.
void BM_CacheHitDistinctTokens(benchmark::State& state) {
  Drive(state, HitCache(), kToken + "-" + std::to_string(state.thread_index()));
}
BENCHMARK(BM_CacheHitDistinctTokens)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// Each thread looks up its own token with nothing stored: every lookup is a shared call.
void BM_CacheMiss(benchmark::State& state) {
  Drive(state, MissCache(), kToken + "-" + std::to_string(state.thread_index()));
}
BENCHMARK(BM_CacheMiss)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace
}  // namespace kauth
