#include "api/responses.h"

namespace kauth::api {

http::ServerResponse ObjectResponse(const http::ServerRequest& request, unsigned status,
                                    const JsonValue& object) {
  const bool pretty = http::WantsPrettyJson(request);
  http::ServerResponse response;
  response.status = status;
  response.AddHeader("Content-Type", "application/json");
  response.AddHeader("Cache-Control", std::string(kCacheControl));
  response.body = WriteGoJson(object, pretty);
  // Go's json.Encoder ends each value with a newline; MarshalIndent does not.
  if (!pretty) response.body += '\n';
  return response;
}

http::Status MethodNotAllowedStatus() {
  return {.code = 405,
          .reason = "MethodNotAllowed",
          .message = "the server does not allow this method on the requested resource",
          .details = http::StatusDetails{}};
}

http::Status UnsupportedMediaTypeStatus(std::string_view accepted) {
  return {.code = 415,
          .reason = "UnsupportedMediaType",
          .message =
              "the body of the request was in an unknown format - accepted media types "
              "include: " +
              std::string(accepted)};
}

std::optional<http::ServerResponse> BodyReadFailure(const http::ServerRequest& request,
                                                    const http::BodyReadResult& body) {
  std::optional<http::ServerResponse> failed;
  if (body.outcome == http::BodyReadResult::Outcome::kTooLarge) {
    failed = http::StatusResponse(request, http::EntityTooLargeStatus(request.body_limit()));
  } else if (body.outcome == http::BodyReadResult::Outcome::kBroken) {
    failed = http::StatusResponse(request, http::BadRequestStatus(body.error));
  }
  if (failed) failed->close_connection = true;
  return failed;
}

}  // namespace kauth::api
