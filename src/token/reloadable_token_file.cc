#include "kauth/reloadable_token_file.h"

#include <cassert>
#include <utility>

#include "crypto/digest.h"
#include "token/token_file_read.h"
#include "watch/file_watcher.h"
#include "watch/reload_record.h"

namespace kauth {

struct ReloadableTokenFile::Loaded {
  // Of the bytes in force: a re-read with the same digest changes nothing (R5.7's rule for CA
  // files, applied here too). A digest, not the bytes: those hold every token in plaintext.
  Sha256Digest digest{};
  // Of the file last read, good or bad, for the periodic check.
  FileStamp stamp;
};

Result<std::shared_ptr<ReloadableTokenFile>> ReloadableTokenFile::Load(
    ReloadableTokenFileOptions options) {
  assert(!options.path.empty());
  std::shared_ptr<ReloadableTokenFile> reloadable(new ReloadableTokenFile(std::move(options)));
  ReloadableTokenFile& self = *reloadable;

  SecretBuffer contents;
  FileStamp stamp;
  if (auto read = ReadTokenFile(self.options_.path, contents.get(), &stamp); !read) {
    return read.error();
  }
  auto parsed = TokenFile::Parse(contents.get(), self.options_.path, self.options_.parse);
  if (!parsed) return parsed.error();
  self.current_.store(std::move(*parsed));
  self.loaded_ = std::make_unique<Loaded>(Loaded{Sha256(contents.get()), stamp});
  self.status_.last_success = std::chrono::system_clock::now();

  if (self.options_.watch) {
    auto watcher = watch::FileWatcher::Start(
        {.path = self.options_.path,
         .poll_interval = self.options_.poll_interval,
         .settle = self.options_.settle,
         .max_settle = self.options_.max_settle},
        // The watcher is a member: it stops before `self` goes away.
        [&self](watch::WatchReason reason) {
          self.Attempt(/*only_if_stat_changed=*/reason == watch::WatchReason::kPoll);
        });
    if (!watcher) return watcher.error();
    self.watcher_ = std::move(*watcher);
  }
  return reloadable;
}

ReloadableTokenFile::ReloadableTokenFile(ReloadableTokenFileOptions options)
    : options_(std::move(options)) {}

ReloadableTokenFile::~ReloadableTokenFile() {
  // Joins the thread before the state its callback uses is destroyed.
  watcher_.reset();
}

std::shared_ptr<const TokenFile> ReloadableTokenFile::Current() const { return current_.load(); }

TokenFileReload ReloadableTokenFile::Reload() { return *Attempt(/*only_if_stat_changed=*/false); }

void ReloadableTokenFile::RequestReload() noexcept {
  if (watcher_) watcher_->Trigger();
}

void ReloadableTokenFile::AddListener(Listener listener) {
  std::lock_guard lock(status_mu_);
  listeners_.push_back(std::make_shared<const Listener>(std::move(listener)));
}

TokenFileReloadStatus ReloadableTokenFile::status() const {
  std::lock_guard lock(status_mu_);
  return status_;
}

std::optional<TokenFileReload> ReloadableTokenFile::Attempt(bool only_if_stat_changed) {
  std::lock_guard reload_lock(reload_mu_);
  if (only_if_stat_changed && StatFile(options_.path) == loaded_->stamp) return std::nullopt;

  TokenFileReload reload;
  SecretBuffer contents;
  FileStamp stamp;
  if (auto read = ReadTokenFile(options_.path, contents.get(), &stamp); !read) {
    reload.outcome = TokenFileReload::Outcome::kFailed;
    reload.error = std::move(read.error().message);
  } else if (const Sha256Digest digest = Sha256(contents.get()); digest == loaded_->digest) {
    reload.outcome = TokenFileReload::Outcome::kUnchanged;
  } else if (auto parsed = TokenFile::Parse(contents.get(), options_.path, options_.parse);
             !parsed) {
    reload.outcome = TokenFileReload::Outcome::kFailed;
    reload.error = std::move(parsed.error().message);
  } else {
    reload.outcome = TokenFileReload::Outcome::kSwapped;
    reload.tokens = (*parsed)->size();
    reload.warnings = (*parsed)->warnings();
    current_.store(std::move(*parsed));
    loaded_->digest = digest;
  }
  // A missing file stamps as "absent", so the periodic check reports it once, not every period.
  loaded_->stamp = stamp;

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
