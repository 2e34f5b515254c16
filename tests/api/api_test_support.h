// Drives a handler of kauthd's chain with one request, synchronously, for the built-in API tests.
#ifndef KAUTH_TESTS_API_API_TEST_SUPPORT_H_
#define KAUTH_TESTS_API_API_TEST_SUPPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "http/handler.h"
#include "testing/run_sync.h"

namespace kauth::api::testing {

struct RequestSpec {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

inline http::ServerResponse Call(const http::Handler& handler, const RequestSpec& spec,
                                 http::RequestState& state) {
  http::ServerRequest request;
  request.set_method(spec.method);
  request.SetTarget(spec.target);
  for (const auto& [name, value] : spec.headers) request.AddHeader(name, value);
  request.set_body(spec.body);
  return kauth::testing::RunSync(handler.Handle(request, state));
}

inline http::ServerResponse Call(const http::Handler& handler, const RequestSpec& spec) {
  http::RequestState state;
  return Call(handler, spec, state);
}

// The response's headers in order, for exact comparisons.
using Headers = std::vector<std::pair<std::string, std::string>>;

}  // namespace kauth::api::testing

#endif  // KAUTH_TESTS_API_API_TEST_SUPPORT_H_
