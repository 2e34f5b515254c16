// RequestAttributes: what kube-apiserver's RequestInfoFactory derives from a request's method and
// URL for authorization: resource requests (/api/<version>/..., /apis/<group>/<version>/...)
// with their verb, group, version, namespace, resource, subresource and name; everything else a
// non-resource request whose verb is the lower-cased method.
//
// The path is percent-decoded first, as Go's URL.Path is; a handler that routes requests must
// route on the same decoded path (AuthorizationPath) so that what is authorized is what is
// served.
#ifndef KAUTH_FILTERS_REQUEST_ATTRIBUTES_H_
#define KAUTH_FILTERS_REQUEST_ATTRIBUTES_H_

#include <string>
#include <string_view>

#include "http/server_request.h"

namespace kauth::filters {

struct RequestAttributes {
  bool resource_request = false;
  // Resource requests: create, get, list, watch, update, patch, delete, deletecollection, proxy,
  // or "" for other methods. Non-resource requests: the method lower-cased ("get", "post").
  std::string verb;
  std::string path;  // the decoded URL path
  std::string api_group;
  std::string api_version;
  std::string namespace_name;
  std::string resource;
  std::string subresource;
  std::string name;
};

// The URL path of `request` percent-decoded as Go's url.Parse decodes it ('+' stays '+'); a
// malformed escape is kept as written.
std::string AuthorizationPath(const http::ServerRequest& request);

RequestAttributes ResolveRequestAttributes(const http::ServerRequest& request);

}  // namespace kauth::filters

#endif  // KAUTH_FILTERS_REQUEST_ATTRIBUTES_H_
