// FileWatcher: tells a callback, on its own thread, when a file may have changed, so that
// credentials can be reloaded without a restart.
//
// It watches the file's directory with inotify rather than the file itself: an inotify watch on
// a file follows the inode, so it goes quiet when a new file is renamed into place, and
// Kubernetes' Secret and ConfigMap volumes replace files by re-pointing the `..data` symlink.
// Events for the file's name and for names starting with ".." (the `..data` swap) count (a
// file is seen rewritten when its writer closes it: plain writes are not watched); after
// the first, the watcher waits until events pause (`settle`, bounded by `max_settle`) so that a
// burst of writes gives one callback. As a fallback (inotify unavailable, a file system without
// events such as NFS, a watch lost with its directory, a symlink into another directory) the
// callback also runs every `poll_interval`; the watch is re-added then if it was lost.
//
// The callback runs on the watcher's thread only, one call at a time; it must not throw and
// must not destroy the watcher. It decides whether anything changed (the watcher over-reports).
//
// Thread-safety: Trigger may be called from any thread and from a signal handler. Destruction
// stops the thread and waits for a running callback.
#ifndef KAUTH_WATCH_FILE_WATCHER_H_
#define KAUTH_WATCH_FILE_WATCHER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "kauth/error.h"

namespace kauth::watch {

struct FileWatcherOptions {
  // The file to watch. Its directory must exist when the watcher starts.
  std::string path;
  // The fallback check's period.
  std::chrono::milliseconds poll_interval = std::chrono::seconds(10);
  // Quiet time after a file system event before the callback runs, and its upper bound while
  // events keep coming.
  std::chrono::milliseconds settle = std::chrono::milliseconds(100);
  std::chrono::milliseconds max_settle = std::chrono::milliseconds(500);
};

// Why the callback runs.
enum class WatchReason {
  kEvent,   // a file system event (or a watch re-established after it was lost)
  kPoll,    // the periodic fallback
  kForced,  // Trigger()
};

class FileWatcher {
 public:
  using Callback = std::function<void(WatchReason)>;

  // Starts the thread. Fails only when the thread's wake-up descriptor cannot be created; an
  // inotify failure (e.g. the per-user instance limit) leaves the poll alone in charge.
  static Result<std::unique_ptr<FileWatcher>> Start(FileWatcherOptions options, Callback callback);
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Asks the thread to run the callback with kForced soon. Async-signal-safe.
  void Trigger() noexcept;
  // Whether an inotify watch is in place now (false: only the poll notices changes).
  bool watching() const { return watching_.load(); }
  // How many times the thread has read inotify events so far, relevant or not.
  std::uint64_t wakeups() const { return wakeups_.load(std::memory_order_relaxed); }

 private:
  FileWatcher(FileWatcherOptions options, Callback callback, int wake_fd);
  // Adds the directory watch if there is none; returns whether one is in place.
  bool EnsureWatch();
  // Reads pending inotify events; true when one concerns the file.
  bool DrainEvents();
  void Run();

  const FileWatcherOptions options_;
  const Callback callback_;
  const std::string directory_;
  const std::string name_;
  const int wake_fd_;  // eventfd: Trigger and stop
  int inotify_fd_ = -1;
  int watch_ = -1;  // used by the thread only, once started
  std::atomic<bool> stopping_{false};
  std::atomic<bool> watching_{false};
  std::atomic<std::uint64_t> wakeups_{0};
  std::thread thread_;
};

}  // namespace kauth::watch

#endif  // KAUTH_WATCH_FILE_WATCHER_H_
