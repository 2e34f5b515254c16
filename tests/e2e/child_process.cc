#include "e2e/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace kauth::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> CArgs(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& arg : argv) out.push_back(const_cast<char*>(arg.c_str()));
  out.push_back(nullptr);
  return out;
}

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  int err[2];
  if (::pipe(err) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(err[1], 2);
    const int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::close(err[0]);
    ::close(err[1]);
    auto args = CArgs(argv);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(err[1]);
  stderr_fd_ = err[0];
  SetNonBlocking(stderr_fd_);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
}

void ChildProcess::ReadAvailable(std::chrono::milliseconds wait) {
  if (stderr_fd_ < 0) return;
  pollfd fd{stderr_fd_, POLLIN, 0};
  ::poll(&fd, 1, static_cast<int>(wait.count()));
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(stderr_fd_, buffer, sizeof(buffer));
    if (n <= 0) break;
    stderr_.append(buffer, static_cast<std::size_t>(n));
  }
}

std::optional<std::string> ChildProcess::WaitForLine(const std::string& needle,
                                                     std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (std::size_t end; (end = stderr_.find('\n', scanned_)) != std::string::npos;) {
      std::string line = stderr_.substr(scanned_, end - scanned_);
      scanned_ = end + 1;
      if (line.find(needle) != std::string::npos) return line;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;  // exited: read what is left, then give up
      ReadAvailable(std::chrono::milliseconds(0));
      continue;
    }
    if (pid_ < 0 && stderr_.find('\n', scanned_) == std::string::npos) return std::nullopt;
    ReadAvailable(std::chrono::milliseconds(50));
  }
}

const std::string& ChildProcess::Stderr() {
  ReadAvailable(std::chrono::milliseconds(0));
  return stderr_;
}

std::optional<int> ChildProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, signal);
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ReadAvailable(std::chrono::milliseconds(0));
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    ReadAvailable(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

long ChildProcess::RssKiB() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

}  // namespace kauth::e2e
