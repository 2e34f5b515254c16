// Every value of one query parameter, as Go's url.Values holds them (r.URL.Query()[name]):
// http::ServerRequest::QueryParam gives only the first, and /healthz?exclude=a&exclude=b needs
// all of them.
#ifndef KAUTH_API_QUERY_VALUES_H_
#define KAUTH_API_QUERY_VALUES_H_

#include <string>
#include <string_view>
#include <vector>

namespace kauth::api {

// The values of parameter `name` in the raw query string `query`, in order, percent-decoded as
// Go's url.ParseQuery does ('+' is a space); pairs Go rejects (a ';', a bad escape) are skipped.
std::vector<std::string> QueryValues(std::string_view query, std::string_view name);

}  // namespace kauth::api

#endif  // KAUTH_API_QUERY_VALUES_H_
