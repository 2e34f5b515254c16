// kauthd's view of client CA and serving certificate reloads (Kubernetes reloads both but only
// logs a failure): every attempt is logged and counted, so an operator can alert on a file that
// stopped loading.
//
//   kauth_client_ca_reloads_total{bundle="client-ca-bundle"|"request-header",
//                                 result="success"|"failure"}                    counter
//   kauth_serving_certificate_reloads_total{result="success"|"failure"}          counter
//
// Both ALPHA. An identical re-read is neither. A serving certificate attempt counts a success
// when it swapped a new set in and a failure when any pair failed (both, when one pair loaded
// and another failed).
#ifndef KAUTH_FILTERS_CERTIFICATE_RELOAD_METRICS_H_
#define KAUTH_FILTERS_CERTIFICATE_RELOAD_METRICS_H_

#include <memory>

#include "kauth/reloadable_ca_bundle.h"
#include "metrics/registry.h"
#include "server/reloadable_serving_certificates.h"

namespace kauth::filters {

class CertificateReloadMetrics {
 public:
  // Registers the metrics above; once per registry.
  explicit CertificateReloadMetrics(std::shared_ptr<metrics::Registry> registry);

  // Adds a listener that logs and records each reload. The listeners keep the registry alive.
  void Observe(ReloadableCaBundle& bundle) const;
  void Observe(server::ReloadableServingCertificates& certificates) const;

 private:
  std::shared_ptr<metrics::Registry> registry_;
  metrics::Counter& ca_reloads_;
  metrics::Counter& serving_reloads_;
};

}  // namespace kauth::filters

#endif  // KAUTH_FILTERS_CERTIFICATE_RELOAD_METRICS_H_
