#include "api/self_subject_review.h"

#include <optional>
#include <string>
#include <utility>

#include "api/object_meta.h"
#include "api/responses.h"
#include "api/token_review_object.h"
#include "http/status.h"

namespace kauth::api {
namespace {

constexpr std::string_view kPrefix = "/apis/authentication.k8s.io/";
constexpr std::string_view kSuffix = "/selfsubjectreviews";

// The served version in `path`, or "" when the path is not a SelfSubjectReview collection.
std::string_view VersionOf(std::string_view path) {
  if (path.size() <= kPrefix.size() + kSuffix.size() || !path.starts_with(kPrefix) ||
      !path.ends_with(kSuffix)) {
    return {};
  }
  const std::string_view version =
      path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (version == "v1" || version == "v1beta1" || version == "v1alpha1") return version;
  return {};
}

}  // namespace

SelfSubjectReviewApi::SelfSubjectReviewApi(SelfSubjectReviewOptions options)
    : options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return std::chrono::system_clock::now(); };
}

bool SelfSubjectReviewApi::Serves(std::string_view path) const { return !VersionOf(path).empty(); }

Awaitable<http::ServerResponse> SelfSubjectReviewApi::Handle(http::ServerRequest& request,
                                                             http::RequestState& state) const {
  if (request.method() != "POST") {
    co_return http::StatusResponse(request, MethodNotAllowedStatus());
  }
  // kube-apiserver reads and type-checks the body before it creates the review (R14.2); kauthd
  // reads and ignores it (R14.3: kubectl may send protobuf). Answering before the body's end
  // would make an HTTP/2 server reset the stream (RST_STREAM NO_ERROR, RFC 9113 section 8.1),
  // which some clients (curl 7.88) report as a failed request.
  const http::BodyReadResult body = co_await request.ReadBody();
  if (std::optional<http::ServerResponse> failed = BodyReadFailure(request, body)) {
    co_return std::move(*failed);
  }
  if (!state.user) {
    co_return http::StatusResponse(request, http::BadRequestStatus("no user present on request"));
  }
  ObjectMeta metadata;
  metadata.creation_timestamp = GoTime::FromSystemClock(options_.now());
  JsonValue review = JsonValue::Object();
  review.Add("kind", JsonValue::String("SelfSubjectReview"));
  review.Add("apiVersion", JsonValue::String(std::string(kAuthenticationGroup) + "/" +
                                             std::string(VersionOf(request.path()))));
  review.Add("metadata", ObjectMetaToJson(std::move(metadata)));
  JsonValue status = JsonValue::Object();
  status.Add("userInfo", UserInfoToJson(*state.user));
  review.Add("status", std::move(status));
  co_return ObjectResponse(request, 201, review);
}

}  // namespace kauth::api
