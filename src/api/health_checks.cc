#include "api/health_checks.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace kauth::api {
namespace {

constexpr const char* kShutdown = "shutdown";

std::optional<std::string> Ping() { return std::nullopt; }

}  // namespace

HealthChecks::HealthChecks() {
  healthz_.push_back({"ping", Ping});
  livez_.push_back({"ping", Ping});
  readyz_.push_back({"ping", Ping});
}

void HealthChecks::Add(std::vector<NamedHealthCheck>& list, std::string name, HealthCheck check) {
  bool valid = !name.empty() && name.find('/') == std::string::npos && name != kShutdown;
  for (const NamedHealthCheck& existing : list) valid = valid && existing.name != name;
  if (!valid || !check) {
    std::fprintf(stderr, "kauth: invalid or duplicate health check name %s\n", name.c_str());
    std::abort();
  }
  list.push_back({std::move(name), std::move(check)});
}

void HealthChecks::AddCheck(std::string name, HealthCheck check) {
  const std::lock_guard lock(mu_);
  Add(healthz_, name, check);
  Add(livez_, name, check);
  Add(readyz_, std::move(name), std::move(check));
}

void HealthChecks::AddLivezCheck(std::string name, HealthCheck check) {
  const std::lock_guard lock(mu_);
  Add(livez_, std::move(name), std::move(check));
}

void HealthChecks::AddReadyzCheck(std::string name, HealthCheck check) {
  const std::lock_guard lock(mu_);
  Add(readyz_, std::move(name), std::move(check));
}

void HealthChecks::SetShuttingDown() { shutting_down_.store(true); }

bool HealthChecks::shutting_down() const { return shutting_down_.load(); }

std::vector<NamedHealthCheck> HealthChecks::Checks(HealthEndpoint endpoint) const {
  std::vector<NamedHealthCheck> checks;
  {
    const std::lock_guard lock(mu_);
    switch (endpoint) {
      case HealthEndpoint::kHealthz:
        return healthz_;
      case HealthEndpoint::kLivez:
        return livez_;
      case HealthEndpoint::kReadyz:
        checks = readyz_;
        break;
    }
  }
  // kube-apiserver installs the shutdown check when it installs /readyz, after every other.
  checks.push_back({kShutdown, [this]() -> std::optional<std::string> {
                      if (shutting_down()) return "process is shutting down";
                      return std::nullopt;
                    }});
  return checks;
}

}  // namespace kauth::api
