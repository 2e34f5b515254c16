// ServerRequest: one HTTP request as kauthd's handlers see it. The server fills it from the wire
// (HTTP/1.1 now, HTTP/2 later); handlers and the authentication filter read and edit it. Its
// headers and client certificates come from BasicRequest, so authenticators see it as a
// kauth::Request.
//
// Not thread-safe: one request is handled by one coroutine.
#ifndef KAUTH_HTTP_SERVER_REQUEST_H_
#define KAUTH_HTTP_SERVER_REQUEST_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/body.h"
#include "kauth/authenticator.h"
#include "kauth/basic_request.h"

namespace kauth::http {

enum class Protocol { kHttp1, kHttp2 };

// What ServerRequest::ReadBody gives.
struct BodyReadResult {
  enum class Outcome {
    kOk,
    // Longer than the request's body limit: answer with EntityTooLargeStatus(limit) and close
    // the connection (the rest of the body was not read).
    kTooLarge,
    // The client's body was cut or malformed; `error` says how (for logs). The connection is
    // lost; whatever the handler answers is not delivered.
    kBroken,
  };
  Outcome outcome = Outcome::kOk;
  std::string body;
  std::string error;
};

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

  // The body, streamed: the server sets a source over the connection after reading the head,
  // so handlers run (and authentication happens) before any body byte is read, and "100
  // Continue" is only sent when a handler starts reading. Not owned: the server keeps it alive
  // until the handler's response is written. Null means no body.
  void set_body_source(BodySource* source) { body_source_ = source; }
  BodySource* body_source() const { return body_source_; }
  // An in-memory body (tests, synthetic requests): owned by the request.
  void set_body(std::string body);

  // The most ReadBody reads: kube-apiserver's 3 MiB for decoded request bodies. The server sets
  // its configured limit.
  void set_body_limit(std::size_t limit) { body_limit_ = limit; }
  std::size_t body_limit() const { return body_limit_; }
  // Reads the whole body into memory for a handler that decodes it; "" when there is none. Call
  // at most once (the source is consumed).
  Awaitable<BodyReadResult> ReadBody();

  void set_protocol(Protocol protocol) { protocol_ = protocol; }
  Protocol protocol() const { return protocol_; }

  // "ip:port" of the client, for logs.
  void set_remote_address(std::string address) { remote_address_ = std::move(address); }
  const std::string& remote_address() const { return remote_address_; }

 private:
  std::string method_ = "GET";
  std::string target_ = "/";
  std::unique_ptr<StringBody> owned_body_;
  BodySource* body_source_ = nullptr;
  std::size_t body_limit_ = std::size_t{3} << 20;
  Protocol protocol_ = Protocol::kHttp1;
  std::string remote_address_;
};

}  // namespace kauth::http

#endif  // KAUTH_HTTP_SERVER_REQUEST_H_
