// ServerRequest: one HTTP request as kauthd's handlers see it. The server fills it from the wire
// (HTTP/1.1 now, HTTP/2 later); handlers and the authentication filter read and edit it. Its
// headers and client certificates come from BasicRequest, so authenticators see it as a
// kauth::Request.
//
// Not thread-safe: one request is handled by one coroutine.
#ifndef KAUTH_HTTP_SERVER_REQUEST_H_
#define KAUTH_HTTP_SERVER_REQUEST_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kauth/basic_request.h"

namespace kauth::http {

enum class Protocol { kHttp1, kHttp2 };

class ServerRequest final : public BasicRequest {
 public:
  ServerRequest() = default;

  // `target` is the request target as sent: path, then an optional '?' and query.
  void SetTarget(std::string target);
  const std::string& target() const { return target_; }
  // The raw query string (after '?'), or "" when there is none.
  std::string_view query() const;
  // The first value of query parameter `name`, percent-decoded as Go's url.ParseQuery does
  // ('+' is a space); nullopt when absent or when the query does not parse.
  std::optional<std::string> QueryParam(std::string_view name) const;
  // Every value of query parameter `name`, in order (Go's url.Values[name]); pairs Go rejects
  // (a ';', a bad escape) are skipped.
  std::vector<std::string> QueryParams(std::string_view name) const;

  void set_method(std::string method) { method_ = std::move(method); }
  const std::string& method() const { return method_; }

  void set_body(std::string body) { body_ = std::move(body); }
  const std::string& body() const { return body_; }

  void set_protocol(Protocol protocol) { protocol_ = protocol; }
  Protocol protocol() const { return protocol_; }

  // "ip:port" of the client, for logs.
  void set_remote_address(std::string address) { remote_address_ = std::move(address); }
  const std::string& remote_address() const { return remote_address_; }

 private:
  std::string method_ = "GET";
  std::string target_ = "/";
  std::string body_;
  Protocol protocol_ = Protocol::kHttp1;
  std::string remote_address_;
};

}  // namespace kauth::http

#endif  // KAUTH_HTTP_SERVER_REQUEST_H_
