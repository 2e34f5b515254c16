#include "api/health.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "api/responses.h"
#include "core/go_format.h"
#include "http/status.h"
#include "log/log.h"

namespace kauth::api {
namespace {

constexpr std::string_view kSource = "health.cc";

struct Target {
  HealthEndpoint endpoint;
  std::string_view name;   // "healthz", "livez" or "readyz"
  std::string_view check;  // empty for the endpoint itself
};

std::optional<Target> Parse(std::string_view path) {
  static constexpr std::pair<std::string_view, HealthEndpoint> kEndpoints[] = {
      {"healthz", HealthEndpoint::kHealthz},
      {"livez", HealthEndpoint::kLivez},
      {"readyz", HealthEndpoint::kReadyz}};
  if (!path.starts_with('/')) return std::nullopt;
  path.remove_prefix(1);
  for (const auto& [name, endpoint] : kEndpoints) {
    if (!path.starts_with(name)) continue;
    const std::string_view rest = path.substr(name.size());
    if (rest.empty()) return Target{endpoint, name, {}};
    if (rest.size() > 1 && rest[0] == '/') return Target{endpoint, name, rest.substr(1)};
  }
  return std::nullopt;
}

const NamedHealthCheck* Find(const std::vector<NamedHealthCheck>& checks, std::string_view name) {
  for (const NamedHealthCheck& check : checks) {
    if (check.name == name) return &check;
  }
  return nullptr;
}

http::ServerResponse TextResponse(unsigned status, std::string body, bool nosniff) {
  http::ServerResponse response;
  response.status = status;
  response.AddHeader("Content-Type", "text/plain; charset=utf-8");
  if (nosniff) response.AddHeader("X-Content-Type-Options", "nosniff");
  response.AddHeader("Cache-Control", std::string(kCacheControl));
  response.body = std::move(body);
  return response;
}

http::ServerResponse RunOne(const NamedHealthCheck& check) {
  if (std::optional<std::string> failure = check.check()) {
    // Go's http.Error: nosniff and a trailing newline.
    return TextResponse(500, "internal server error: " + *failure + "\n", true);
  }
  return TextResponse(200, "ok", false);
}

http::ServerResponse RunAll(const http::ServerRequest& request, std::string_view endpoint,
                            const std::vector<NamedHealthCheck>& checks) {
  const std::vector<std::string> exclude_values = request.QueryParams("exclude");
  std::set<std::string, std::less<>> excluded(exclude_values.begin(), exclude_values.end());
  std::string lines;
  std::string failed_names;
  std::string failed_reasons;
  for (const NamedHealthCheck& check : checks) {
    if (const auto it = excluded.find(check.name); it != excluded.end()) {
      excluded.erase(it);
      lines += "[+]" + check.name + " excluded: ok\n";
      continue;
    }
    if (std::optional<std::string> failure = check.check()) {
      // The endpoints are public; the reason is only logged (and served per check).
      lines += "[-]" + check.name + " failed: reason withheld\n";
      if (!failed_names.empty()) failed_names += ',';
      failed_names += check.name;
      failed_reasons += "[-]" + check.name + " failed: " + *failure + "\n";
    } else {
      lines += "[+]" + check.name + " ok\n";
    }
  }
  if (!excluded.empty()) {
    std::string names;
    for (const std::string& name : excluded) {  // sorted, as Go's sets.List() is
      if (!names.empty()) names += ',';
      names += GoQuote(name);
    }
    lines += "warn: some health checks cannot be excluded: no matches for " + names + "\n";
    log::Warning(kSource, "cannot exclude some health checks, no health checks are installed",
                 {{"endpoint", endpoint}, {"names", names}});
  }
  if (!failed_names.empty()) {
    if (log::V(2)) {
      log::Info(kSource, "health check failed",
                {{"endpoint", endpoint}, {"checks", failed_names}, {"reasons", failed_reasons}});
    }
    return TextResponse(500, lines + std::string(endpoint) + " check failed\n", true);
  }
  if (!request.QueryParam("verbose")) return TextResponse(200, "ok", true);
  return TextResponse(200, lines + std::string(endpoint) + " check passed\n", true);
}

}  // namespace

HealthApi::HealthApi(std::shared_ptr<const HealthChecks> checks) : checks_(std::move(checks)) {}

bool HealthApi::Serves(std::string_view path) const {
  const std::optional<Target> target = Parse(path);
  if (!target) return false;
  return target->check.empty() || Find(checks_->Checks(target->endpoint), target->check) != nullptr;
}

http::ServerResponse HealthApi::HandleInline(http::ServerRequest& request,
                                             http::RequestState& /*state*/) const {
  const std::optional<Target> target = Parse(request.path());
  if (!target) return http::StatusResponse(request, http::NotFoundStatus());
  const std::vector<NamedHealthCheck> checks = checks_->Checks(target->endpoint);
  if (target->check.empty()) return RunAll(request, target->name, checks);
  const NamedHealthCheck* check = Find(checks, target->check);
  if (check == nullptr) return http::StatusResponse(request, http::NotFoundStatus());
  return RunOne(*check);
}

bool HealthApi::HandlesInline(const http::ServerRequest& /*request*/) const { return true; }

Awaitable<http::ServerResponse> HealthApi::Handle(http::ServerRequest& request,
                                                  http::RequestState& state) const {
  co_return HandleInline(request, state);
}

}  // namespace kauth::api
