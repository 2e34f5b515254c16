// ReloadableCaBundle: a CA bundle file (--client-ca-file, --requestheader-client-ca-file) kept
// current while the server runs, as Kubernetes' dynamic CA file content does (R5.7).
//
// A watcher thread re-reads the file on file system events (write in place, rename into place,
// Kubernetes' `..data` symlink swap), every poll interval, and on RequestReload. A re-read whose
// bytes equal those in force changes nothing. Otherwise the bytes are parsed as CaBundle::FromPem
// parses them: a good bundle replaces the one in force in one atomic pointer swap (a handshake or
// a verification sees the old bundle or the new one, never a mix); a bad file (unreadable, empty,
// no certificate, a malformed certificate) is rejected whole, the bundle in force stays, and the
// error is kept for status() until a later read succeeds or the file is back to the bytes in
// force. Listeners (metrics, logging) hear about every attempt.
//
// Where R5.7 retries a failed re-read with exponential back-off, the next event or poll retries
// here: the result is the same (the old bundle serves until a good file appears).
//
// The library never logs: what to log is in the CaBundleReload each listener receives.
//
// Ownership and thread-safety: create with Load and share as shared_ptr; every method is
// thread-safe. The watcher thread holds no reference: destroying the object stops and joins it.
#ifndef KAUTH_RELOADABLE_CA_BUNDLE_H_
#define KAUTH_RELOADABLE_CA_BUNDLE_H_

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
#include "kauth/x509.h"

namespace kauth {

namespace watch {
class FileWatcher;
}

struct ReloadableCaBundleOptions {
  // The file. Required.
  std::string path;
  // R5.7's purpose: "client-ca-bundle" (--client-ca-file) or "request-header"
  // (--requestheader-client-ca-file). Names the bundle in errors: "<purpose>::<path>".
  std::string purpose = "client-ca-bundle";
  // Start the watcher thread. Without it only Reload() re-reads the file.
  bool watch = true;
  // The fallback re-read's period (a CA file is small: it is simply read and compared).
  std::chrono::milliseconds poll_interval = std::chrono::seconds(10);
  // How long file system events must pause before the file is re-read, and the longest a
  // re-read waits while events keep coming.
  std::chrono::milliseconds settle = std::chrono::milliseconds(100);
  std::chrono::milliseconds max_settle = std::chrono::milliseconds(500);
};

// The outcome of one reload attempt.
struct CaBundleReload {
  enum class Outcome {
    kSwapped,    // a new bundle is in force
    kUnchanged,  // the bytes equal those in force; nothing done
    kFailed,     // unreadable or unparsable; the bundle in force stays
  };
  Outcome outcome = Outcome::kUnchanged;
  // kFailed: CaBundle::LoadFile's message, e.g. `error loading CA bundle for
  // "client-ca-bundle::/ca.crt": data does not contain any valid RSA or ECDSA certificates`.
  std::string error;
  // kSwapped: the new bundle's certificate count.
  std::size_t certificates = 0;
};

struct CaBundleReloadStatus {
  std::uint64_t swaps = 0;     // successful reloads, the initial load not counted
  std::uint64_t failures = 0;  // failed reloads
  // The last attempt's error while it stands (the file is still not good); nullopt otherwise.
  std::optional<std::string> last_error;
  // When the bundle in force was loaded.
  std::chrono::system_clock::time_point last_success;
};

class ReloadableCaBundle final : public CaBundleProvider {
 public:
  // Loads the file (any error is returned, so start-up fails fast with R5.7's start-up
  // messages, see CaBundle::LoadFile) and, with options.watch, starts the watcher.
  static Result<std::shared_ptr<ReloadableCaBundle>> Load(ReloadableCaBundleOptions options);

  ~ReloadableCaBundle() override;
  ReloadableCaBundle(const ReloadableCaBundle&) = delete;
  ReloadableCaBundle& operator=(const ReloadableCaBundle&) = delete;

  // The bundle in force; never nullptr.
  std::shared_ptr<const CaBundle> Current() const override;

  // Re-reads the file now on the calling thread (attempts are serialised with the watcher's)
  // and returns what happened, after the listeners have run.
  CaBundleReload Reload();
  // Asks the watcher thread to reload soon; a no-op without a watcher. Async-signal-safe.
  void RequestReload() noexcept;

  using Listener = std::function<void(const CaBundleReload&)>;
  // `listener` runs after every later attempt, on the thread that made it, after the swap and
  // before the next attempt. It must be quick and must not call Reload.
  void AddListener(Listener listener);

  CaBundleReloadStatus status() const;
  const std::string& path() const { return options_.path; }
  // "<purpose>::<path>", R5.7's name for the bundle.
  std::string name() const { return options_.purpose + "::" + options_.path; }

 private:
  explicit ReloadableCaBundle(ReloadableCaBundleOptions options);

  const ReloadableCaBundleOptions options_;
  std::atomic<std::shared_ptr<const CaBundle>> current_;

  std::mutex reload_mu_;  // serialises attempts

  mutable std::mutex status_mu_;  // guards status_ and listeners_
  CaBundleReloadStatus status_;
  std::vector<std::shared_ptr<const Listener>> listeners_;

  std::unique_ptr<watch::FileWatcher> watcher_;  // last: stopped first
};

}  // namespace kauth

#endif  // KAUTH_RELOADABLE_CA_BUNDLE_H_
