#include "server/serving_certificates.h"

#include <cassert>
#include <cctype>
#include <utility>

namespace kauth::server {
namespace {

class StaticServingCertificateProvider final : public ServingCertificateProvider {
 public:
  explicit StaticServingCertificateProvider(std::shared_ptr<const ServingCertificates> current)
      : current_(std::move(current)) {}
  std::shared_ptr<const ServingCertificates> Current() const override { return current_; }

 private:
  const std::shared_ptr<const ServingCertificates> current_;
};

std::string ToLowerAscii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace

ServingCertificates::ServingCertificates(std::shared_ptr<const CertifiedKey> default_certificate,
                                         std::vector<SniCertifiedKey> sni)
    : default_(std::move(default_certificate)), sni_(std::move(sni)) {
  assert(default_ != nullptr);
  // k8s.io/apiserver's BuildNamedCertificates: walking the pairs backwards lets earlier ones
  // overwrite later ones, and explicit names are applied last so that they beat extracted ones.
  std::unordered_map<std::string, std::shared_ptr<const CertifiedKey>> explicit_names;
  for (auto it = sni_.rbegin(); it != sni_.rend(); ++it) {
    if (it->names.empty()) {
      for (std::string& name : it->certificate->DefaultSniNames()) {
        by_name_[std::move(name)] = it->certificate;
      }
    } else {
      for (const std::string& name : it->names) explicit_names[name] = it->certificate;
    }
  }
  for (auto& [name, certificate] : explicit_names) by_name_[name] = std::move(certificate);
}

const std::shared_ptr<const CertifiedKey>& ServingCertificates::Select(
    std::string_view server_name) const {
  if (by_name_.empty() || server_name.empty()) return default_;
  // Go lower-cases the client's name but not the configured ones.
  std::string name = ToLowerAscii(server_name);
  if (auto found = by_name_.find(name); found != by_name_.end()) return found->second;
  const std::size_t dot = name.find('.');
  name = "*" + (dot == std::string::npos ? std::string() : name.substr(dot));
  if (auto found = by_name_.find(name); found != by_name_.end()) return found->second;
  return default_;
}

std::shared_ptr<const ServingCertificateProvider> NewStaticServingCertificateProvider(
    std::shared_ptr<const ServingCertificates> certificates) {
  return std::make_shared<StaticServingCertificateProvider>(std::move(certificates));
}

}  // namespace kauth::server
