// The Audit-Id of a request, as kube-apiserver's WithAuditInit assigns it: the first value of the
// client's Audit-ID request header, kept as sent, or a fresh random UUID. kube-apiserver echoes
// it in the `Audit-Id` response header of every response.
#ifndef KAUTH_FILTERS_AUDIT_ID_H_
#define KAUTH_FILTERS_AUDIT_ID_H_

#include <string>

#include "http/handler.h"
#include "http/server_request.h"

namespace kauth::filters {

// A random (version 4) UUID in its lower-case 36-character text form. Thread-safe.
std::string NewAuditId();

// Sets `state.audit_id` from `request` when it is still empty, and returns it.
const std::string& EnsureAuditId(const http::ServerRequest& request, http::RequestState& state);

}  // namespace kauth::filters

#endif  // KAUTH_FILTERS_AUDIT_ID_H_
