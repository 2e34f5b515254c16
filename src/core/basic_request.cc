#include "kauth/basic_request.h"

#include <openssl/x509.h>

#include <algorithm>

#include "core/strings.h"

namespace kauth {

BasicRequest::~BasicRequest() { ReleaseCertificates(); }

void BasicRequest::ReleaseCertificates() {
  for (X509* cert : certificates_) X509_free(cert);
  certificates_.clear();
}

void BasicRequest::AddHeader(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
}

void BasicRequest::SetPeerCertificates(std::span<X509* const> chain) {
  ReleaseCertificates();
  for (X509* cert : chain) {
    X509_up_ref(cert);
    certificates_.push_back(cert);
  }
  tls_ = true;
}

std::optional<std::string_view> BasicRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers_) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string_view> BasicRequest::HeaderValues(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : headers_) {
    if (EqualsIgnoreCase(key, name)) values.push_back(value);
  }
  return values;
}

void BasicRequest::ForEachHeader(
    const std::function<void(std::string_view, std::string_view)>& visit) const {
  for (const auto& [key, value] : headers_) visit(key, value);
}

void BasicRequest::RemoveHeader(std::string_view name) {
  std::erase_if(headers_, [&](const auto& header) { return EqualsIgnoreCase(header.first, name); });
}

void BasicRequest::RemoveHeadersIf(const std::function<bool(std::string_view name)>& doomed) {
  std::erase_if(headers_, [&](const auto& header) { return doomed(header.first); });
}

void BasicRequest::SetHeader(std::string_view name, std::string_view value) {
  RemoveHeader(name);
  headers_.emplace_back(std::string(name), std::string(value));
}

}  // namespace kauth
