#include "api/token_review.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "api/responses.h"
#include "api/token_review_object.h"
#include "core/strings.h"
#include "http/status.h"
#include "kauth/basic_request.h"
#include "log/log.h"

namespace kauth::api {
namespace {

constexpr std::string_view kPrefix = "/apis/authentication.k8s.io/";
constexpr std::string_view kSuffix = "/tokenreviews";
constexpr std::string_view kSource = "token_review.cc";

std::string_view VersionOf(std::string_view path) {
  if (path.size() <= kPrefix.size() + kSuffix.size() || !path.starts_with(kPrefix) ||
      !path.ends_with(kSuffix)) {
    return {};
  }
  const std::string_view version =
      path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (version == "v1" || version == "v1beta1") return version;
  return {};
}

// kube-apiserver reads a body without a Content-Type as JSON; kauthd reads only JSON.
bool IsJson(std::optional<std::string_view> content_type) {
  if (!content_type) return true;
  std::string_view media_type = content_type->substr(0, content_type->find(';'));
  return EqualsIgnoreCase(TrimSpace(media_type), "application/json");
}

bool IsAnonymous(const UserInfo& user) {
  return user.name == kUserAnonymous || std::find(user.groups.begin(), user.groups.end(),
                                                  kGroupUnauthenticated) != user.groups.end();
}

std::string FormatList(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const std::string& value : values) {
    if (out.size() > 1) out += ' ';
    out += '"' + value + '"';
  }
  return out + "]";
}

}  // namespace

TokenReviewApi::TokenReviewApi(TokenReviewOptions options) : options_(std::move(options)) {}

bool TokenReviewApi::Serves(std::string_view path) const { return !VersionOf(path).empty(); }

Awaitable<http::ServerResponse> TokenReviewApi::Handle(http::ServerRequest& request,
                                                       http::RequestState& state) const {
  if (request.method() != "POST") {
    co_return http::StatusResponse(request, MethodNotAllowedStatus());
  }
  if (!IsJson(request.Header("Content-Type"))) {
    co_return http::StatusResponse(request, UnsupportedMediaTypeStatus("application/json"));
  }
  http::BodyReadResult body = co_await request.ReadBody();
  if (std::optional<http::ServerResponse> failed = BodyReadFailure(request, body)) {
    co_return std::move(*failed);
  }
  Result<TokenReviewObject> decoded = DecodeTokenReview(body.body, VersionOf(request.path()));
  if (!decoded) {
    co_return http::StatusResponse(request, http::BadRequestStatus(decoded.error().message));
  }
  TokenReviewObject review = std::move(*decoded);
  if (review.token.empty()) {
    co_return http::StatusResponse(
        request, http::BadRequestStatus("token is required for TokenReview in authentication"));
  }
  if (!options_.authenticator) {
    co_return ObjectResponse(request, 201, TokenReviewToJson(std::move(review)));
  }

  BasicRequest synthetic;
  synthetic.AddHeader("Authorization", "Bearer " + review.token);
  const Audiences& audiences = review.audiences.empty() ? options_.api_audiences : review.audiences;
  AuthContext ctx;
  if (!audiences.empty()) ctx.set_audiences(audiences);
  AuthResult result = co_await options_.authenticator->Authenticate(synthetic, ctx);
  for (const std::string& warning : ctx.warnings()) state.auth.AddWarning(warning);

  review.status.authenticated = result.authenticated();
  if (result.rejected()) review.status.error = result.error().message();
  if (result.authenticated()) {
    const Response& response = result.response();
    if (!audiences.empty() && IntersectAudiences(audiences, response.audiences).empty()) {
      log::Error(kSource, "error validating audience",
                 {{"want", FormatList(audiences)}, {"got", FormatList(response.audiences)}});
      co_return http::StatusResponse(request,
                                     http::InternalErrorStatus("error validating audiences"));
    }
    if (IsAnonymous(response.user)) {
      // Deliberate difference from Kubernetes (kubernetes#114165): see the header.
      review.status = {};
    } else {
      review.status.user = response.user;
      review.status.audiences = response.audiences;
    }
  }
  co_return ObjectResponse(request, 201, TokenReviewToJson(std::move(review)));
}

}  // namespace kauth::api
