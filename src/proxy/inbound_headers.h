// Inbound headers: what becomes of the client's request headers on the way to the upstream.
//
// ForwardedRequestHeaders copies the client's header lines, in order, minus:
//   - credentials and identity the client must not pass on: Authorization,
//     Proxy-Authorization, every X-Remote-* header (any case, any number of lines), the
//     configured outbound names and extra prefix (FrontProxyHeaderNames), and Impersonate-*
//     (refused loudly by ImpersonationRefusal first; dropping them here too means a forgotten
//     check can never make kauthd's credential impersonate for the client);
//   - hop-by-hop headers (RFC 9110 §7.6.1): Connection and every header it names, Keep-Alive,
//     Proxy-Connection, TE, Transfer-Encoding, Upgrade, and Trailer (as Go's
//     httputil.ReverseProxy drops it: the transport frames the body anew);
//   - Host and Content-Length: the transport writes the upstream's Host and frames the body it
//     actually sends;
//   - the client's X-Forwarded-Proto and X-Forwarded-Host, which kauthd replaces.
// and then appends, in this order:
//   - Connection: Upgrade and Upgrade: <the client's first Upgrade value>, only when
//     `tunnel_upgrade` is set and the client sent a non-empty Upgrade header;
//   - TE: trailers, when any client TE line lists the token "trailers" (Go's ReverseProxy does
//     this so that gRPC-style upstreams see that trailers are supported);
//   - X-Forwarded-For: the client's X-Forwarded-For lines (those that survived the Connection
//     removal) joined with ", ", then ", " and the client's IP, folded into one line, as Go's
//     httputil.ReverseProxy (Director mode) does. The earlier entries are the client's claims:
//     an upstream may trust only the last one. When the remote address is not "host:port" or
//     "[v6]:port", the client's lines are passed on unchanged and nothing is appended;
//   - X-Forwarded-Proto: https (kauthd serves only TLS);
//   - X-Forwarded-Host: the client's first Host value, when it sent one.
// The identity headers (IdentityHeaders) are appended by the caller after all of this, so no
// client header can remove or shadow them.
//
// Pure functions; thread-safe.
#ifndef KAUTH_PROXY_INBOUND_HEADERS_H_
#define KAUTH_PROXY_INBOUND_HEADERS_H_

#include <optional>
#include <string>

#include "http/server_request.h"
#include "http/status.h"
#include "kauth/request.h"
#include "proxy/header_list.h"
#include "proxy/identity_headers.h"

namespace kauth::proxy {

struct InboundHeaderOptions {
  // The outbound front-proxy names in use; a client copy of any of them is removed even when
  // they are not X-Remote-* and even in impersonate mode.
  FrontProxyHeaderNames identity_names;
};

// See the file comment. `tunnel_upgrade`: the transport is forwarding this request as a protocol
// upgrade (UpgradeProtocol returned a value and the transport will splice the connections
// after a 101).
HeaderList ForwardedRequestHeaders(const http::ServerRequest& request,
                                   const InboundHeaderOptions& options, bool tunnel_upgrade);

// The protocol the client asks to switch to, as Go's httputil.ReverseProxy decides it: the
// first Upgrade value when some Connection line lists the token "upgrade" (case-insensitive);
// nullopt when the request is not an upgrade (no such token, or no or an empty Upgrade value).
std::optional<std::string> UpgradeProtocol(const Request& request);

// A client-sent Impersonate-* header (any case, any suffix) is refused rather than dropped, so
// `kubectl --as` fails loudly instead of acting as the caller. Returns nullopt when there is
// none, otherwise the 403: reason Forbidden, message
//   forbidden: impersonation through kauthd is not supported
// details {} (apimachinery's NewForbidden shape). Send it with ForbiddenResponse
// (upstream_authorizer.h), which adds X-Content-Type-Options: nosniff.
std::optional<http::Status> ImpersonationRefusal(const Request& request);

}  // namespace kauth::proxy

#endif  // KAUTH_PROXY_INBOUND_HEADERS_H_
