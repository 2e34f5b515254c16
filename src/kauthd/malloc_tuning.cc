#include "kauthd/malloc_tuning.h"

#include <limits.h>
#include <unistd.h>

#include <array>
#include <cstddef>
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
  // The binary's own path rather than argv[0], which may have been a relative path or a PATH
  // lookup; resolved rather than /proc/self/exe itself, whose name would become the process
  // name ("exe" in ps, pkill, top).
  std::array<char, PATH_MAX> path{};
  const ssize_t length = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (length > 0 && static_cast<std::size_t>(length) < path.size() - 1) execv(path.data(), argv);
  // No /proc (a bare chroot), or exec failed: run as started.
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
