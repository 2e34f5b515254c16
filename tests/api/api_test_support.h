// Drives a handler of kauthd's chain with one request, synchronously, for the built-in API tests.
#ifndef KAUTH_TESTS_API_API_TEST_SUPPORT_H_
#define KAUTH_TESTS_API_API_TEST_SUPPORT_H_

#include <gtest/gtest.h>

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

inline void Fill(http::ServerRequest& request, const RequestSpec& spec) {
  request.set_method(spec.method);
  request.SetTarget(spec.target);
  for (const auto& [name, value] : spec.headers) request.AddHeader(name, value);
  request.set_body(spec.body);
}

// The handler's answer through Handle. When the handler says it answers this request inline,
// the same request also goes through HandleInline (the server's path then), which must give the
// same answer.
inline http::ServerResponse Call(const http::Handler& handler, const RequestSpec& spec,
                                 http::RequestState& state) {
  http::ServerRequest request;
  Fill(request, spec);
  if (handler.HandlesInline(request)) {
    http::ServerRequest inline_request;
    Fill(inline_request, spec);
    http::RequestState inline_state = state;
    const http::ServerResponse inline_response = handler.HandleInline(inline_request, inline_state);
    http::ServerResponse response = kauth::testing::RunSync(handler.Handle(request, state));
    EXPECT_EQ(inline_response.status, response.status) << spec.method << " " << spec.target;
    EXPECT_EQ(inline_response.headers, response.headers) << spec.method << " " << spec.target;
    EXPECT_EQ(inline_response.body, response.body) << spec.method << " " << spec.target;
    return response;
  }
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
