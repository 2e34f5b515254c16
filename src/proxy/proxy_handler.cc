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

// The coroutine keeps only what lives across the round trip; the steps before and after are
// plain functions, so that their locals (Status objects, the identity headers) stay off the
// coroutine frame: a frame over 1 KiB is not kept by Asio's per-thread frame cache, and every
// proxied request would pay a malloc from glibc's bins for it.
Awaitable<http::ServerResponse> ProxyHandler::Handle(http::ServerRequest& request,
                                                     http::RequestState& state) const {
  std::optional<UpstreamRequest> upstream_request;
  http::ServerResponse response;
  if (!Prepare(request, state, upstream_request, response)) co_return response;
  UpstreamResult result = co_await options_.upstream->RoundTrip(std::move(*upstream_request));
  co_return Answer(request, std::move(result));
}

bool ProxyHandler::Prepare(http::ServerRequest& request, const http::RequestState& state,
                           std::optional<UpstreamRequest>& upstream_request,
                           http::ServerResponse& refusal) const {
  if (std::optional<http::Status> refused = ImpersonationRefusal(request)) {
    refusal = ForbiddenResponse(request, *refused);
    return false;
  }
  if (std::optional<http::Status> denied = authorizer_.Check(request, state.user)) {
    refusal = ForbiddenResponse(request, *denied);
    return false;
  }
  // Check lets no request without a user pass.
  Result<HeaderList> identity = IdentityHeaders(*state.user, options_.identity);
  if (!identity) {
    LogFailure("Cannot forward the caller's identity", request, *options_.upstream,
               identity.error().message);
    refusal = http::StatusResponse(request, http::InternalErrorStatus(identity.error().message));
    return false;
  }
  upstream_request.emplace(UpstreamRequest{
      .method = request.method(),
      .target = request.target(),
      .headers = ForwardedRequestHeaders(request, inbound_, UpgradeProtocol(request).has_value()),
      .body = request.body_source(),
  });
  // Last, so that no client header can shadow them.
  HeaderList& headers = upstream_request->headers;
  headers.reserve(headers.size() + identity->size());
  for (auto& header : *identity) headers.push_back(std::move(header));
  return true;
}

http::ServerResponse ProxyHandler::Answer(const http::ServerRequest& request,
                                          UpstreamResult result) const {
  if (!result) {
    const UpstreamError& error = result.error();
    LogFailure("Upstream request failed", request, *options_.upstream, error.message);
    if (error.failure == UpstreamFailure::kTimeout) {
      return http::StatusResponse(request, GatewayTimeoutStatus(error.timeout));
    }
    return http::StatusResponse(request, BadGatewayStatus(error.message));
  }

  UpstreamResponse& upstream_response = *result;
  http::ServerResponse response;
  response.status = upstream_response.status;
  response.headers = std::move(upstream_response.headers);
  if (upstream_response.status != 101) {
    // A small body the client already read whole goes out with the head, not as a stream.
    if (std::optional<std::string> whole = upstream_response.body->TakeWhole()) {
      response.body = std::move(*whole);
    } else {
      response.stream = std::move(upstream_response.body);
    }
    return response;
  }

  // As Go's ReverseProxy: the upstream may only switch to the protocol the client asked for.
  const std::optional<std::string> protocol = UpgradeProtocol(request);
  const std::string_view switched_to = response.Header("Upgrade");
  if (!protocol || !EqualsIgnoreCase(switched_to, *protocol)) {
    const std::string message = "upstream tried to switch protocol \"" + std::string(switched_to) +
                                "\" when \"" + protocol.value_or("") + "\" was requested";
    LogFailure("Upstream request failed", request, *options_.upstream, message);
    return http::StatusResponse(request, BadGatewayStatus(message));
  }
  response.upgrade = [tunnel = std::move(upstream_response.tunnel)](http::ByteStream& client) {
    return SpliceTunnel(client, tunnel);
  };
  return response;
}

}  // namespace kauth::proxy
