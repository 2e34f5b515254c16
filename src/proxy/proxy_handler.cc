#include "proxy/proxy_handler.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/strings.h"
#include "http/status.h"
#include "log/log.h"
#include "proxy/upstream_status.h"

namespace kauth::proxy {
namespace {

constexpr std::string_view kSource = "proxy_handler.cc";

// The path alone: a query may carry secrets a client put there, and logs must not.
std::string_view PathOf(const http::ServerRequest& request) {
  const std::string& target = request.target();
  return std::string_view(target).substr(0, target.find('?'));
}

void LogFailure(std::string_view message, const http::ServerRequest& request,
                const UpstreamClient& upstream, std::string_view error) {
  log::Error(kSource, message,
             {{"upstream", upstream.authority()},
              {"method", request.method()},
              {"path", PathOf(request)},
              {"err", error}});
}

// A coroutine of its own, whose frame holds the upstream's side of the tunnel until the splice
// ends (a capturing coroutine lambda would keep it in the lambda, which the server may drop).
Awaitable<void> SpliceTunnel(http::ByteStream& client, std::shared_ptr<http::ByteStream> tunnel) {
  co_await http::Splice(client, *tunnel);
}

}  // namespace

ProxyHandler::ProxyHandler(ProxyHandlerOptions options)
    : options_(std::move(options)),
      authorizer_(options_.authorizer),
      inbound_{.identity_names = options_.identity.front_proxy} {}

Awaitable<http::ServerResponse> ProxyHandler::Handle(http::ServerRequest& request,
                                                     http::RequestState& state) const {
  if (std::optional<http::Status> refusal = ImpersonationRefusal(request)) {
    co_return ForbiddenResponse(request, *refusal);
  }
  if (std::optional<http::Status> denied = authorizer_.Check(request, state.user)) {
    co_return ForbiddenResponse(request, *denied);
  }
  // Check lets no request without a user pass.
  Result<HeaderList> identity = IdentityHeaders(*state.user, options_.identity);
  if (!identity) {
    LogFailure("Cannot forward the caller's identity", request, *options_.upstream,
               identity.error().message);
    co_return http::StatusResponse(request, http::InternalErrorStatus(identity.error().message));
  }

  const std::optional<std::string> protocol = UpgradeProtocol(request);
  UpstreamRequest upstream_request{
      .method = request.method(),
      .target = request.target(),
      .headers = ForwardedRequestHeaders(request, inbound_, protocol.has_value()),
      .body = request.body_source(),
  };
  // Last, so that no client header can shadow them.
  upstream_request.headers.reserve(upstream_request.headers.size() + identity->size());
  for (auto& header : *identity) upstream_request.headers.push_back(std::move(header));

  UpstreamResult result = co_await options_.upstream->RoundTrip(std::move(upstream_request));
  if (!result) {
    const UpstreamError& error = result.error();
    LogFailure("Upstream request failed", request, *options_.upstream, error.message);
    if (error.failure == UpstreamFailure::kTimeout) {
      co_return http::StatusResponse(request, GatewayTimeoutStatus(error.timeout));
    }
    co_return http::StatusResponse(request, BadGatewayStatus(error.message));
  }

  UpstreamResponse& upstream_response = *result;
  http::ServerResponse response;
  response.status = upstream_response.status;
  response.headers = std::move(upstream_response.headers);
  if (upstream_response.status != 101) {
    response.stream = std::move(upstream_response.body);
    co_return response;
  }

  // As Go's ReverseProxy: the upstream may only switch to the protocol the client asked for.
  const std::string_view switched_to = response.Header("Upgrade");
  if (!protocol || !EqualsIgnoreCase(switched_to, *protocol)) {
    const std::string message = "upstream tried to switch protocol \"" + std::string(switched_to) +
                                "\" when \"" + protocol.value_or("") + "\" was requested";
    LogFailure("Upstream request failed", request, *options_.upstream, message);
    co_return http::StatusResponse(request, BadGatewayStatus(message));
  }
  response.upgrade = [tunnel = std::move(upstream_response.tunnel)](http::ByteStream& client) {
    return SpliceTunnel(client, tunnel);
  };
  co_return response;
}

}  // namespace kauth::proxy
