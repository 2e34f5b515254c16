// Responses the built-in APIs share: API objects as kube-apiserver's JSON serializer writes them,
// and the Status answers for a method or a media type an API does not take.
#ifndef KAUTH_API_RESPONSES_H_
#define KAUTH_API_RESPONSES_H_

#include <optional>
#include <string>
#include <string_view>

#include "api/go_json.h"
#include "http/server_request.h"
#include "http/server_response.h"
#include "http/status.h"

namespace kauth::api {

// kube-apiserver's WithCacheControl filter sets this on every response that has none.
inline constexpr std::string_view kCacheControl = "no-cache, private";

// `object` as JSON: compact with a trailing newline, or indented without one, as
// http::WantsPrettyJson decides for `request` (R7.3's rules hold for every API object).
// Content-Type: application/json; Cache-Control: no-cache, private.
http::ServerResponse ObjectResponse(const http::ServerRequest& request, unsigned status,
                                    const JsonValue& object);

// 405 MethodNotAllowed, "the server does not allow this method on the requested resource",
// details {} (go-restful's answer as kube-apiserver renders it).
http::Status MethodNotAllowedStatus();

// 415 UnsupportedMediaType for a request body kauthd cannot decode; `accepted` lists the media
// types, e.g. "application/json".
http::Status UnsupportedMediaTypeStatus(std::string_view accepted);

// The answer to a body that could not be read whole, as kube-apiserver's limited body reader
// gives it (413 over the limit, 400 for a broken read; either closes the connection, whose
// unread rest of the body cannot be skipped); nullopt when the body was read.
std::optional<http::ServerResponse> BodyReadFailure(const http::ServerRequest& request,
                                                    const http::BodyReadResult& body);

}  // namespace kauth::api

#endif  // KAUTH_API_RESPONSES_H_
