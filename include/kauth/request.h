// Request: the view of an HTTP request that request authenticators read and edit.
//
// The server implements it over its own request type without copying headers; tests and
// synthetic requests (TokenReview) use BasicRequest. Header names match case-insensitively
// (R0.3). Values are as Go's server would hand them over: leading and trailing spaces and tabs
// already stripped.
//
// Not thread-safe: one request is authenticated by one coroutine at a time.
#ifndef KAUTH_REQUEST_H_
#define KAUTH_REQUEST_H_

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Same declaration as OpenSSL's <openssl/types.h>; avoids pulling OpenSSL into every includer.
typedef struct x509_st X509;

namespace kauth {

class Request {
 public:
  virtual ~Request() = default;

  // The first value of header `name`, or nullopt when absent.
  virtual std::optional<std::string_view> Header(std::string_view name) const = 0;
  // Every value of header `name` (one per header line), in arrival order.
  virtual std::vector<std::string_view> HeaderValues(std::string_view name) const = 0;
  // Calls `visit` for every header line, in arrival order.
  virtual void ForEachHeader(
      const std::function<void(std::string_view name, std::string_view value)>& visit) const = 0;

  // Removes every line of header `name`.
  virtual void RemoveHeader(std::string_view name) = 0;
  // Removes every line whose name satisfies `doomed`, in one pass: a request may carry tens of
  // thousands of headers, so per-name removal would be quadratic.
  virtual void RemoveHeadersIf(const std::function<bool(std::string_view name)>& doomed) = 0;
  // Replaces every line of header `name` with one line holding `value`.
  virtual void SetHeader(std::string_view name, std::string_view value) = 0;

  // The URL path, without the query string.
  virtual std::string_view path() const = 0;

  // True when the request arrived over TLS.
  virtual bool is_tls() const = 0;
  // The certificates the client presented, leaf first; empty when none. Borrowed: valid for the
  // lifetime of the request.
  virtual std::span<X509* const> peer_certificates() const = 0;
};

}  // namespace kauth

#endif  // KAUTH_REQUEST_H_
