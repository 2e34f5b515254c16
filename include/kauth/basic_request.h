// BasicRequest: a self-contained Request that owns its headers and certificates. Used for
// synthetic requests (a TokenReview's fake request, R14.1), tests, fuzzing and benchmarks.
#ifndef KAUTH_BASIC_REQUEST_H_
#define KAUTH_BASIC_REQUEST_H_

#include <string>
#include <utility>
#include <vector>

#include "kauth/request.h"

namespace kauth {

class BasicRequest : public Request {
 public:
  BasicRequest() = default;
  explicit BasicRequest(std::string path) : path_(std::move(path)) {}
  ~BasicRequest() override;
  BasicRequest(const BasicRequest&) = delete;
  BasicRequest& operator=(const BasicRequest&) = delete;

  // Appends a header line.
  void AddHeader(std::string name, std::string value);
  void set_path(std::string path) { path_ = std::move(path); }
  void set_tls(bool tls) { tls_ = tls; }
  // Takes a reference on each certificate (X509_up_ref) and marks the request as TLS.
  void SetPeerCertificates(std::span<X509* const> chain);

  std::optional<std::string_view> Header(std::string_view name) const override;
  std::vector<std::string_view> HeaderValues(std::string_view name) const override;
  void ForEachHeader(
      const std::function<void(std::string_view, std::string_view)>& visit) const override;
  void RemoveHeader(std::string_view name) override;
  void RemoveHeadersIf(const std::function<bool(std::string_view name)>& doomed) override;
  void SetHeader(std::string_view name, std::string_view value) override;
  std::string_view path() const override { return path_; }
  bool is_tls() const override { return tls_; }
  std::span<X509* const> peer_certificates() const override { return certificates_; }

 private:
  void ReleaseCertificates();

  std::vector<std::pair<std::string, std::string>> headers_;
  std::string path_ = "/";
  bool tls_ = false;
  std::vector<X509*> certificates_;  // owned references
};

}  // namespace kauth

#endif  // KAUTH_BASIC_REQUEST_H_
