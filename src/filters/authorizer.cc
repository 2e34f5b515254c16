#include "filters/authorizer.h"

#include <algorithm>
#include <utility>

#include "core/go_format.h"
#include "http/status.h"

namespace kauth::filters {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool Allowed(const std::optional<UserInfo>& user, const std::vector<std::string>& users,
             const std::vector<std::string>& groups) {
  if (!user) return false;
  if (Contains(users, user->name)) return true;
  return std::any_of(user->groups.begin(), user->groups.end(),
                     [&](const std::string& group) { return Contains(groups, group); });
}

bool IsMetricsPath(const RequestAttributes& attributes) {
  return !attributes.resource_request &&
         (attributes.path == "/metrics" || attributes.path.starts_with("/metrics/"));
}

bool IsTokenReview(const RequestAttributes& attributes) {
  return attributes.resource_request && attributes.api_group == "authentication.k8s.io" &&
         attributes.resource == "tokenreviews";
}

// responsewriters' sanitizer: the message must not look like HTML.
std::string Sanitize(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string ForbiddenReason(const RequestAttributes& attributes, std::string_view user_name) {
  std::string reason = "User " + GoQuote(user_name) + " cannot " + attributes.verb;
  if (!attributes.resource_request) return reason + " path " + GoQuote(attributes.path);
  std::string resource = attributes.resource;
  if (!attributes.subresource.empty()) resource += "/" + attributes.subresource;
  reason += " resource " + GoQuote(resource) + " in API group " + GoQuote(attributes.api_group);
  if (!attributes.namespace_name.empty()) {
    return reason + " in the namespace " + GoQuote(attributes.namespace_name);
  }
  return reason + " at the cluster scope";
}

http::Status ForbiddenStatusFor(const RequestAttributes& attributes, std::string_view user_name) {
  const std::string reason = Sanitize(ForbiddenReason(attributes, user_name));
  // apimachinery's NewForbidden: the qualified resource ("<resource>.<group>") leads the message.
  std::string qualified = attributes.resource;
  if (!attributes.api_group.empty()) qualified += "." + attributes.api_group;
  std::string message;
  if (attributes.resource.empty() && attributes.api_group.empty()) {
    message = "forbidden: " + reason;
  } else if (attributes.name.empty()) {
    message = qualified + " is forbidden: " + reason;
  } else {
    message = qualified + " " + GoQuote(attributes.name) + " is forbidden: " + reason;
  }
  http::Status status = http::ForbiddenStatus(std::move(message));
  status.details->name = attributes.name;
  status.details->group = attributes.api_group;
  status.details->kind = attributes.resource;
  return status;
}

Authorizer::Authorizer(AuthorizerOptions options, std::unique_ptr<http::Handler> next)
    : options_(std::move(options)), next_(std::move(next)) {}

bool Authorizer::Denied(const http::ServerRequest& request, const http::RequestState& state) const {
  // Only /metrics and TokenReviews are guarded. The attributes come from the percent-decoded
  // path; a raw path without '%' that neither starts with "/metrics" nor names tokenreviews
  // cannot decode to either, and most requests need no attributes at all.
  const std::string_view raw = request.path();
  if (raw.find('%') == std::string_view::npos && !raw.starts_with("/metrics") &&
      raw.find("tokenreviews") == std::string_view::npos) {
    return false;
  }
  const RequestAttributes attributes = ResolveRequestAttributes(request);
  if (IsMetricsPath(attributes)) {
    return !Allowed(state.user, options_.metrics_allowed_users, options_.metrics_allowed_groups);
  }
  if (IsTokenReview(attributes)) {
    return !Allowed(state.user, options_.tokenreview_allowed_users,
                    options_.tokenreview_allowed_groups);
  }
  return false;
}

http::ServerResponse Authorizer::Forbidden(const http::ServerRequest& request,
                                           const http::RequestState& state) const {
  const RequestAttributes attributes = ResolveRequestAttributes(request);
  http::ServerResponse response = http::StatusResponse(
      request, ForbiddenStatusFor(attributes, state.user ? state.user->name : std::string()));
  response.AddHeader("X-Content-Type-Options", "nosniff");
  return response;
}

Awaitable<http::ServerResponse> Authorizer::Handle(http::ServerRequest& request,
                                                   http::RequestState& state) const {
  // The decision in plain functions: nothing of it lives in this coroutine's frame.
  if (!Denied(request, state)) co_return co_await next_->Handle(request, state);
  co_return Forbidden(request, state);
}

bool Authorizer::HandlesInline(const http::ServerRequest& request) const {
  return next_->HandlesInline(request);
}

http::ServerResponse Authorizer::HandleInline(http::ServerRequest& request,
                                              http::RequestState& state) const {
  if (!Denied(request, state)) return next_->HandleInline(request, state);
  return Forbidden(request, state);
}

}  // namespace kauth::filters
