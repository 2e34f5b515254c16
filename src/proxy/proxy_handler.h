// ProxyHandler: the end of kauthd's handler chain in proxy mode (--upstream). After the
// authentication filter set the caller, it
//   1. refuses a client-sent Impersonate-* header (ImpersonationRefusal, 403);
//   2. refuses callers the UpstreamAuthorizer does not let through (403);
//   3. forwards the request: the client's headers as ForwardedRequestHeaders leaves them, then
//      the identity headers (IdentityHeaders; a user that cannot be carried gets a 500 Status),
//      the body streamed, an upgrade (websocket, SPDY) tunnelled after the upstream's 101;
//   4. answers with the upstream's response streamed back, or a Status on failure:
//        502, message "error trying to reach upstream: <reason>" when the upstream refuses,
//          breaks or answers malformed bytes before its response head;
//        504, reason Timeout, message "Timeout: the upstream did not answer within <timeout>"
//          when --upstream-timeout passed first.
//      (Status bodies negotiated for the request like every other kauthd Status.)
//
// Immutable after construction; called concurrently from every server thread.
#ifndef KAUTH_PROXY_PROXY_HANDLER_H_
#define KAUTH_PROXY_PROXY_HANDLER_H_

#include <memory>
#include <optional>

#include "http/handler.h"
#include "proxy/identity_headers.h"
#include "proxy/inbound_headers.h"
#include "proxy/upstream_authorizer.h"
#include "proxy/upstream_client.h"

namespace kauth::proxy {

struct ProxyHandlerOptions {
  std::shared_ptr<UpstreamClient> upstream;
  UpstreamAuthorizerOptions authorizer;
  IdentityHeaderOptions identity;
};

class ProxyHandler final : public http::Handler {
 public:
  explicit ProxyHandler(ProxyHandlerOptions options);

  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;

 private:
  // The checks and the upstream request: true with `upstream_request` set, or false with the
  // answer in `refusal`.
  bool Prepare(http::ServerRequest& request, const http::RequestState& state,
               std::optional<UpstreamRequest>& upstream_request,
               http::ServerResponse& refusal) const;
  // The client's answer from the upstream's.
  http::ServerResponse Answer(const http::ServerRequest& request, UpstreamResult result) const;

  ProxyHandlerOptions options_;
  UpstreamAuthorizer authorizer_;
  InboundHeaderOptions inbound_;
};

}  // namespace kauth::proxy

#endif  // KAUTH_PROXY_PROXY_HANDLER_H_
