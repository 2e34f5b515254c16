// Micro-benchmarks of the request path: bearer header parsing and the whole chain BuildChain
// assembles for a kube-apiserver with --token-auth-file and anonymous auth (R6.4).
//
// The chain is driven from inside one coroutine, so the numbers are the chain's own cost
// (co_await of authenticators that never suspend), not co_spawn's.
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "kauth/basic_request.h"
#include "kauth/chain.h"
#include "request/bearer_parse.h"

namespace kauth {
namespace {

std::string TokenFor(std::size_t i) { return "token-" + std::to_string(i) + "-abcdefghijklmnop"; }

Chain MakeChain(std::size_t tokens, bool cache) {
  std::vector<TokenFile::Entry> entries;
  entries.reserve(tokens);
  for (std::size_t i = 0; i < tokens; ++i) {
    entries.push_back(
        {TokenFor(i),
         {.name = "user" + std::to_string(i), .uid = std::to_string(i), .groups = {"dev", "ops"}}});
  }
  ChainConfig config;
  config.token_file = TokenFile::FromEntries(std::move(entries));
  config.api_audiences = {"https://kubernetes.default.svc"};
  if (!cache) config.token_cache.success_ttl = TokenCacheOptions::Clock::duration::zero();
  return BuildChain(std::move(config));
}

void RunChain(benchmark::State& state, const RequestAuthenticator& authenticator,
              std::optional<std::string> authorization, bool want_authenticated) {
  boost::asio::io_context io;
  boost::asio::co_spawn(
      io,
      [&]() -> Awaitable<void> {
        for (auto _ : state) {
          BasicRequest request("/api/v1/namespaces/default/pods");
          if (authorization) request.AddHeader("Authorization", *authorization);
          AuthContext ctx(Audiences{"https://kubernetes.default.svc"});
          AuthResult result = co_await authenticator.Authenticate(request, ctx);
          if (result.authenticated() != want_authenticated) {
            state.SkipWithError("unexpected outcome");
            break;
          }
          benchmark::DoNotOptimize(result);
        }
      },
      boost::asio::detached);
  io.run();
}

void BM_ParseBearerAuthorization(benchmark::State& state) {
  const std::string header = "Bearer " + TokenFor(12345);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseBearerAuthorization(header));
  }
}
BENCHMARK(BM_ParseBearerAuthorization);

// A valid token: a cache hit after the first iteration (the default 10 s success TTL).
void BM_ChainValidTokenCached(benchmark::State& state) {
  const Chain chain = MakeChain(static_cast<std::size_t>(state.range(0)), /*cache=*/true);
  RunChain(state, *chain.authenticator, "Bearer " + TokenFor(42), true);
}
BENCHMARK(BM_ChainValidTokenCached)->Arg(10'000);

// A valid token with the cache off: the token table lookup on every request.
void BM_ChainValidTokenUncached(benchmark::State& state) {
  const Chain chain = MakeChain(static_cast<std::size_t>(state.range(0)), /*cache=*/false);
  RunChain(state, *chain.authenticator, "Bearer " + TokenFor(42), true);
}
BENCHMARK(BM_ChainValidTokenUncached)->Arg(10'000);

// An unknown token: the 401 path (failures are not cached, R8.1).
void BM_ChainInvalidToken(benchmark::State& state) {
  const Chain chain = MakeChain(static_cast<std::size_t>(state.range(0)), /*cache=*/true);
  RunChain(state, *chain.authenticator, "Bearer not-a-valid-token-abcdefghij", false);
}
BENCHMARK(BM_ChainInvalidToken)->Arg(10'000);

// No credential: every member is not applicable and anonymous answers.
void BM_ChainAnonymous(benchmark::State& state) {
  const Chain chain = MakeChain(static_cast<std::size_t>(state.range(0)), /*cache=*/true);
  RunChain(state, *chain.authenticator, std::nullopt, true);
}
BENCHMARK(BM_ChainAnonymous)->Arg(10'000);

}  // namespace
}  // namespace kauth
