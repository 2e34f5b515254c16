#include "proxy/upstream_status.h"

#include <string>

#include "core/go_format.h"

namespace kauth::proxy {

http::Status BadGatewayStatus(std::string_view reason) {
  return {.code = 502, .message = "error trying to reach upstream: " + std::string(reason)};
}

http::Status GatewayTimeoutStatus(std::chrono::nanoseconds timeout) {
  return {.code = 504,
          .reason = "Timeout",
          .message = "Timeout: the upstream did not answer within " + GoDuration(timeout),
          .details = http::StatusDetails{}};
}

}  // namespace kauth::proxy
