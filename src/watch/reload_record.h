// RecordReloadAttempt: the bookkeeping every reloadable credential keeps about its reload attempts
// (for /readyz detail and metrics), shared so that the token file and the CA bundles count alike.
#ifndef KAUTH_WATCH_RELOAD_RECORD_H_
#define KAUTH_WATCH_RELOAD_RECORD_H_

#include <chrono>

namespace kauth {

// Updates `status` (swaps, failures, last_success, last_error) for one attempt. `Reload` has an
// `outcome` of kSwapped, kUnchanged or kFailed and, for kFailed, an `error`. The caller holds the
// lock that guards `status`.
template <typename Reload, typename Status>
void RecordReloadAttempt(const Reload& reload, Status& status) {
  using Outcome = typename Reload::Outcome;
  switch (reload.outcome) {
    case Outcome::kSwapped:
      ++status.swaps;
      status.last_error.reset();
      status.last_success = std::chrono::system_clock::now();
      break;
    case Outcome::kUnchanged:
      // Back to the bytes in force: whatever failed before no longer stands.
      status.last_error.reset();
      break;
    case Outcome::kFailed:
      ++status.failures;
      status.last_error = reload.error;
      break;
  }
}

}  // namespace kauth

#endif  // KAUTH_WATCH_RELOAD_RECORD_H_
