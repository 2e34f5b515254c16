// TokenFile: lookups (hits and misses) and parsing, at 10k and 1M tokens. Parse reports the
// table's memory per token two ways: malloc'd bytes (mallinfo2) and resident set growth.
//
// Rows look like an operator's file: a 32-hex-digit token, a name, a uid and one group.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kauth/token_file.h"

namespace {

std::string RandomToken(std::mt19937_64& rng) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string token(32, '0');
  for (char& c : token) c = kDigits[rng() & 0xF];
  return token;
}

struct Fixture {
  std::string contents;
  std::vector<std::string> tokens;
  std::shared_ptr<const kauth::TokenFile> file;
};

// Built once per size and kept: generating and parsing a million rows takes about a second.
const Fixture& GetFixture(std::size_t count) {
  static std::map<std::size_t, std::unique_ptr<Fixture>> fixtures;
  auto& fixture = fixtures[count];
  if (fixture == nullptr) {
    fixture = std::make_unique<Fixture>();
    std::mt19937_64 rng(count);
    fixture->tokens.reserve(count);
    fixture->contents.reserve(count * 64);
    for (std::size_t i = 0; i < count; ++i) {
      fixture->tokens.push_back(RandomToken(rng));
      fixture->contents += fixture->tokens.back();
      fixture->contents +=
          ",user-" + std::to_string(i) + "," + std::to_string(100000 + i) + ",system:masters\n";
    }
    fixture->file = kauth::TokenFile::Parse(fixture->contents, "bench.csv").value();
  }
  return *fixture;
}

// Tokens to present, in an order unrelated to the table's, so that large tables miss the cache
// as they would under real traffic.
std::vector<std::string> Probes(const Fixture& fixture, bool hits) {
  constexpr std::size_t kProbes = 1 << 16;
  std::mt19937_64 rng(42);
  std::vector<std::string> probes;
  probes.reserve(kProbes);
  for (std::size_t i = 0; i < kProbes; ++i) {
    probes.push_back(hits ? fixture.tokens[rng() % fixture.tokens.size()] : RandomToken(rng));
  }
  return probes;
}

void BM_FindHit(benchmark::State& state) {
  const Fixture& fixture = GetFixture(static_cast<std::size_t>(state.range(0)));
  const std::vector<std::string> probes = Probes(fixture, true);
  std::size_t i = 0;
  for (auto _ : state) {
    std::optional<kauth::UserInfo> user = fixture.file->Find(probes[i++ & (probes.size() - 1)]);
    if (!user) state.SkipWithError("hit missed");
    benchmark::DoNotOptimize(user);
  }
}
BENCHMARK(BM_FindHit)->Arg(10'000)->Arg(1'000'000);

void BM_FindMiss(benchmark::State& state) {
  const Fixture& fixture = GetFixture(static_cast<std::size_t>(state.range(0)));
  const std::vector<std::string> probes = Probes(fixture, false);
  std::size_t i = 0;
  for (auto _ : state) {
    std::optional<kauth::UserInfo> user = fixture.file->Find(probes[i++ & (probes.size() - 1)]);
    benchmark::DoNotOptimize(user);
  }
}
BENCHMARK(BM_FindMiss)->Arg(10'000)->Arg(1'000'000);

std::size_t ResidentBytes() {
  long pages = 0;
  long resident = 0;
  if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(statm);
  }
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::size_t MallocBytes() {
  const struct mallinfo2 info = ::mallinfo2();
  return info.uordblks + info.hblkhd;
}

void BM_Parse(benchmark::State& state) {
  const std::size_t count = static_cast<std::size_t>(state.range(0));
  const Fixture& fixture = GetFixture(count);

  // Measured once, outside the timed loop, on a fresh heap.
  ::malloc_trim(0);
  const std::size_t malloc_before = MallocBytes();
  const std::size_t resident_before = ResidentBytes();
  std::size_t malloc_after = 0;
  std::size_t resident_after = 0;
  {
    const auto kept = kauth::TokenFile::Parse(fixture.contents, "bench.csv");
    malloc_after = MallocBytes();
    resident_after = ResidentBytes();
  }

  for (auto _ : state) {
    auto parsed = kauth::TokenFile::Parse(fixture.contents, "bench.csv");
    if (!parsed.has_value() || (*parsed)->size() != count) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parsed);
  }
  const auto per_token = [count](std::size_t before, std::size_t after) {
    return after > before ? static_cast<double>(after - before) / static_cast<double>(count) : 0.0;
  };
  state.counters["malloc_bytes_per_token"] = per_token(malloc_before, malloc_after);
  state.counters["rss_bytes_per_token"] = per_token(resident_before, resident_after);
  state.counters["file_bytes_per_token"] =
      static_cast<double>(fixture.contents.size()) / static_cast<double>(count);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(count));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(fixture.contents.size()));
}
BENCHMARK(BM_Parse)->Arg(10'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Parse)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);

// Load = read + Parse, the start-up cost that the 2 s budget is about.
void BM_Load(benchmark::State& state) {
  const std::size_t count = static_cast<std::size_t>(state.range(0));
  const Fixture& fixture = GetFixture(count);
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("kauth-bench-tokens-" + std::to_string(::getpid())))
                               .string();
  {
    std::ofstream out(path, std::ios::binary);
    out << fixture.contents;
  }
  for (auto _ : state) {
    auto loaded = kauth::TokenFile::Load(path);
    if (!loaded.has_value()) state.SkipWithError("load failed");
    benchmark::DoNotOptimize(loaded);
  }
  std::filesystem::remove(path);
}
BENCHMARK(BM_Load)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
