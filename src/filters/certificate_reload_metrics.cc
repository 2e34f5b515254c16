#include "filters/certificate_reload_metrics.h"

#include <string>
#include <utility>

#include "log/log.h"

namespace kauth::filters {
namespace {

constexpr std::string_view kSource = "certificate_reload_metrics.cc";

}  // namespace

CertificateReloadMetrics::CertificateReloadMetrics(std::shared_ptr<metrics::Registry> registry)
    : registry_(std::move(registry)),
      ca_reloads_(registry_->AddCounter(
          "kauth_client_ca_reloads_total",
          "Reloads of --client-ca-file (bundle=\"client-ca-bundle\") and "
          "--requestheader-client-ca-file (bundle=\"request-header\") by result (success: a new "
          "bundle is in force; failure: the file could not be read or parsed and the previous "
          "bundle stays).",
          metrics::Stability::kAlpha, {"bundle", "result"})),
      serving_reloads_(registry_->AddCounter(
          "kauth_serving_certificate_reloads_total",
          "Reloads of the serving certificates (--tls-cert-file, --tls-sni-cert-key) by result "
          "(success: new certificates serve new handshakes; failure: a certificate or key could "
          "not be loaded, or they do not match, and the previous pair stays).",
          metrics::Stability::kAlpha, {"result"})) {}

void CertificateReloadMetrics::Observe(ReloadableCaBundle& bundle) const {
  // The listener outlives whatever declared this object: it holds the registry itself.
  bundle.AddListener([registry = registry_, &counter = ca_reloads_,
                      purpose = bundle.name().substr(0, bundle.name().find("::")),
                      name = bundle.name()](const CaBundleReload& reload) {
    switch (reload.outcome) {
      case CaBundleReload::Outcome::kSwapped:
        counter.Add({purpose, "success"});
        log::Info(kSource, "Reloaded the CA bundle",
                  {{"name", name}, {"certificates", std::to_string(reload.certificates)}});
        break;
      case CaBundleReload::Outcome::kUnchanged:
        if (log::V(2)) log::Info(kSource, "CA bundle unchanged", {{"name", name}});
        break;
      case CaBundleReload::Outcome::kFailed:
        counter.Add({purpose, "failure"});
        // R5.7's wording, "<key> failed with : <err>".
        log::Error(kSource, "Reloading the CA bundle failed; the previous bundle stays in force",
                   {{"err", name + " failed with : " + reload.error}});
        break;
    }
  });
}

void CertificateReloadMetrics::Observe(server::ReloadableServingCertificates& certificates) const {
  certificates.AddListener([registry = registry_, &counter = serving_reloads_](
                               const server::ServingCertificateReload& reload) {
    if (reload.swapped) counter.Add({"success"});
    if (!reload.errors.empty()) counter.Add({"failure"});
    for (const std::string& name : reload.reloaded) {
      log::Info(kSource, "Reloaded the serving certificate", {{"name", name}});
    }
    for (const std::string& error : reload.errors) {
      log::Error(kSource,
                 "Reloading the serving certificate failed; the previous pair stays in force",
                 {{"err", error}});
    }
  });
}

}  // namespace kauth::filters
