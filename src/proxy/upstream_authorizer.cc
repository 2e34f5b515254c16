#include "proxy/upstream_authorizer.h"

#include <algorithm>
#include <utility>

#include "filters/authorizer.h"
#include "filters/request_attributes.h"

namespace kauth::proxy {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

Result<void> ValidateUpstreamAuthorizerOptions(const UpstreamAuthorizerOptions& options) {
  if (options.allowed_users.empty() && options.allowed_groups.empty()) {
    return Error{
        "--upstream-allowed-users and --upstream-allowed-groups are both empty: no request would "
        "reach the upstream"};
  }
  return {};
}

UpstreamAuthorizer::UpstreamAuthorizer(UpstreamAuthorizerOptions options)
    : options_(std::move(options)) {}

bool UpstreamAuthorizer::Allows(const std::optional<UserInfo>& user) const {
  if (!user) return false;
  if (Contains(options_.allowed_users, user->name)) return true;
  return std::any_of(user->groups.begin(), user->groups.end(), [&](const std::string& group) {
    return Contains(options_.allowed_groups, group);
  });
}

std::optional<http::Status> UpstreamAuthorizer::Check(const http::ServerRequest& request,
                                                      const std::optional<UserInfo>& user) const {
  if (Allows(user)) return std::nullopt;
  return filters::ForbiddenStatusFor(filters::ResolveRequestAttributes(request),
                                     user ? user->name : std::string());
}

http::ServerResponse ForbiddenResponse(const http::ServerRequest& request,
                                       const http::Status& status) {
  http::ServerResponse response = http::StatusResponse(request, status);
  response.AddHeader("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace kauth::proxy
