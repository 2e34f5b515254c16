// ReloadableServingCertificates: kauthd's serving certificates (--tls-cert-file and
// --tls-private-key-file, the --cert-dir pair, every --tls-sni-cert-key pair) kept current while
// the server runs, as kube-apiserver's dynamic serving and SNI certificate controllers do.
//
// A watcher per file re-reads the pairs on file system events (write in place, rename into
// place, Kubernetes' `..data` symlink swap), every poll interval, and on RequestReload. Each
// pair is read whole, cert and key, and checked as a pair (CertifiedKey::FromPem) before it can
// replace the one in force, so the two files may be replaced in either order: until both are
// new, the pair fails to match and the old one stays. A pair whose bytes equal those in force
// changes nothing; a pair that fails (unreadable, no PEM data, a key that is not the
// certificate's) keeps the one in force and its error stands in status() until a later read
// succeeds. When any pair changed, a new ServingCertificates is built and swapped in with one
// atomic pointer swap: new handshakes present the new certificate; connections already
// established keep theirs. Listeners hear about every attempt.
//
// A generated self-signed default kept in memory (no --cert-dir) is served as is.
//
// Ownership and thread-safety: create with Load and share as shared_ptr; every method is
// thread-safe. The watcher threads hold no reference: destroying the object stops them.
#ifndef KAUTH_SERVER_RELOADABLE_SERVING_CERTIFICATES_H_
#define KAUTH_SERVER_RELOADABLE_SERVING_CERTIFICATES_H_

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
#include "server/serving_certificates.h"

namespace kauth::watch {
class FileWatcher;
}

namespace kauth::server {

// --tls-sni-cert-key certfile,keyfile[:name1,name2].
struct SniCertificateFiles {
  std::string cert_file;
  std::string key_file;
  // Empty: the certificate's own names (CertifiedKey::DefaultSniNames).
  std::vector<std::string> names;
};

struct ReloadableServingCertificatesOptions {
  // The default pair's files (--tls-cert-file / --tls-private-key-file, or the --cert-dir pair).
  std::optional<ServingCertificate> default_files;
  // Without default_files: a pair served as is (a self-signed one kept in memory). One of the
  // two is required.
  std::optional<ServingKeyPair> fixed_default;
  // --tls-sni-cert-key, in flag order.
  std::vector<SniCertificateFiles> sni;
  // Start the watcher threads. Without them only Reload() re-reads the files.
  bool watch = true;
  // The fallback re-read's period, and the event settling times (watch/file_watcher.h).
  std::chrono::milliseconds poll_interval = std::chrono::seconds(10);
  std::chrono::milliseconds settle = std::chrono::milliseconds(100);
  std::chrono::milliseconds max_settle = std::chrono::milliseconds(500);
};

// The outcome of one reload attempt over every pair.
struct ServingCertificateReload {
  // A new set is in force (some pair changed and loaded).
  bool swapped = false;
  // The pairs that changed and loaded, by name ("serving-cert::<cert>::<key>",
  // "sni-serving-cert::<cert>::<key>", kube-apiserver's names).
  std::vector<std::string> reloaded;
  // One message per pair that failed; the pair in force stays for each:
  // "<name> failed with : <reason>", e.g. `serving-cert::/a.crt::/a.key failed with : invalid
  // serving cert keypair (/a.crt, /a.key): tls: private key does not match public key`.
  std::vector<std::string> errors;
};

struct ServingCertificateReloadStatus {
  std::uint64_t swaps = 0;     // attempts that swapped in a new set, the initial load not counted
  std::uint64_t failures = 0;  // attempts with at least one failing pair
  // The last attempt's errors, joined with "; ", while they stand; nullopt otherwise.
  std::optional<std::string> last_error;
  // When the set in force was built.
  std::chrono::system_clock::time_point last_success;
};

class ReloadableServingCertificates final : public ServingCertificateProvider {
 public:
  // Loads every pair; the first error is returned (start-up fails fast): a read error
  // ("open <path>: <reason>", "<path>: no certificate found", "<path>: no private key found")
  // or CertifiedKey::FromPem's, prefixed for SNI pairs with "failed to load SNI cert and key: ".
  static Result<std::shared_ptr<ReloadableServingCertificates>> Load(
      ReloadableServingCertificatesOptions options);

  ~ReloadableServingCertificates() override;
  ReloadableServingCertificates(const ReloadableServingCertificates&) = delete;
  ReloadableServingCertificates& operator=(const ReloadableServingCertificates&) = delete;

  // The set in force; never null.
  std::shared_ptr<const ServingCertificates> Current() const override;

  // Re-reads every pair now on the calling thread (attempts are serialised with the watchers')
  // and returns what happened, after the listeners have run.
  ServingCertificateReload Reload();
  // Asks the watchers to reload soon; a no-op without them. Async-signal-safe.
  void RequestReload() noexcept;

  using Listener = std::function<void(const ServingCertificateReload&)>;
  // `listener` runs after every later attempt, on the thread that made it, after the swap. It
  // must be quick and must not call Reload.
  void AddListener(Listener listener);

  ServingCertificateReloadStatus status() const;

 private:
  struct Pair;
  explicit ReloadableServingCertificates(ReloadableServingCertificatesOptions options);

  const ReloadableServingCertificatesOptions options_;
  std::atomic<std::shared_ptr<const ServingCertificates>> current_;

  std::mutex reload_mu_;     // serialises attempts; guards pairs_
  std::vector<Pair> pairs_;  // the default first, then the SNI pairs in order

  mutable std::mutex status_mu_;  // guards status_ and listeners_
  ServingCertificateReloadStatus status_;
  std::vector<std::shared_ptr<const Listener>> listeners_;

  std::vector<std::unique_ptr<watch::FileWatcher>> watchers_;  // last: stopped first
};

}  // namespace kauth::server

#endif  // KAUTH_SERVER_RELOADABLE_SERVING_CERTIFICATES_H_
