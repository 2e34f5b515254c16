#include "log/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/go_format.h"
#include "core/strings.h"

namespace kauth::log {
namespace {

// The klog line, appended to `line` (FormatLine's text).
void AppendLine(std::string& line, char severity, std::string_view source,
                std::string_view message, KeyValues values);

std::atomic<int> verbosity{0};
std::atomic<void (*)(std::string_view)> sink{nullptr};

// Lines go to standard error from a writer thread, so that a request that logs (every refused
// credential does, as in kube-apiserver) never waits for a write(2) to a pipe or terminal: under
// a flood of bad credentials the server thread only formats and appends. Lines stay whole and in
// order. When the writer falls behind by more than kMaxPendingBytes, lines are dropped and the
// count is written once it catches up, rather than blocking the server or growing without bound.
class Writer {
 public:
  static constexpr std::size_t kMaxPendingBytes = std::size_t{8} << 20;

  static Writer& Get() {
    // Leaked on purpose: other static destructors may still log at exit; Flush runs at exit.
    static Writer* writer = [] {
      auto* created = new Writer();
      std::atexit([] { Writer::Get().Flush(); });
      return created;
    }();
    return *writer;
  }

  // Formats the line straight into the pending text (no string of its own per line: a refused
  // credential logs one on the request path).
  void Append(char severity, std::string_view source, std::string_view message,
              KeyValues values) {
    std::lock_guard lock(mu_);
    const std::size_t before = pending_.size();
    try {
      AppendLine(pending_, severity, source, message, values);
    } catch (...) {
      pending_.resize(before);  // no half line for the next one to be glued to
      throw;
    }
    if (pending_.size() + 1 > kMaxPendingBytes) {
      pending_.resize(before);
      ++dropped_;
      return;
    }
    pending_.push_back('\n');
    ++appended_;
    if (!started_) {
      started_ = true;
      std::thread([this] { Run(); }).detach();
    }
    // Only a sleeping writer needs waking; a busy one takes everything pending next round.
    if (writer_idle_) {
      writer_idle_ = false;
      wake_.notify_one();
    }
  }

  // Returns once everything appended so far was written.
  void Flush() {
    std::unique_lock lock(mu_);
    const std::uint64_t wanted = appended_;
    ++flushes_waiting_;
    writer_idle_ = false;
    wake_.notify_one();
    flushed_.wait(lock, [&] { return written_ >= wanted; });
    --flushes_waiting_;
  }

 private:
  void Run() {
    std::string batch;
    std::unique_lock lock(mu_);
    for (;;) {
      writer_idle_ = pending_.empty() && dropped_ == 0;
      wake_.wait(lock, [&] { return !pending_.empty() || dropped_ > 0; });
      writer_idle_ = false;
      // Under a flood of lines (every refused credential logs one), gather 10 ms worth per
      // write(2) instead of waking and writing per line: each wake-up of this thread preempts
      // the server thread on a small machine (2 ms here cost ~0.5 µs per refused request).
      if (flushes_waiting_ == 0 && pending_.size() < kBatchBytes) {
        lock.unlock();
        std::this_thread::sleep_for(kGatherTime);
        lock.lock();
      }
      batch.swap(pending_);
      const std::uint64_t dropped = dropped_;
      dropped_ = 0;
      const std::uint64_t appended = appended_;
      lock.unlock();
      if (dropped > 0) {
        batch += FormatLine('W', "log.cc", "Log lines dropped: the writer fell behind",
                            {{"count", std::to_string(dropped)}});
        batch.push_back('\n');
      }
      WriteAll(batch);
      batch.clear();
      lock.lock();
      written_ = appended;
      flushed_.notify_all();
    }
  }

