// ServerResponse: what a handler answers. The server writes it to the wire.
#ifndef KAUTH_HTTP_SERVER_RESPONSE_H_
#define KAUTH_HTTP_SERVER_RESPONSE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kauth::http {

struct ServerResponse {
  unsigned status = 200;
  // In order; a name may repeat (Warning). The server adds Date, Content-Length and, for
  // HTTP/1.1, Connection; handlers set Content-Type.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Close the connection after this response (R7.2/R7.3's HTTP/2 DoS mitigation, errors).
  bool close_connection = false;

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  // The first value of `name` (ASCII case-insensitive), or "" when absent.
  std::string_view Header(std::string_view name) const;
};

}  // namespace kauth::http

#endif  // KAUTH_HTTP_SERVER_RESPONSE_H_
