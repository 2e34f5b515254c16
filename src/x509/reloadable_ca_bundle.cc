#include "kauth/reloadable_ca_bundle.h"

#include <utility>

#include "watch/file_watcher.h"
#include "watch/reload_record.h"

namespace kauth {

Result<std::shared_ptr<ReloadableCaBundle>> ReloadableCaBundle::Load(
    ReloadableCaBundleOptions options) {
  auto bundle = CaBundle::LoadFile(options.path, options.purpose);
  if (!bundle) return bundle.error();
  std::shared_ptr<ReloadableCaBundle> reloadable(new ReloadableCaBundle(std::move(options)));
  ReloadableCaBundle& self = *reloadable;
  self.current_.store(std::move(*bundle));
  self.status_.last_success = std::chrono::system_clock::now();

  if (self.options_.watch) {
    auto watcher =
        watch::FileWatcher::Start({.path = self.options_.path,
                                   .poll_interval = self.options_.poll_interval,
                                   .settle = self.options_.settle,
                                   .max_settle = self.options_.max_settle},
                                  // The watcher is a member: it stops before `self` goes away.
                                  [&self](watch::WatchReason) { self.Reload(); });
    if (!watcher) return watcher.error();
    self.watcher_ = std::move(*watcher);
  }
  return reloadable;
}

ReloadableCaBundle::ReloadableCaBundle(ReloadableCaBundleOptions options)
    : options_(std::move(options)) {}

ReloadableCaBundle::~ReloadableCaBundle() {
  // Joins the thread before the state its callback uses is destroyed.
  watcher_.reset();
}

std::shared_ptr<const CaBundle> ReloadableCaBundle::Current() const { return current_.load(); }

void ReloadableCaBundle::RequestReload() noexcept {
  if (watcher_) watcher_->Trigger();
}

void ReloadableCaBundle::AddListener(Listener listener) {
  std::lock_guard lock(status_mu_);
  listeners_.push_back(std::make_shared<const Listener>(std::move(listener)));
}

CaBundleReloadStatus ReloadableCaBundle::status() const {
  std::lock_guard lock(status_mu_);
  return status_;
}

CaBundleReload ReloadableCaBundle::Reload() {
  std::lock_guard reload_lock(reload_mu_);
  CaBundleReload reload;
  // Parsed before the comparison: identical bytes parse identically, and a CA file is small,
  // so the outcome is R5.7's (compare, then parse) at a negligible cost.
  auto loaded = CaBundle::LoadFile(options_.path, options_.purpose);
  if (!loaded) {
    reload.outcome = CaBundleReload::Outcome::kFailed;
    reload.error = std::move(loaded.error().message);
  } else if ((*loaded)->pem() == current_.load()->pem()) {
    reload.outcome = CaBundleReload::Outcome::kUnchanged;
  } else {
    reload.outcome = CaBundleReload::Outcome::kSwapped;
    reload.certificates = (*loaded)->certificates().size();
    current_.store(std::move(*loaded));
  }

  std::vector<std::shared_ptr<const Listener>> listeners;
  {
    std::lock_guard lock(status_mu_);
    RecordReloadAttempt(reload, status_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) (*listener)(reload);
  return reload;
}

}  // namespace kauth
