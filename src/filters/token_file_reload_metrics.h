// kauthd's view of token file reloads (beyond Kubernetes, whose token file is read once): every
// attempt is logged and counted, so an operator can alert on a file that stopped loading.
//
//   kauth_token_file_reloads_total{result="success"|"failure"}        counter
//   kauth_token_file_last_reload_success_timestamp_seconds           gauge (Unix time of the
//                                                                    table in force)
//
// Both ALPHA. An identical re-read is neither: nothing was loaded. Log lines never carry a token:
// errors name the file, line and reason only.
#ifndef KAUTH_FILTERS_TOKEN_FILE_RELOAD_METRICS_H_
#define KAUTH_FILTERS_TOKEN_FILE_RELOAD_METRICS_H_

#include "kauth/reloadable_token_file.h"
#include "metrics/registry.h"

namespace kauth::filters {

// Registers the metrics above and adds a listener to `file` that logs and records each reload.
// Call once per registry; the registry must outlive `file`'s watcher.
void ObserveTokenFileReloads(metrics::Registry& registry, ReloadableTokenFile& file);

}  // namespace kauth::filters

#endif  // KAUTH_FILTERS_TOKEN_FILE_RELOAD_METRICS_H_
