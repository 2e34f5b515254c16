// What the server does around the handler chain for every request, whatever the protocol: the
// request's Audit-ID, and kube-apiserver's panic recovery (a handler that throws gets a 500 with
// kube-apiserver's text, and the connection keeps serving).
//
// Thread-safe: the functions keep no state.
#ifndef KAUTH_SERVER_HANDLER_CALL_H_
#define KAUTH_SERVER_HANDLER_CALL_H_

#include <string>

#include "http/handler.h"
#include "kauth/authenticator.h"

namespace kauth::server {

// The Audit-Id of a request: the client's non-empty Audit-ID header, or a fresh UUID.
std::string AuditIdFor(const http::ServerRequest& request);

// The handler's response; when it throws, the error is logged and the answer is kube-apiserver's
// 500 ("This request caused apiserver to panic. ...", text/plain).
Awaitable<http::ServerResponse> CallHandler(const http::Handler& handler,
                                            http::ServerRequest& request,
                                            http::RequestState& state);

// CallHandler for a handler that answers this request inline (handler.HandlesInline(request)):
// the same answer and the same recovery, without a coroutine frame.
http::ServerResponse CallHandlerInline(const http::Handler& handler, http::ServerRequest& request,
                                       http::RequestState& state);

}  // namespace kauth::server

#endif  // KAUTH_SERVER_HANDLER_CALL_H_
