#include "watch/file_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>

namespace kauth::watch {
namespace {

using Clock = std::chrono::steady_clock;

// No IN_MODIFY: it fires on every write(2) to any file in the directory (a log file next to
// the credentials made each watcher wake per log line); a rewritten file ends with
// IN_CLOSE_WRITE, a replaced one with IN_MOVED_TO or IN_CREATE.
constexpr std::uint32_t kDirectoryEvents = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
                                           IN_CLOSE_WRITE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF |
                                           IN_MOVE_SELF | IN_ONLYDIR;

// After a wake-up for other names only, events are left to queue this long before the next
// read: a busy directory costs a few wake-ups a second instead of one per event, and a relevant
// event waits at most this much longer.
constexpr auto kOtherNamesBackoff = std::chrono::milliseconds(50);

std::string DirectoryOf(const std::string& path) {
  std::string directory = std::filesystem::path(path).parent_path().string();
  return directory.empty() ? "." : directory;
}

std::string NameOf(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

int PollTimeoutMs(Clock::time_point now, Clock::time_point deadline) {
  if (deadline <= now) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return static_cast<int>(std::min<std::int64_t>(ms, 60'000));
}

}  // namespace

Result<std::unique_ptr<FileWatcher>> FileWatcher::Start(FileWatcherOptions options,
                                                        Callback callback) {
  const int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    return Error{"watching " + options.path +
                 ": eventfd: " + std::system_category().message(errno)};
  }
  std::unique_ptr<FileWatcher> watcher(
      new FileWatcher(std::move(options), std::move(callback), wake_fd));
  watcher->inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  // Added before the thread starts, so that a change made as soon as Start returns is seen.
  watcher->EnsureWatch();
  watcher->thread_ = std::thread([w = watcher.get()] { w->Run(); });
  return watcher;
}

FileWatcher::FileWatcher(FileWatcherOptions options, Callback callback, int wake_fd)
    : options_(std::move(options)),
      callback_(std::move(callback)),
      directory_(DirectoryOf(options_.path)),
      name_(NameOf(options_.path)),
      wake_fd_(wake_fd) {}

FileWatcher::~FileWatcher() {
  stopping_.store(true);
  Trigger();
  if (thread_.joinable()) thread_.join();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  ::close(wake_fd_);
}

void FileWatcher::Trigger() noexcept {
  const std::uint64_t one = 1;
  // Only write(2): async-signal-safe. A full counter (never in practice) already wakes the thread.
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

bool FileWatcher::EnsureWatch() {
  if (inotify_fd_ < 0) return false;
  if (watch_ < 0) watch_ = ::inotify_add_watch(inotify_fd_, directory_.c_str(), kDirectoryEvents);
  watching_.store(watch_ >= 0);
  return watch_ >= 0;
}

bool FileWatcher::DrainEvents() {
  bool relevant = false;
  alignas(struct inotify_event) std::array<char, 16 * 1024> buffer;
  for (;;) {
    const ssize_t n = ::read(inotify_fd_, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (std::size_t at = 0; at < static_cast<std::size_t>(n);) {
      struct inotify_event event;
      std::memcpy(&event, buffer.data() + at, sizeof(event));
      const std::string_view name(buffer.data() + at + sizeof(event),
                                  ::strnlen(buffer.data() + at + sizeof(event), event.len));
      at += sizeof(event) + event.len;
      if (event.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
        // The directory went away: re-added at the next poll, as client-go re-adds its watch.
        if (event.mask & IN_IGNORED) {
          watch_ = -1;
          watching_.store(false);
        }
        relevant = true;
      } else if (event.mask & IN_Q_OVERFLOW) {
        relevant = true;
      } else if (name == name_ || name.starts_with("..")) {
        relevant = true;
      }
    }
  }
  return relevant;
}

void FileWatcher::Run() {
  Clock::time_point next_poll = Clock::now() + options_.poll_interval;
  // While `pending`, an event waits for the burst it belongs to to end. (Not an optional:
  // g++ 12 -O2 then warns that the time point may be used uninitialised.)
  bool pending = false;
  Clock::time_point first_event;
  Clock::time_point last_event;
  Clock::time_point quiet_until;  // inotify is not read before then (kOtherNamesBackoff)

  while (!stopping_.load()) {
    const Clock::time_point now = Clock::now();
    Clock::time_point deadline = next_poll;
    if (pending) {
      deadline = std::min(
          deadline, std::min(last_event + options_.settle, first_event + options_.max_settle));
    }
    const bool backing_off = now < quiet_until;
    if (backing_off) deadline = std::min(deadline, quiet_until);
    std::array<pollfd, 2> fds{pollfd{.fd = wake_fd_, .events = POLLIN, .revents = 0},
                              pollfd{.fd = inotify_fd_, .events = POLLIN, .revents = 0}};
    const nfds_t count = inotify_fd_ >= 0 && !backing_off ? 2 : 1;
    const int ready = ::poll(fds.data(), count, PollTimeoutMs(now, deadline));
    if (ready < 0 && errno != EINTR) {
      // Cannot happen with valid descriptors; avoid a busy loop all the same.
      std::this_thread::sleep_for(options_.settle);
    }
    if (stopping_.load()) break;

    if (fds[0].revents & POLLIN) {
      std::uint64_t counter = 0;
      [[maybe_unused]] const ssize_t n = ::read(wake_fd_, &counter, sizeof(counter));
      callback_(WatchReason::kForced);
    }
    if (count == 2 && (fds[1].revents & POLLIN)) {
      wakeups_.fetch_add(1, std::memory_order_relaxed);
      if (DrainEvents()) {
        last_event = Clock::now();
        if (!pending) first_event = last_event;
        pending = true;
      } else {
        quiet_until = Clock::now() + kOtherNamesBackoff;
      }
    }

    const Clock::time_point after = Clock::now();
    if (pending &&
        (after >= last_event + options_.settle || after >= first_event + options_.max_settle)) {
      pending = false;
      callback_(WatchReason::kEvent);
    }
    if (after >= next_poll) {
      next_poll = after + options_.poll_interval;
      const bool had_watch = watch_ >= 0;
      // A watch that comes back may have missed changes: the callback re-reads either way.
      EnsureWatch();
      callback_(had_watch || watch_ < 0 ? WatchReason::kPoll : WatchReason::kEvent);
    }
  }
}

}  // namespace kauth::watch
