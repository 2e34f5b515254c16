#include "filters/authentication_metrics.h"

namespace kauth::filters {

std::string CompressUsername(std::string_view username) {
  // Known internal identities keep their name; everything else is bucketed so the label's
  // cardinality stays bounded and real user names never reach the metrics.
  if (username == "admin" || username == "client" || username == "kube_proxy" ||
      username == "kubelet" || username == "system:serviceaccount:kube-system:default") {
    return std::string(username);
  }
  if (username.find('@') != std::string_view::npos) return "email_id";
  return "other";
}

AuthenticationMetrics::AuthenticationMetrics(metrics::Registry& registry)
    : user_requests_(
          registry.AddCounter("authenticated_user_requests",
                              "Counter of authenticated requests broken out by username.",
                              metrics::Stability::kAlpha, {"username"})),
      attempts_(registry.AddCounter("authentication_attempts", "Counter of authenticated attempts.",
                                    metrics::Stability::kAlpha, {"result"})),
      duration_(registry.AddHistogram("authentication_duration_seconds",
                                      "Authentication duration in seconds broken out by result.",
                                      metrics::Stability::kAlpha, {"result"},
                                      metrics::ExponentialBuckets(0.001, 2, 15))),
      certificate_expiration_(registry.AddHistogram(
          "apiserver_client_certificate_expiration_seconds",
          "Distribution of the remaining lifetime on the certificate used to authenticate a "
          "request.",
          metrics::Stability::kAlpha, {},
          {0, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 345600, 604800, 2592000, 7776000,
           15552000, 31104000})),
      attempts_by_result_{{attempts_, {"success"}}, {attempts_, {"failure"}}, {attempts_, {"error"}}},
      duration_by_result_{{duration_, {"success"}}, {duration_, {"failure"}}, {duration_, {"error"}}},
      other_user_requests_(user_requests_, {"other"}) {}

void AuthenticationMetrics::RecordAttempt(Result result, double seconds,
                                          std::string_view username) const {
  if (result == Result::kSuccess) {
    const std::string user = CompressUsername(username);
    if (user == "other") {
      other_user_requests_.Add();
    } else {
      user_requests_.Add({user});
    }
  }
  const auto index = static_cast<std::size_t>(result);
  attempts_by_result_[index].Add();
  duration_by_result_[index].Observe(seconds);
}

std::function<void(double)> AuthenticationMetrics::ClientCertificateExpirationObserver() const {
  metrics::Histogram* histogram = &certificate_expiration_;
  return [histogram](double remaining_seconds) { histogram->Observe({}, remaining_seconds); };
}

}  // namespace kauth::filters
