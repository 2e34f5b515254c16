#include "filters/request_attributes.h"

#include <optional>
#include <vector>

#include "core/strings.h"

namespace kauth::filters {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<bool> ParseGoBool(std::string_view text) {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" ||
      text == "True") {
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" ||
      text == "False") {
    return false;
  }
  return std::nullopt;
}

// RequestInfoFactory's splitPath: trim every leading and trailing '/', then split on '/'.
std::vector<std::string> SplitPath(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::vector<std::string> parts;
  if (path.empty()) return parts;
  for (std::string_view part : Split(path, '/')) parts.emplace_back(part);
  return parts;
}

}  // namespace

std::string AuthorizationPath(const http::ServerRequest& request) {
  const std::string_view raw = request.path();
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      const int hi = HexValue(raw[i + 1]);
      const int lo = HexValue(raw[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(raw[i]);
  }
  return out;
}

RequestAttributes ResolveRequestAttributes(const http::ServerRequest& request) {
  RequestAttributes attributes;
  attributes.path = AuthorizationPath(request);
  attributes.verb = AsciiLower(request.method());

  std::vector<std::string> parts = SplitPath(attributes.path);
  // /api/<version>/<resource>... has no group; /apis/<group>/<version>/<resource>... has one.
  if (parts.size() < 3 || (parts[0] != "api" && parts[0] != "apis")) return attributes;
  std::size_t next = 1;
  if (parts[0] == "apis") {
    if (parts.size() < 4) return attributes;
    attributes.api_group = parts[next++];
  }
  attributes.resource_request = true;
  attributes.api_version = parts[next++];

  const std::string& method = request.method();
  if (parts[next] == "proxy" || parts[next] == "watch") {
    // Deprecated /proxy/... and /watch/... forms: the verb is in the path.
    attributes.verb = parts[next++];
    if (next == parts.size()) return attributes;  // Kubernetes rejects these; nothing matches
  } else if (method == "POST") {
    attributes.verb = "create";
  } else if (method == "GET" || method == "HEAD") {
    attributes.verb = "get";
  } else if (method == "PUT") {
    attributes.verb = "update";
  } else if (method == "PATCH") {
    attributes.verb = "patch";
  } else if (method == "DELETE") {
    attributes.verb = "delete";
  } else {
    attributes.verb = "";
  }

  std::vector<std::string> rest(parts.begin() + static_cast<std::ptrdiff_t>(next), parts.end());
  if (rest[0] == "namespaces") {
    if (rest.size() > 1) {
      attributes.namespace_name = rest[1];
      // /namespaces/<ns>/<resource>...: the resource follows, unless it is a namespace
      // subresource (status, finalize) of the namespace itself.
      if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize") {
        rest.erase(rest.begin(), rest.begin() + 2);
      }
    }
  }
  attributes.resource = rest[0];
  if (rest.size() >= 2) attributes.name = rest[1];
  if (rest.size() >= 3 && attributes.verb != "proxy") attributes.subresource = rest[2];

  if (attributes.name.empty() && attributes.verb == "get") {
    const std::optional<std::string> watch = request.QueryParam("watch");
    attributes.verb = watch && ParseGoBool(*watch).value_or(false) ? "watch" : "list";
  }
  if (attributes.name.empty() && attributes.verb == "delete") attributes.verb = "deletecollection";
  return attributes;
}

}  // namespace kauth::filters
