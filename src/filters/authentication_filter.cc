#include "filters/authentication_filter.h"

#include <chrono>
#include <utility>

#include "core/go_format.h"
#include "core/strings.h"
#include "filters/audit_id.h"
#include "filters/warning_headers.h"
#include "http/status.h"
#include "log/log.h"

namespace kauth::filters {
namespace {

constexpr std::string_view kSource = "authentication_filter.cc";

// R7.2 step 4: only when both sides name audiences must they overlap.
bool AudiencesAcceptable(const Audiences& api_audiences, const Audiences& response_audiences) {
  if (api_audiences.empty() || response_audiences.empty()) return true;
  return !IntersectAudiences(api_audiences, response_audiences).empty();
}

// The request's start when RequestMetrics recorded it (a clock read less per request), else
// now: the filter's latency counts from the request's arrival at the handlers.
std::chrono::steady_clock::time_point StartOf(const http::RequestState& state) {
  return state.start != std::chrono::steady_clock::time_point{} ? state.start
                                                                : std::chrono::steady_clock::now();
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

bool IsAnonymousUser(const UserInfo& user) {
  if (user.name == kUserAnonymous) return true;
  for (const std::string& group : user.groups) {
    if (group == kGroupUnauthenticated) return true;
  }
  return false;
}

void AddWarningHeaders(http::ServerResponse& response, const std::vector<std::string>& warnings) {
  for (std::string& value : WarningHeaderValues(warnings)) {
    response.AddHeader("Warning", std::move(value));
  }
}

AuthenticationFilter::AuthenticationFilter(AuthenticationFilterOptions options,
                                           const AuthenticationMetrics& metrics,
                                           std::unique_ptr<http::Handler> next)
    : options_(std::move(options)),
      metrics_(metrics),
      next_(std::move(next)),
      unauthorized_compact_(http::StatusJson(http::UnauthorizedStatus(), /*pretty=*/false)),
      unauthorized_pretty_(http::StatusJson(http::UnauthorizedStatus(), /*pretty=*/true)) {
  header_names_ = {"Authorization", "X-Remote-User", "X-Remote-Uid", "X-Remote-Group"};
  header_names_.insert(header_names_.end(), options_.request_header_names.begin(),
                       options_.request_header_names.end());
  header_prefixes_ = {"X-Remote-Extra-"};
  header_prefixes_.insert(header_prefixes_.end(), options_.request_header_prefixes.begin(),
                          options_.request_header_prefixes.end());
  if (!options_.authenticator) log::Warning(kSource, "Authentication is disabled");
}

bool AuthenticationFilter::HandlesInline(const http::ServerRequest& request) const {
  // In-memory chains (token file, certificates, anonymous) answer with plain calls.
  return (!options_.authenticator || options_.authenticator->CompletesInline()) &&
         next_->HandlesInline(request);
}

http::ServerResponse AuthenticationFilter::HandleInline(http::ServerRequest& request,
                                                        http::RequestState& state) const {
  if (!options_.authenticator) return next_->HandleInline(request, state);
  EnsureAuditId(request, state);
  const auto start = StartOf(state);
  if (!options_.api_audiences.empty()) state.auth.set_audiences(options_.api_audiences);
  AuthResult result = options_.authenticator->AuthenticateInline(request, state.auth);
  if (std::optional<http::ServerResponse> refused =
          Admit(request, state, std::move(result), start)) {
    return std::move(*refused);
  }
  http::ServerResponse answer = next_->HandleInline(request, state);
  Finish(request, state, answer);
  return answer;
}

Awaitable<http::ServerResponse> AuthenticationFilter::Handle(http::ServerRequest& request,
                                                             http::RequestState& state) const {
  if (!options_.authenticator) co_return co_await next_->Handle(request, state);
  EnsureAuditId(request, state);
  const auto start = StartOf(state);
  if (!options_.api_audiences.empty()) state.auth.set_audiences(options_.api_audiences);
  // The chain may answer inline even when a later stage suspends (the proxy).
  const RequestAuthenticator& authenticator = *options_.authenticator;
  AuthResult result = authenticator.CompletesInline()
                          ? authenticator.AuthenticateInline(request, state.auth)
                          : AuthResult::NotApplicable();
  if (!authenticator.CompletesInline()) {
    // A named local: g++ 12 mishandles temporaries inside co_await expressions.
    AuthResult suspended = co_await authenticator.Authenticate(request, state.auth);
    result = std::move(suspended);
  }
  std::optional<http::ServerResponse> refused = Admit(request, state, std::move(result), start);
  if (refused) co_return std::move(*refused);
  http::ServerResponse answer = co_await next_->Handle(request, state);
  Finish(request, state, answer);
  co_return answer;
}

std::optional<http::ServerResponse> AuthenticationFilter::Admit(
    http::ServerRequest& request, http::RequestState& state, AuthResult result,
    std::chrono::steady_clock::time_point start) const {
  const double seconds = SecondsSince(start);
  if (result.rejected()) {
    const std::string error = result.error().message();
    log::Error(kSource, "Unable to authenticate the request",
               {{"err", error},
                {"remoteAddr", request.remote_address()},
                {"userAgent", request.Header("User-Agent").value_or("")},
                {"auditID", state.audit_id}});
    metrics_.RecordAttempt(AuthenticationMetrics::Result::kError, seconds, "");
    return Unauthorized(request, state);
  }
  if (result.not_applicable()) {
    metrics_.RecordAttempt(AuthenticationMetrics::Result::kFailure, seconds, "");
    return Unauthorized(request, state);
  }

  Response response = std::move(result).response();
  if (!AudiencesAcceptable(options_.api_audiences, response.audiences)) {
    log::Error(kSource,
               "unable to match the audience: " + GoStringList(response.audiences) +
                   " , accepted: " + GoStringList(options_.api_audiences),
               {{"remoteAddr", request.remote_address()}, {"auditID", state.audit_id}});
    metrics_.RecordAttempt(AuthenticationMetrics::Result::kError, seconds, "");
    return Unauthorized(request, state);
  }
  metrics_.RecordAttempt(AuthenticationMetrics::Result::kSuccess, seconds, response.user.name);

  RemoveCredentialHeaders(request);
  state.user = std::move(response.user);
  return std::nullopt;
}

void AuthenticationFilter::Finish(const http::ServerRequest& request,
                                  const http::RequestState& state,
                                  http::ServerResponse& answer) const {
  // CVE-2023-44487 mitigation: an unauthenticated client may not keep an HTTP/2 connection.
  if (request.protocol() == http::Protocol::kHttp2 && state.user && IsAnonymousUser(*state.user)) {
    answer.close_connection = true;
  }
  AddWarningHeaders(answer, state.auth.warnings());
}

http::ServerResponse AuthenticationFilter::Unauthorized(const http::ServerRequest& request,
                                                        const http::RequestState& state) const {
  http::ServerResponse response{.status = 401};
  response.AddHeader("Content-Type", "application/json");
  response.AddHeader("Cache-Control", "no-cache, private");
  response.body = http::WantsPrettyJson(request) ? unauthorized_pretty_ : unauthorized_compact_;
  response.AddHeader("Audit-Id", state.audit_id);
  AddWarningHeaders(response, state.auth.warnings());
  if (request.protocol() == http::Protocol::kHttp2) response.close_connection = true;
  return response;
}

void AuthenticationFilter::RemoveCredentialHeaders(http::ServerRequest& request) const {
  request.RemoveHeadersIf([this](std::string_view name) {
    for (const std::string& doomed : header_names_) {
      if (EqualsIgnoreCase(name, doomed)) return true;
    }
    for (const std::string& prefix : header_prefixes_) {
      if (StartsWithIgnoreCase(name, prefix)) return true;
    }
    return false;
  });
}

}  // namespace kauth::filters
