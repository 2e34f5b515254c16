#include "log/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/go_format.h"

namespace kauth::log {
namespace {

std::vector<std::string>* captured = nullptr;

void Capture(std::string_view line) { captured->emplace_back(line); }

TEST(LogTest, KlogLineShape) {
  const std::string line =
      FormatLine('E', "authentication.cc", "Unable to authenticate the request",
                 {{"err", "invalid bearer token"}});
  EXPECT_TRUE(std::regex_match(
      line, std::regex(R"(E\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ authentication\.cc\] )"
                       R"("Unable to authenticate the request" err="invalid bearer token")")))
      << line;
}

TEST(LogTest, ValuesAreQuotedAndEscaped) {
  const std::string line = FormatLine('I', "x", "m", {{"v", "a\"b\\c\nd\x01"}});
  EXPECT_TRUE(line.ends_with(R"("m" v="a\"b\\c\nd\x01")")) << line;
}

// The quoting scans 8 bytes at a time: every byte value, at every position of a word and of
// the tail, must come out as Go's %q writes it (plain ASCII is %q's output too).
TEST(LogTest, EveryByteAtEveryPositionIsQuotedAsGoDoes) {
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 19u}) {
      for (std::size_t at = 0; at < length; ++at) {
        std::string value(length, 'a');
        value[at] = static_cast<char>(byte);
        const std::string line = FormatLine('I', "x", "m", {{"v", value}});
        const std::string want = "\"m\" v=" + GoQuote(value);
        ASSERT_TRUE(line.ends_with(want)) << "byte " << byte << " at " << at << " of " << length;
      }
    }
  }
}

TEST(LogTest, VerbosityFiltersOnlyByLevel) {
  std::vector<std::string> lines;
  captured = &lines;
  SetSinkForTesting(&Capture);
  SetVerbosity(2);
  EXPECT_TRUE(V(2));
  EXPECT_FALSE(V(3));
  Info("t", "hello");
  Error("t", "bad");
  SetSinkForTesting(nullptr);
  SetVerbosity(0);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0][0], 'I');
  EXPECT_EQ(lines[1][0], 'E');
}

// Lines reach standard error from the writer thread: whole, each thread's in order, and all of
// them once Flush returns.
TEST(LogTest, FlushWritesEveryLineWholeAndInOrder) {
  char path[] = "/tmp/kauth-log-test-XXXXXX";
  const int file = ::mkstemp(path);
  ASSERT_GE(file, 0);
  const int saved = ::dup(STDERR_FILENO);
  ASSERT_EQ(::dup2(file, STDERR_FILENO), STDERR_FILENO);
  constexpr int kThreads = 4;
  constexpr int kLines = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) {
        Info("t", "line", {{"thread", std::to_string(t)}, {"n", std::to_string(i)}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  Flush();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);

  std::ifstream in(path);
  std::string line;
  std::vector<int> next(kThreads, 0);
  int count = 0;
  const std::regex shape(R"re(I\d{4} [0-9:.]+ +\d+ t\] "line" thread="(\d)" n="(\d+)")re");
  while (std::getline(in, line)) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, shape)) << line;
    const int thread = std::stoi(match[1]);
    EXPECT_EQ(std::stoi(match[2]), next[static_cast<std::size_t>(thread)]++) << line;
    ++count;
  }
  EXPECT_EQ(count, kThreads * kLines);
  ::close(file);
  ::unlink(path);
}

// A writer blocked on a full pipe: past the 8 MiB backlog lines are dropped, never half
// written, and their count is logged once the writer catches up. Every line is accounted for.
TEST(LogTest, LinesBeyondTheBacklogAreDroppedWholeAndCounted) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const int saved = ::dup(STDERR_FILENO);
  ASSERT_EQ(::dup2(pipe_fds[1], STDERR_FILENO), STDERR_FILENO);
  ::close(pipe_fds[1]);
  constexpr int kLines = 200000;  // ~19 MiB of lines: more than twice the backlog
  const std::string padding(40, 'p');
  for (int i = 0; i < kLines; ++i) {
    Info("t", "flood", {{"n", std::to_string(i)}, {"pad", padding}});
  }
  std::string received;
  std::thread reader([&received, fd = pipe_fds[0]] {
    char chunk[65536];
    for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;) {
      received.append(chunk, static_cast<std::size_t>(n));
    }
  });
  Flush();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  reader.join();
  ::close(pipe_fds[0]);

  std::istringstream in(received);
  std::string line;
  int written = 0;
  long dropped = 0;
  const std::regex flood(R"re(I\d{4} [0-9:.]+ +\d+ t\] "flood" n="\d+" pad="p{40}")re");
  const std::regex note(R"re(W\d{4} [0-9:.]+ +\d+ log\.cc\] "Log lines dropped: the writer fell behind" count="(\d+)")re");
  while (std::getline(in, line)) {
    std::smatch match;
    if (std::regex_match(line, match, note)) {
      dropped += std::stol(match[1]);
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, flood)) << line.substr(0, 200);
    ++written;
  }
  EXPECT_GT(dropped, 0);
  EXPECT_GT(written, 0);
  EXPECT_EQ(written + dropped, kLines) << written << " written, " << dropped << " dropped";
}

}  // namespace
}  // namespace kauth::log
