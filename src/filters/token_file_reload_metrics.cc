#include "filters/token_file_reload_metrics.h"

#include <chrono>
#include <string>

#include "log/log.h"

namespace kauth::filters {
namespace {

constexpr std::string_view kSource = "token_file_reload_metrics.cc";

double UnixSeconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

}  // namespace

void ObserveTokenFileReloads(metrics::Registry& registry, ReloadableTokenFile& file) {
  metrics::Counter& reloads = registry.AddCounter(
      "kauth_token_file_reloads_total",
      "Reloads of --token-auth-file by result (success: a new token table is in force; failure: "
      "the file could not be read or parsed and the previous table stays).",
      metrics::Stability::kAlpha, {"result"});
  metrics::Gauge& last_success = registry.AddGauge(
      "kauth_token_file_last_reload_success_timestamp_seconds",
      "Unix time at which the token table in force was loaded from --token-auth-file.",
      metrics::Stability::kAlpha, {});
  last_success.Set({}, UnixSeconds(file.status().last_success));

  file.AddListener([&reloads, &last_success, &file](const TokenFileReload& reload) {
    switch (reload.outcome) {
      case TokenFileReload::Outcome::kSwapped: {
        reloads.Add({"success"});
        last_success.Set({}, UnixSeconds(file.status().last_success));
        const std::string tokens = std::to_string(reload.tokens);
        log::Info(kSource, "Reloaded the token file", {{"path", file.path()}, {"tokens", tokens}});
        for (const std::string& warning : reload.warnings) log::Warning(kSource, warning);
        break;
      }
      case TokenFileReload::Outcome::kUnchanged:
        if (log::V(2)) {
          log::Info(kSource, "Token file unchanged", {{"path", file.path()}});
        }
        break;
      case TokenFileReload::Outcome::kFailed:
        reloads.Add({"failure"});
        log::Error(kSource, "Reloading the token file failed; the previous tokens stay in force",
                   {{"err", reload.error}});
        break;
    }
  });
}

}  // namespace kauth::filters
