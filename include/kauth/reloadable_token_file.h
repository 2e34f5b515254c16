// ReloadableTokenFile: the --token-auth-file table, kept current while the server runs (beyond
// Kubernetes, which reads the file once, R2.1; see docs/deviations.md).
//
// A watcher thread re-reads the file on file system events (write in place, rename into place,
// Kubernetes' `..data` symlink swap) and every poll interval, and on RequestReload (SIGHUP). A
// re-read whose bytes equal those in force changes nothing. Otherwise the bytes are parsed
// whole: a good file replaces the table in one atomic pointer swap (a lookup sees the old table
// or the new one, never a mix); a bad file is rejected whole, the table in force stays, and the
// error is kept for status() until a later read succeeds or the file is back to the bytes in
// force. Listeners (e.g. the token cache's Clear, metrics, logging) hear about every attempt.
//
// The library never logs: what to log is in the TokenFileReload each listener receives.
//
// Ownership and thread-safety: create with Load and share as shared_ptr; every method is
// thread-safe. The watcher thread holds no reference: destroying the object stops and joins it.
#ifndef KAUTH_RELOADABLE_TOKEN_FILE_H_
#define KAUTH_RELOADABLE_TOKEN_FILE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kauth/error.h"
#include "kauth/token_file.h"

namespace kauth {

namespace watch {
class FileWatcher;
}

struct ReloadableTokenFileOptions {
  // The file (--token-auth-file). Required.
  std::string path;
  // How to parse it (--token-auth-file-hashed).
  TokenFileOptions parse;
  // Start the watcher thread. Without it only Reload() re-reads the file.
  bool watch = true;
  // The fallback check's period: the file's stat(2) identity is compared, and the file re-read
  // when it differs.
  std::chrono::milliseconds poll_interval = std::chrono::seconds(10);
  // How long file system events must pause before the file is re-read (a burst of writes gives
  // one read), and the longest a re-read waits while events keep coming.
  std::chrono::milliseconds settle = std::chrono::milliseconds(100);
  std::chrono::milliseconds max_settle = std::chrono::milliseconds(500);
};

// The outcome of one reload attempt.
struct TokenFileReload {
  enum class Outcome {
    kSwapped,    // a new table is in force
    kUnchanged,  // the bytes equal those in force; nothing done
    kFailed,     // unreadable or unparsable; the table in force stays
  };
  Outcome outcome = Outcome::kUnchanged;
  // kFailed: the operator's message (file, line and reason, as TokenFile::Load words it).
  std::string error;
  // kSwapped: the new table's token count and its R2.3 warnings.
  std::size_t tokens = 0;
  std::vector<std::string> warnings;
};

struct TokenFileReloadStatus {
  std::uint64_t swaps = 0;     // successful reloads, the initial load not counted
  std::uint64_t failures = 0;  // failed reloads
  // The last attempt's error while it stands (the file is still not good); nullopt otherwise.
  std::optional<std::string> last_error;
  // When the table in force was loaded.
  std::chrono::system_clock::time_point last_success;
};

class ReloadableTokenFile final : public TokenFileProvider {
 public:
  // Loads the file (any error is returned, so start-up fails fast with TokenFile::Load's
  // message) and, with options.watch, starts the watcher.
  static Result<std::shared_ptr<ReloadableTokenFile>> Load(ReloadableTokenFileOptions options);

  ~ReloadableTokenFile() override;
  ReloadableTokenFile(const ReloadableTokenFile&) = delete;
  ReloadableTokenFile& operator=(const ReloadableTokenFile&) = delete;

  // The table in force; never nullptr.
  std::shared_ptr<const TokenFile> Current() const override;

  // Re-reads the file now on the calling thread (attempts are serialised with the watcher's)
  // and returns what happened, after the listeners have run.
  TokenFileReload Reload();
  // Asks the watcher thread to reload soon; a no-op without a watcher. Async-signal-safe, for a
  // SIGHUP handler.
  void RequestReload() noexcept;

  using Listener = std::function<void(const TokenFileReload&)>;
  // `listener` runs after every later attempt, on the thread that made it, after the swap and
  // before the next attempt. It must be quick and must not call Reload.
  void AddListener(Listener listener);

  TokenFileReloadStatus status() const;
  const std::string& path() const { return options_.path; }

 private:
  explicit ReloadableTokenFile(ReloadableTokenFileOptions options);
  struct Loaded;
  // Reads and compares; `only_if_stat_changed` skips the read when the file's identity is the
  // one last read (the periodic check).
  std::optional<TokenFileReload> Attempt(bool only_if_stat_changed);

  const ReloadableTokenFileOptions options_;
  std::atomic<std::shared_ptr<const TokenFile>> current_;

  std::mutex reload_mu_;  // serialises attempts; guards the fields below it
  std::unique_ptr<Loaded> loaded_;

  mutable std::mutex status_mu_;  // guards status_ and listeners_
  TokenFileReloadStatus status_;
  std::vector<std::shared_ptr<const Listener>> listeners_;

  std::unique_ptr<watch::FileWatcher> watcher_;  // last: stopped first
};

}  // namespace kauth

#endif  // KAUTH_RELOADABLE_TOKEN_FILE_H_
