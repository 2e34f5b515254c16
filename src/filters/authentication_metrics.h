// The authentication filter's metrics (R7.6) and the client-certificate expiry histogram (R5.4),
// registered in kauthd's registry under Kubernetes' exact names, help texts, labels and buckets:
//
//   authenticated_user_requests{username}        counter   (success only; CompressUsername)
//   authentication_attempts{result}              counter   result: success | failure | error
//   authentication_duration_seconds{result}      histogram buckets 0.001 * 2^k, k = 0..14
//   apiserver_client_certificate_expiration_seconds  histogram, unlabelled, R5.4's buckets
//
// All ALPHA. Construct one per registry (registering twice aborts) before building the chain, so
// that ClientCertificateExpirationObserver can go into ChainConfig. Holds references into the
// registry, which must outlive this object and every function it hands out. Thread-safe.
#ifndef KAUTH_FILTERS_AUTHENTICATION_METRICS_H_
#define KAUTH_FILTERS_AUTHENTICATION_METRICS_H_

#include <functional>
#include <string>
#include <string_view>

#include "metrics/registry.h"

namespace kauth::filters {

// R7.6's username label: admin, client, kube_proxy, kubelet and
// system:serviceaccount:kube-system:default as-is; a name containing '@' is "email_id"; anything
// else is "other".
std::string CompressUsername(std::string_view username);

class AuthenticationMetrics {
 public:
  // R7.6's result label: success (authenticated), failure (no credential applied: N/A), error
  // (a rejection, or a success whose audiences do not match the API audiences).
  enum class Result { kSuccess, kFailure, kError };

  explicit AuthenticationMetrics(metrics::Registry& registry);
  AuthenticationMetrics(const AuthenticationMetrics&) = delete;
  AuthenticationMetrics& operator=(const AuthenticationMetrics&) = delete;

  // Counts one attempt that took `seconds`; `username` is counted (compressed) for kSuccess only.
  void RecordAttempt(Result result, double seconds, std::string_view username) const;

  // R5.4: records a leaf certificate's NotAfter minus now, in seconds. For
  // ChainConfig::observe_client_certificate_expiration.
  std::function<void(double)> ClientCertificateExpirationObserver() const;

 private:
  metrics::Counter& user_requests_;
  metrics::Counter& attempts_;
  metrics::Histogram& duration_;
  metrics::Histogram& certificate_expiration_;
  // Every request records one attempt and its duration, and most are "other" users: those
  // series are bound once (indexed by Result).
  const metrics::BoundCounter attempts_by_result_[3];
  const metrics::BoundHistogram duration_by_result_[3];
  const metrics::BoundCounter other_user_requests_;
};

}  // namespace kauth::filters

#endif  // KAUTH_FILTERS_AUTHENTICATION_METRICS_H_
