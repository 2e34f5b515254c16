#include "kauthd/malloc_tuning.h"

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace kauth {

void ReexecWithMallocTunables(char** argv) {
#ifdef __GLIBC__
  const char* current = std::getenv("GLIBC_TUNABLES");
  const std::string previous = current != nullptr ? current : "";
  if (previous.find("glibc.malloc.tcache_count") != std::string::npos) return;
  const std::string value =
      previous.empty() ? std::string(kMallocTunables) : previous + ":" + kMallocTunables;
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  // /proc/self/exe rather than argv[0]: kauthd may have been started through a relative path or
  // a PATH lookup.
  execv("/proc/self/exe", argv);
  // No /proc (a bare chroot): run as started.
  if (current != nullptr) {
    setenv("GLIBC_TUNABLES", previous.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
#else
  (void)argv;
#endif
}

}  // namespace kauth
