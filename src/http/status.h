// Kubernetes `Status` responses (metav1.Status), serialised exactly as kube-apiserver writes them
// (R7.3): field order kind, apiVersion, metadata, status, message, reason, details, code; compact
// JSON ends with "\n"; pretty JSON uses a two-space indent and no trailing newline. Strings are
// escaped as Go's encoding/json escapes them (HTML-safe: <, >, & as \u003c, \u003e, \u0026;
// U+2028/U+2029 escaped; invalid UTF-8 replaced by \ufffd).
//
// Pretty or compact (R7.3, kube-apiserver's negotiation):
//   - an Accept header that names no type kube-apiserver serves (JSON, YAML, protobuf, or a
//     wildcard over them) gets pretty JSON, whatever else the request says;
//   - otherwise pretty when the chosen Accept clause has the parameter pretty=1, or
//   - ?pretty=<v> with a non-empty v decides alone, by Go's strconv.ParseBool (1, t, T, TRUE,
//     true, True are true; anything else, "yes" included, is compact), or
//   - without a non-empty pretty parameter, a User-Agent starting with curl, Wget or Mozilla/5.0.
// The body is always JSON (kauth answers JSON even when the client prefers protobuf or YAML; see
// docs/deviations.md).
//
// Pure functions; thread-safe.
#ifndef KAUTH_HTTP_STATUS_H_
#define KAUTH_HTTP_STATUS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/server_request.h"
#include "http/server_response.h"

namespace kauth::http {

// metav1.StatusCause; each field is omitted when empty.
struct StatusCause {
  std::string reason;  // JSON "reason" (Go's field name is Type)
  std::string message;
  std::string field;
};

// metav1.StatusDetails (the fields kauth uses); each field is omitted when empty.
struct StatusDetails {
  std::string name;
  std::string group;
  std::string kind;
  std::vector<StatusCause> causes;
};

struct Status {
  unsigned code = 500;
  std::string
      reason;  // e.g. "Unauthorized", "Forbidden", "NotFound", "BadRequest"; omitted when empty
  std::string message;  // omitted when empty
  // Written as "details":{...} when set; an empty StatusDetails writes "details":{}. Absent:
  // no "details" key (Go's nil pointer).
  std::optional<StatusDetails> details;
};

// R7.3: pretty or compact, for this request (see the file comment).
bool WantsPrettyJson(const ServerRequest& request);

// The JSON body alone. "status" is "Success" for a 2xx code and "Failure" otherwise.
std::string StatusJson(const Status& status, bool pretty);

// Appends `text` as a JSON string literal, quotes included, escaped as Go's encoding/json does.
void AppendJsonString(std::string& out, std::string_view text);

// A complete response: code, Content-Type: application/json, Cache-Control: no-cache, private,
// and the body negotiated for `request`.
ServerResponse StatusResponse(const ServerRequest& request, const Status& status);

// The canonical statuses kauthd sends, as apimachinery's errors package builds them.
// 401, reason and message "Unauthorized", no details (R7.3).
Status UnauthorizedStatus();
// 404, reason NotFound, message "the server could not find the requested resource",
// details {} (kube-apiserver's answer for a path no API serves).
Status NotFoundStatus();
// 400, reason BadRequest, `message` verbatim, no details.
Status BadRequestStatus(std::string message);
// 403, reason Forbidden, `message` already in Kubernetes' form, details {} (callers add the
// group and kind of a resource request).
Status ForbiddenStatus(std::string message);
// 500, reason InternalError, message "Internal error occurred: <error_text>", details
// {"causes":[{"message":"<error_text>"}]} (apimachinery's NewInternalError).
Status InternalErrorStatus(std::string error_text);
// 413, reason RequestEntityTooLarge, message "Request entity too large: limit is <limit>", no
// details (apimachinery's NewRequestEntityTooLargeError as kube-apiserver's body reader uses it).
Status EntityTooLargeStatus(std::size_t limit);

}  // namespace kauth::http

#endif  // KAUTH_HTTP_STATUS_H_
