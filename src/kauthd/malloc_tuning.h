// kauthd's glibc malloc settings, which must be in place before its first request.
#ifndef KAUTH_KAUTHD_MALLOC_TUNING_H_
#define KAUTH_KAUTHD_MALLOC_TUNING_H_

namespace kauth {

// The per-thread cache depth kauthd runs with (glibc's default is 7 blocks per size).
inline constexpr const char* kMallocTunables = "glibc.malloc.tcache_count=128";

// Re-executes kauthd once (same PID, same arguments) with kMallocTunables added to
// GLIBC_TUNABLES, which glibc reads only when a process starts. A proxied request holds a few
// dozen blocks of the same sizes across its wait for the upstream; with many requests in flight
// their frees overflow glibc's 7-deep per-thread cache into its shared bins, and on the W2
// benchmark that cost ~3 µs of CPU per request (11%). Returns without doing anything when
// GLIBC_TUNABLES already names glibc.malloc.tcache_count (the operator's choice, or this re-exec)
// or the C library is not glibc; returns when exec fails, and kauthd then runs with the default.
// Call first thing in main, before any thread starts.
void ReexecWithMallocTunables(char** argv);

}  // namespace kauth

#endif  // KAUTH_KAUTHD_MALLOC_TUNING_H_
