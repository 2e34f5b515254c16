// Kubernetes `Status` responses (metav1.Status), serialised exactly as kube-apiserver writes them
// (R7.3): field order kind, apiVersion, metadata, status, message, reason, details, code; compact
// JSON ends with "\n"; pretty JSON uses a two-space indent and no trailing newline. Pretty is
// chosen by ?pretty=true, or without a pretty parameter by a User-Agent starting with curl,
// Wget or Mozilla/5.0; ?pretty=false forces compact.
#ifndef KAUTH_HTTP_STATUS_H_
#define KAUTH_HTTP_STATUS_H_

#include <optional>
#include <string>

#include "http/server_request.h"
#include "http/server_response.h"

namespace kauth::http {

struct StatusDetails {
  std::string name;
  std::string group;
  std::string kind;
};

struct Status {
  unsigned code = 500;
  std::string reason;   // e.g. "Unauthorized", "Forbidden", "NotFound", "BadRequest"
  std::string message;
  // Written as "details":{...} when set; an empty StatusDetails writes "details":{}.
  std::optional<StatusDetails> details;
};

// R7.3: pretty or compact, for this request.
bool WantsPrettyJson(const ServerRequest& request);

// The JSON body alone.
std::string StatusJson(const Status& status, bool pretty);

// A complete response: code, Content-Type: application/json, Cache-Control: no-cache, private,
// and the body negotiated for `request`.
ServerResponse StatusResponse(const ServerRequest& request, const Status& status);

// The canonical statuses kauthd sends.
Status UnauthorizedStatus();                      // 401, message "Unauthorized" (R7.3)
Status NotFoundStatus();                          // 404 for unknown paths
Status BadRequestStatus(std::string message);     // 400
Status ForbiddenStatus(std::string message);      // 403, message already in Kubernetes' form
Status InternalErrorStatus(std::string message);  // 500

}  // namespace kauth::http

#endif  // KAUTH_HTTP_STATUS_H_
