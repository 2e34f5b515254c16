// ServerResponse: what a handler answers. The server writes it to the wire.
#ifndef KAUTH_HTTP_SERVER_RESPONSE_H_
#define KAUTH_HTTP_SERVER_RESPONSE_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/body.h"
#include "http/byte_stream.h"
#include "kauth/authenticator.h"

namespace kauth::http {

struct ServerResponse {
  unsigned status = 200;
  // In order; a name may repeat (Warning). The server adds Date, Content-Length and, for
  // HTTP/1.1, Connection; handlers set Content-Type.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Close the connection after this response (R7.2/R7.3's HTTP/2 DoS mitigation, errors).
  bool close_connection = false;
  // A streamed body (the proxy's): when set, `body` is ignored and the server writes each piece
  // as the source yields it, flushing it at once (a watch event reaches the client as it
  // arrives). Framed by the source's length() when known; otherwise chunked (HTTP/1.1) or
  // close-delimited (HTTP/1.0). If the source fails midway the connection is dropped, so the
  // client sees a cut body, never a complete-looking one. Not read for HEAD, 204 and 304.
  std::shared_ptr<BodySource> stream;
  // A protocol switch: with status 101, the server writes the head (adding "Connection:
  // Upgrade"; the handler sets Upgrade), then runs `upgrade` with the client's connection as a
  // byte stream (bytes the client sent after its request head come first), and closes the
  // connection when it returns. Ignored for any other status.
  std::function<Awaitable<void>(ByteStream& client)> upgrade;

  void AddHeader(std::string name, std::string value) {
    // Room for a typical response's headers at once instead of growing through 1, 2, 4 and 8.
    if (headers.capacity() == 0) headers.reserve(8);
    headers.emplace_back(std::move(name), std::move(value));
  }
  // The first value of `name` (ASCII case-insensitive), or "" when absent.
  std::string_view Header(std::string_view name) const;
};

}  // namespace kauth::http

#endif  // KAUTH_HTTP_SERVER_RESPONSE_H_
