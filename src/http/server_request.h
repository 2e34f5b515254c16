// ServerRequest: one HTTP request as kauthd's handlers see it. The server fills it from the wire
// (HTTP/1.1 and HTTP/2); handlers and the authentication filter read and edit it, and
// authenticators see it as a kauth::Request.
//
// Header names and values are copied into blocks the request owns and never moves: a view that
// Header, HeaderValues or ForEachHeader hands out stays valid for the request's lifetime, even
// after the line is removed or other lines are added.
//
// Not thread-safe: one request is handled by one coroutine.
#ifndef KAUTH_HTTP_SERVER_REQUEST_H_
#define KAUTH_HTTP_SERVER_REQUEST_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/body.h"
#include "kauth/authenticator.h"
#include "kauth/request.h"

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

class ServerRequest final : public Request {
 public:
  struct HeaderLine {
    std::string_view name;
    std::string_view value;
  };

  // The storage for header lines and bytes a finished request hands on to the next one on its
  // connection, so that a keep-alive connection allocates for its first request's headers only.
  struct HeaderStorage {
    std::vector<HeaderLine> lines;  // empty; its capacity is what is kept
    std::unique_ptr<char[]> block;
    std::size_t block_bytes = 0;
  };

  ServerRequest() = default;
  // Stores its headers in `storage` as far as it goes.
  explicit ServerRequest(HeaderStorage storage);
  ~ServerRequest() override;
  ServerRequest(const ServerRequest&) = delete;
  ServerRequest& operator=(const ServerRequest&) = delete;

  // Appends a header line; both are copied. Returns the copy of `value`, valid for the request's
  // lifetime.
  std::string_view AddHeader(std::string_view name, std::string_view value);

  // Gives up the header storage for the connection's next request, unless it grew large; the
  // request has no headers afterwards.
  HeaderStorage ReleaseHeaderStorage();

  std::optional<std::string_view> Header(std::string_view name) const override;
  std::vector<std::string_view> HeaderValues(std::string_view name) const override;
  void ForEachHeader(
      const std::function<void(std::string_view, std::string_view)>& visit) const override;
  void RemoveHeader(std::string_view name) override;
  void RemoveHeadersIf(const std::function<bool(std::string_view name)>& doomed) override;
  void SetHeader(std::string_view name, std::string_view value) override;

  // The target up to '?', or what set_path set since the last SetTarget.
  std::string_view path() const override;
  void set_path(std::string path);
  bool is_tls() const override { return tls_; }
  void set_tls(bool tls) { tls_ = tls; }
  // Takes a reference on each certificate (X509_up_ref) and marks the request as TLS.
  void SetPeerCertificates(std::span<X509* const> chain);
  std::span<X509* const> peer_certificates() const override { return certificates_; }

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
  // Makes a block of `size` bytes the one AddHeader copies into.
  void NewBlock(std::size_t size);
  void ReleaseCertificates();

  std::vector<HeaderLine> headers_;
  // Storage for header bytes. The first block is kept apart: most requests need only one, and
  // the vector of further blocks then never allocates.
  std::unique_ptr<char[]> first_block_;
  std::size_t first_block_bytes_ = 0;
  std::vector<std::unique_ptr<char[]>> more_blocks_;
  char* free_ = nullptr;         // in the newest block
  std::size_t free_bytes_ = 0;   // left in the newest block
  std::size_t block_bytes_ = 0;  // size of the newest block
  std::string method_ = "GET";
  std::string target_ = "/";
  std::size_t path_length_ = 1;      // of target_, when no set_path replaced it
  std::optional<std::string> path_;  // set_path's
  bool tls_ = false;
  std::vector<X509*> certificates_;  // owned references
  std::unique_ptr<StringBody> owned_body_;
  BodySource* body_source_ = nullptr;
  std::size_t body_limit_ = std::size_t{3} << 20;
  Protocol protocol_ = Protocol::kHttp1;
  std::string remote_address_;
};

}  // namespace kauth::http

#endif  // KAUTH_HTTP_SERVER_REQUEST_H_
