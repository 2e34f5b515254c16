#include "log/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <ctime>

#include "core/go_format.h"

namespace kauth::log {
namespace {

std::atomic<int> verbosity{0};
std::atomic<void (*)(std::string_view)> sink{nullptr};

void Write(char severity, std::string_view source, std::string_view message, KeyValues values) {
  std::string line = FormatLine(severity, source, message, values);
  if (auto* custom = sink.load()) {
    custom(line);
    return;
  }
  line.push_back('\n');
  // One write per line: lines from concurrent threads stay whole.
  const ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace

void SetVerbosity(int level) { verbosity.store(level); }
int Verbosity() { return verbosity.load(std::memory_order_relaxed); }

std::string FormatLine(char severity, std::string_view source, std::string_view message,
                       KeyValues values) {
  timeval now{};
  ::gettimeofday(&now, nullptr);
  std::tm utc{};
  ::gmtime_r(&now.tv_sec, &utc);
  char prefix[64];
  std::snprintf(prefix, sizeof(prefix), "%c%02d%02d %02d:%02d:%02d.%06ld %7d ", severity,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long>(now.tv_usec), static_cast<int>(::getpid()));
  std::string line = prefix;
  line += source;
  line += "] ";
  line += GoQuote(message);
  for (const auto& [key, value] : values) {
    line.push_back(' ');
    line += key;
    line.push_back('=');
    line += GoQuote(value);
  }
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

}  // namespace kauth::log
