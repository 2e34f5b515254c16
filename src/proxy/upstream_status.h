// The Status answers kauthd's proxy sends when the upstream could not be used (see
// proxy_handler.h for when each applies).
//
// Pure functions; thread-safe.
#ifndef KAUTH_PROXY_UPSTREAM_STATUS_H_
#define KAUTH_PROXY_UPSTREAM_STATUS_H_

#include <chrono>
#include <string_view>

#include "http/status.h"

namespace kauth::proxy {

// 502, no reason (apimachinery has no StatusReason for 502: NewGenericServerResponse leaves it
// StatusReasonUnknown, which is empty and omitted), message
// "error trying to reach upstream: <reason>", no details.
http::Status BadGatewayStatus(std::string_view reason);

// 504, reason Timeout, message "Timeout: the upstream did not answer within <timeout>" with the
// timeout as Go's Duration.String writes it ("1m0s"), details {}: apimachinery's
// NewTimeoutError(message, 0), whose zero retryAfterSeconds is omitted from the details.
http::Status GatewayTimeoutStatus(std::chrono::nanoseconds timeout);

}  // namespace kauth::proxy

#endif  // KAUTH_PROXY_UPSTREAM_STATUS_H_
