// Runs kauthd as a child process for the end-to-end tests. (Clients run through
// tests/server/server_test_support.h's RunCommand.)
#ifndef KAUTH_TESTS_E2E_CHILD_PROCESS_H_
#define KAUTH_TESTS_E2E_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kauth::e2e {

// A long-running child process (kauthd). Its standard error is captured line by line.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();  // SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Reads standard error until a line contains `needle` (returns it) or `timeout` passes.
  std::optional<std::string> WaitForLine(const std::string& needle,
                                         std::chrono::milliseconds timeout);
  // Everything read from standard error so far, plus what is available now.
  const std::string& Stderr();
  // Sends `signal` and waits up to `timeout` for exit; the exit code, or nullopt.
  std::optional<int> Stop(int signal, std::chrono::milliseconds timeout);
  // Resident set size in KiB, from /proc.
  long RssKiB() const;

 private:
  void ReadAvailable(std::chrono::milliseconds wait);

  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::string stderr_;
  std::size_t scanned_ = 0;
};

}  // namespace kauth::e2e

#endif  // KAUTH_TESTS_E2E_CHILD_PROCESS_H_
