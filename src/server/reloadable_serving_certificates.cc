#include "server/reloadable_serving_certificates.h"

#include <cassert>
#include <set>
#include <utility>

#include "watch/file_watcher.h"

namespace kauth::server {

struct ReloadableServingCertificates::Pair {
  // Null for a fixed pair, which is never re-read.
  std::optional<ServingCertificate> files;
  std::vector<std::string> names;  // SNI names as given
  std::string name;                // kube-apiserver's controller name, for messages
  std::shared_ptr<const CertifiedKey> current;
};

namespace {

std::string PairName(std::string_view kind, const ServingCertificate& files) {
  return std::string(kind) + "::" + files.cert_file + "::" + files.key_file;
}

Result<std::shared_ptr<const CertifiedKey>> LoadPair(const ServingCertificate& files) {
  Result<ServingKeyPair> read = ReadServingCertificate(files);
  if (!read) return read.error();
  return CertifiedKey::FromPem(*read);
}

bool SameBytes(const ServingKeyPair& a, const ServingKeyPair& b) {
  return a.cert_chain_pem == b.cert_chain_pem && a.key_pem == b.key_pem;
}

}  // namespace

Result<std::shared_ptr<ReloadableServingCertificates>> ReloadableServingCertificates::Load(
    ReloadableServingCertificatesOptions options) {
  assert(options.default_files || options.fixed_default);
  std::shared_ptr<ReloadableServingCertificates> reloadable(
      new ReloadableServingCertificates(std::move(options)));
  ReloadableServingCertificates& self = *reloadable;
  const ReloadableServingCertificatesOptions& opts = self.options_;

  Pair default_pair;
  if (opts.default_files) {
    default_pair.files = opts.default_files;
    default_pair.name = PairName("serving-cert", *opts.default_files);
    auto loaded = LoadPair(*opts.default_files);
    if (!loaded) return loaded.error();
    default_pair.current = std::move(*loaded);
  } else {
    default_pair.name = "serving-cert::" + opts.fixed_default->cert_source;
    auto loaded = CertifiedKey::FromPem(*opts.fixed_default);
    if (!loaded) return loaded.error();
    default_pair.current = std::move(*loaded);
  }
  self.pairs_.push_back(std::move(default_pair));
  for (const SniCertificateFiles& sni : opts.sni) {
    const ServingCertificate files{.cert_file = sni.cert_file, .key_file = sni.key_file};
    auto loaded = LoadPair(files);
    if (!loaded) return Error{"failed to load SNI cert and key: " + loaded.error().message};
    self.pairs_.push_back(Pair{.files = files,
                               .names = sni.names,
                               .name = PairName("sni-serving-cert", files),
                               .current = std::move(*loaded)});
  }
  std::vector<SniCertifiedKey> sni;
  for (std::size_t i = 1; i < self.pairs_.size(); ++i) {
    sni.push_back({.certificate = self.pairs_[i].current, .names = self.pairs_[i].names});
  }
  self.current_.store(
      std::make_shared<const ServingCertificates>(self.pairs_.front().current, std::move(sni)));
  self.status_.last_success = std::chrono::system_clock::now();

  if (opts.watch) {
    std::set<std::string> paths;
    for (const Pair& pair : self.pairs_) {
      if (!pair.files) continue;
      paths.insert(pair.files->cert_file);
      paths.insert(pair.files->key_file);
    }
    for (const std::string& path : paths) {
      auto watcher =
          watch::FileWatcher::Start({.path = path,
                                     .poll_interval = opts.poll_interval,
                                     .settle = opts.settle,
                                     .max_settle = opts.max_settle},
                                    // The watchers are members: they stop before `self` goes away.
                                    [&self](watch::WatchReason) { self.Reload(); });
      if (!watcher) return watcher.error();
      self.watchers_.push_back(std::move(*watcher));
    }
  }
  return reloadable;
}

ReloadableServingCertificates::ReloadableServingCertificates(
    ReloadableServingCertificatesOptions options)
    : options_(std::move(options)) {}

ReloadableServingCertificates::~ReloadableServingCertificates() {
  // Joins the threads before the state their callbacks use is destroyed.
  watchers_.clear();
}

std::shared_ptr<const ServingCertificates> ReloadableServingCertificates::Current() const {
  return current_.load();
}

void ReloadableServingCertificates::RequestReload() noexcept {
  for (const auto& watcher : watchers_) watcher->Trigger();
}

void ReloadableServingCertificates::AddListener(Listener listener) {
  std::lock_guard lock(status_mu_);
  listeners_.push_back(std::make_shared<const Listener>(std::move(listener)));
}

ServingCertificateReloadStatus ReloadableServingCertificates::status() const {
  std::lock_guard lock(status_mu_);
  return status_;
}

ServingCertificateReload ReloadableServingCertificates::Reload() {
  std::lock_guard reload_lock(reload_mu_);
  ServingCertificateReload reload;
  for (Pair& pair : pairs_) {
    if (!pair.files) continue;
    auto loaded = LoadPair(*pair.files);
    if (!loaded) {
      reload.errors.push_back(pair.name + " failed with : " + loaded.error().message);
    } else if (!SameBytes((*loaded)->pem(), pair.current->pem())) {
      pair.current = std::move(*loaded);
      reload.reloaded.push_back(pair.name);
    }
  }
  if (!reload.reloaded.empty()) {
    std::vector<SniCertifiedKey> sni;
    for (std::size_t i = 1; i < pairs_.size(); ++i) {
      sni.push_back({.certificate = pairs_[i].current, .names = pairs_[i].names});
    }
    current_.store(
        std::make_shared<const ServingCertificates>(pairs_.front().current, std::move(sni)));
    reload.swapped = true;
  }

  std::vector<std::shared_ptr<const Listener>> listeners;
  {
    std::lock_guard lock(status_mu_);
    if (reload.swapped) {
      ++status_.swaps;
      status_.last_success = std::chrono::system_clock::now();
    }
    if (reload.errors.empty()) {
      status_.last_error.reset();
    } else {
      ++status_.failures;
      std::string joined;
      for (const std::string& error : reload.errors) {
        if (!joined.empty()) joined += "; ";
        joined += error;
      }
      status_.last_error = std::move(joined);
    }
    listeners = listeners_;
  }
  for (const auto& listener : listeners) (*listener)(reload);
  return reload;
}

}  // namespace kauth::server
