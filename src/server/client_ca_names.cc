#include "server/client_ca_names.h"

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <utility>

namespace kauth::server {

struct ClientCaNames::Names {
  Names() = default;
  ~Names() { sk_X509_NAME_pop_free(stack, X509_NAME_free); }
  Names(const Names&) = delete;
  Names& operator=(const Names&) = delete;

  // The bundles the list was built from: a provider handing out another one triggers a rebuild.
  std::vector<std::shared_ptr<const CaBundle>> bundles;
  STACK_OF(X509_NAME) * stack = sk_X509_NAME_new_null();
};

ClientCaNames::ClientCaNames(std::vector<std::shared_ptr<const CaBundleProvider>> providers)
    : providers_(std::move(providers)) {}

ClientCaNames::~ClientCaNames() = default;

std::shared_ptr<const ClientCaNames::Names> ClientCaNames::Refresh() const {
  std::vector<std::shared_ptr<const CaBundle>> current;
  current.reserve(providers_.size());
  for (const auto& provider : providers_) current.push_back(provider->Current());

  std::lock_guard<std::mutex> lock(mu_);
  if (names_ != nullptr && names_->bundles == current) return names_;
  auto names = std::make_shared<Names>();
  for (const auto& bundle : current) {
    if (bundle == nullptr) continue;
    for (X509* cert : bundle->certificates()) {
      const X509_NAME* subject = X509_get_subject_name(cert);
      bool seen = false;
      for (int i = 0; i < sk_X509_NAME_num(names->stack); ++i) {
        if (X509_NAME_cmp(sk_X509_NAME_value(names->stack, i), subject) == 0) {
          seen = true;
          break;
        }
      }
      if (!seen) sk_X509_NAME_push(names->stack, X509_NAME_dup(subject));
    }
  }
  names->bundles = std::move(current);
  names_ = names;
  return names;
}

void ClientCaNames::ApplyTo(SSL* ssl) const {
  if (!enabled()) return;
  const std::shared_ptr<const Names> names = Refresh();
  // The SSL takes ownership of the copy; the cached list stays shared and read-only.
  SSL_set_client_CA_list(ssl, SSL_dup_CA_list(names->stack));
}

std::vector<std::string> ClientCaNames::Current() const {
  std::vector<std::string> out;
  if (!enabled()) return out;
  const std::shared_ptr<const Names> names = Refresh();
  for (int i = 0; i < sk_X509_NAME_num(names->stack); ++i) {
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, sk_X509_NAME_value(names->stack, i), 0, XN_FLAG_ONELINE);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    out.emplace_back(data, static_cast<std::size_t>(size));
    BIO_free(bio);
  }
  return out;
}

}  // namespace kauth::server