  static void WriteAll(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::write(STDERR_FILENO, data.data(), data.size());
      if (n <= 0) return;  // nowhere to report it
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  std::string pending_;
  static constexpr std::size_t kBatchBytes = 64 * 1024;
  static constexpr auto kGatherTime = std::chrono::milliseconds(10);
  bool writer_idle_ = false;  // the writer waits for lines and must be woken
  int flushes_waiting_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t appended_ = 0;  // lines appended so far
  std::uint64_t written_ = 0;   // of which written
  bool started_ = false;
};

void Write(char severity, std::string_view source, std::string_view message, KeyValues values) {
  if (auto* custom = sink.load()) {
    custom(FormatLine(severity, source, message, values));
    return;
  }
  Writer::Get().Append(severity, source, message, values);
}

int ProcessId() {
  static const int pid = static_cast<int>(::getpid());  // glibc no longer caches it
  return pid;
}

}  // namespace

void SetVerbosity(int level) { verbosity.store(level); }
int Verbosity() { return verbosity.load(std::memory_order_relaxed); }

namespace {

// Whether any of the 8 bytes in `word` needs escaping: the bit tricks for "has a byte less than
// n" and "has a byte equal to n" (exact as to whether one exists), so that a refusal's log line
// is scanned 8 bytes a step instead of one.
bool WordNeedsEscape(std::uint64_t word) {
  constexpr std::uint64_t kOnes = ~std::uint64_t{0} / 255;
  constexpr std::uint64_t kHighBits = kOnes * 0x80;
  const auto has_zero = [](std::uint64_t v) { return ((v - kOnes) & ~v & kHighBits) != 0; };
  const bool below_space = ((word - kOnes * 0x20) & ~word & kHighBits) != 0;
  const bool high_bit = (word & kHighBits) != 0;
  return below_space || high_bit || has_zero(word ^ (kOnes * 0x7F)) ||
         has_zero(word ^ (kOnes * '"')) || has_zero(word ^ (kOnes * '\\'));
}

bool PlainAscii(std::string_view text) {
  const std::size_t n = text.size();
  if (n == 0) return true;
  // Short text in one word padded with spaces, which need no escape; longer text ends with an
  // overlapping word instead of a byte-by-byte tail.
  if (n < 8) return !WordNeedsEscape(LoadUpTo8(text.data(), n));
  const auto word_at = [&text](std::size_t i) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof word);
    return word;
  };
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    if (WordNeedsEscape(word_at(i))) return false;
  }
  return n % 8 == 0 || !WordNeedsEscape(word_at(n - 8));
}

// Go's %q, appended in place; plain printable ASCII (nearly every value) needs no GoQuote.
void AppendQuoted(std::string& line, std::string_view text) {
  if (!PlainAscii(text)) {
    line += GoQuote(text);
    return;
  }
  line.push_back('"');
  line += text;
  line.push_back('"');
}

// The process ID as klog writes it: right-aligned in 7 columns, then a space. Fixed for the
// process's life, so formatted once.
std::string_view PaddedProcessId() {
  static const std::string padded = [] {
    std::string digits = std::to_string(ProcessId());
    if (digits.size() < 7) digits.insert(0, 7 - digits.size(), ' ');
    return digits + ' ';
  }();
  return padded;
}

void AppendLine(std::string& line, char severity, std::string_view source,
                std::string_view message, KeyValues values) {
  timeval now{};
  ::gettimeofday(&now, nullptr);
  // "mmdd hh:mm:ss." changes once a second: formatted once per second per thread. The line's
  // fixed head is then assembled in a stack buffer and appended at once (a refused credential's
  // line is written on the request path).
  thread_local time_t cached_second = -1;
  thread_local std::array<char, 64> cached_time;  // "mmdd hh:mm:ss." and a NUL
  if (now.tv_sec != cached_second) {
    std::tm utc{};
    ::gmtime_r(&now.tv_sec, &utc);
    std::snprintf(cached_time.data(), cached_time.size(), "%02d%02d %02d:%02d:%02d.",
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached_second = now.tv_sec;
  }
  constexpr std::size_t kTimeLength = 14;  // "mmdd hh:mm:ss."
  std::array<char, 1 + kTimeLength + 6> head;
  head[0] = severity;
  std::memcpy(head.data() + 1, cached_time.data(), kTimeLength);
  auto micros = static_cast<unsigned long>(now.tv_usec);
  for (std::size_t i = head.size(); i > 1 + kTimeLength; --i) {
    head[i - 1] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  const std::string_view pid = PaddedProcessId();
  std::size_t size = head.size() + 1 + pid.size() + source.size() + 2 + message.size() + 2;
  for (const auto& [key, value] : values) size += key.size() + value.size() + 4;
  line.reserve(line.size() + size + 16);
  line.append(head.data(), head.size());
  line.push_back(' ');
  line.append(pid);
  line.append(source);
  line.append("] ", 2);
  AppendQuoted(line, message);
  for (const auto& [key, value] : values) {
    line.push_back(' ');
    line.append(key);
    line.push_back('=');
    AppendQuoted(line, value);
  }
}

}  // namespace

std::string FormatLine(char severity, std::string_view source, std::string_view message,
                       KeyValues values) {
  std::string line;
  AppendLine(line, severity, source, message, values);
  return line;
}

void Info(std::string_view source, std::string_view message, KeyValues values) {
  Write('I', source, message, values);
}
void Warning(std::string_view source, std::string_view message, KeyValues values) {
  Write('W', source, message, values);
}
void Error(std::string_view source, std::string_view message, KeyValues values) {
  Write('E', source, message, values);
}

void SetSinkForTesting(void (*custom)(std::string_view line)) { sink.store(custom); }

void Flush() { Writer::Get().Flush(); }

}  // namespace kauth::log
