#include "http/body.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "http/server_request.h"
#include "testing/run_sync.h"

namespace kauth::http {
namespace {

using kauth::testing::RunSync;
using Outcome = BodyReadResult::Outcome;

// Yields the given pieces, then fails when `fail_at_end`, else ends.
class PiecesSource final : public BodySource {
 public:
  PiecesSource(std::vector<std::string> pieces, std::optional<std::uint64_t> length,
               bool fail_at_end = false)
      : pieces_(std::move(pieces)), length_(length), fail_at_end_(fail_at_end) {}

  Awaitable<Result<std::string_view>> Read() override {
    ++reads;
    if (next_ < pieces_.size()) co_return std::string_view(pieces_[next_++]);
    if (fail_at_end_) co_return Error{"peer left"};
    co_return std::string_view();
  }
  std::optional<std::uint64_t> length() const override { return length_; }

  int reads = 0;

 private:
  std::vector<std::string> pieces_;
  std::optional<std::uint64_t> length_;
  bool fail_at_end_;
  std::size_t next_ = 0;
};

TEST(StringBodyTest, YieldsItsBodyOnceThenEnds) {
  StringBody body("abc");
  EXPECT_EQ(body.length(), 3u);
  EXPECT_EQ(*RunSync(body.Read()), "abc");
  EXPECT_EQ(*RunSync(body.Read()), "");
  EXPECT_EQ(*RunSync(body.Read()), "");
}

TEST(StringBodyTest, IsTakenWholeOnceThenReadsAsEnded) {
  StringBody body("abc");
  EXPECT_EQ(body.TakeWhole(), std::optional<std::string>("abc"));
  EXPECT_EQ(body.TakeWhole(), std::nullopt);
  EXPECT_EQ(*RunSync(body.Read()), "");
}

TEST(StringBodyTest, IsNotTakenWholeOnceRead) {
  StringBody body("abc");
  EXPECT_EQ(*RunSync(body.Read()), "abc");
  EXPECT_EQ(body.TakeWhole(), std::nullopt);
}

TEST(BodySourceTest, AStreamIsNotTakenWholeByDefault) {
  PiecesSource source({"ab"}, 2);
  EXPECT_EQ(source.TakeWhole(), std::nullopt);
  EXPECT_EQ(*RunSync(source.Read()), "ab");
}

TEST(ReadBodyTest, NoBodyReadsAsEmpty) {
  ServerRequest request;
  const BodyReadResult result = RunSync(request.ReadBody());
  EXPECT_EQ(result.outcome, Outcome::kOk);
  EXPECT_EQ(result.body, "");
}

TEST(ReadBodyTest, JoinsThePiecesUpToTheLimit) {
  PiecesSource source({"ab", "cd", "e"}, std::nullopt);
  ServerRequest request;
  request.set_body_source(&source);
  request.set_body_limit(5);
  const BodyReadResult result = RunSync(request.ReadBody());
  EXPECT_EQ(result.outcome, Outcome::kOk);
  EXPECT_EQ(result.body, "abcde");
}

TEST(ReadBodyTest, ChunkedBodyOverTheLimitIsTooLarge) {
  PiecesSource source({"ab", "cd", "ef"}, std::nullopt);
  ServerRequest request;
  request.set_body_source(&source);
  request.set_body_limit(5);
  const BodyReadResult result = RunSync(request.ReadBody());
  EXPECT_EQ(result.outcome, Outcome::kTooLarge);
  EXPECT_EQ(result.body, "");
}

TEST(ReadBodyTest, DeclaredLengthOverTheLimitIsRefusedWithoutReading) {
  PiecesSource source({"abcdef"}, 6);
  ServerRequest request;
  request.set_body_source(&source);
  request.set_body_limit(5);
  EXPECT_EQ(RunSync(request.ReadBody()).outcome, Outcome::kTooLarge);
  EXPECT_EQ(source.reads, 0);
}

TEST(ReadBodyTest, BrokenSourceIsReportedWithItsError) {
  PiecesSource source({"ab"}, std::nullopt, /*fail_at_end=*/true);
  ServerRequest request;
  request.set_body_source(&source);
  const BodyReadResult result = RunSync(request.ReadBody());
  EXPECT_EQ(result.outcome, Outcome::kBroken);
  EXPECT_EQ(result.error, "peer left");
}

TEST(ReadBodyTest, SetBodyIsAnInMemorySource) {
  ServerRequest request;
  request.set_body("{}");
  ASSERT_NE(request.body_source(), nullptr);
  EXPECT_EQ(request.body_source()->length(), 2u);
  EXPECT_EQ(RunSync(request.ReadBody()).body, "{}");
}

}  // namespace
}  // namespace kauth::http
