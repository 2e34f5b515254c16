// HealthChecks: the named checks behind /healthz, /livez and /readyz, kept the way
// kube-apiserver keeps them: a check added with AddCheck serves all three endpoints,
// AddLivezCheck and AddReadyzCheck only one. Every endpoint starts with "ping" (always ok), and
// /readyz ends with "shutdown", which fails with "process is shutting down" once
// SetShuttingDown was called (kube-apiserver's readiness stop during graceful shutdown).
//
// A check returns nullopt when healthy, or the reason it is not (written to the log and to the
// per-check endpoint, never to the aggregate endpoints). Checks run on the request's thread, so
// they must be quick and thread-safe.
//
// Thread-safe: checks may be added while requests are being served.
#ifndef KAUTH_API_HEALTH_CHECKS_H_
#define KAUTH_API_HEALTH_CHECKS_H_

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace kauth::api {

using HealthCheck = std::function<std::optional<std::string>()>;

enum class HealthEndpoint { kHealthz, kLivez, kReadyz };

struct NamedHealthCheck {
  std::string name;
  HealthCheck check;
};

class HealthChecks {
 public:
  HealthChecks();
  HealthChecks(const HealthChecks&) = delete;
  HealthChecks& operator=(const HealthChecks&) = delete;

  // `name` becomes a path segment (/readyz/<name>); it must be unique per endpoint, non-empty,
  // and must not contain '/'. A duplicate or invalid name is a programming error and aborts.
  void AddCheck(std::string name, HealthCheck check);
  void AddLivezCheck(std::string name, HealthCheck check);
  void AddReadyzCheck(std::string name, HealthCheck check);

  // Makes /readyz's "shutdown" check fail from now on. Cannot be undone.
  void SetShuttingDown();
  bool shutting_down() const;

  // The checks of `endpoint` in the order they are run and printed.
  std::vector<NamedHealthCheck> Checks(HealthEndpoint endpoint) const;

 private:
  void Add(std::vector<NamedHealthCheck>& list, std::string name, HealthCheck check);

  mutable std::mutex mu_;
  std::vector<NamedHealthCheck> healthz_;
  std::vector<NamedHealthCheck> livez_;
  std::vector<NamedHealthCheck> readyz_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace kauth::api

#endif  // KAUTH_API_HEALTH_CHECKS_H_
