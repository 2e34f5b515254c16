#include "filters/request_attributes.h"

#include <gtest/gtest.h>

namespace kauth::filters {
namespace {

struct Case {
  std::string method;
  std::string target;
  RequestAttributes want;
};

TEST(ResolveRequestAttributesTest, FollowsRequestInfoFactory) {
  const Case cases[] = {
      {"GET", "/healthz", {.verb = "get", .path = "/healthz"}},
      {"POST", "/", {.verb = "post", .path = "/"}},
      {"GET", "/api", {.verb = "get", .path = "/api"}},
      {"GET", "/api/v1", {.verb = "get", .path = "/api/v1"}},
      {"GET",
       "/apis/authentication.k8s.io/v1",
       {.verb = "get", .path = "/apis/authentication.k8s.io/v1"}},
      {"GET", "/api/v1/pods", {true, "list", "/api/v1/pods", "", "v1", "", "pods", "", ""}},
      {"GET",
       "/api/v1/namespaces/ns1",
       {true, "get", "/api/v1/namespaces/ns1", "", "v1", "ns1", "namespaces", "", "ns1"}},
      {"PUT",
       "/api/v1/namespaces/ns1/finalize",
       {true, "update", "/api/v1/namespaces/ns1/finalize", "", "v1", "ns1", "namespaces",
        "finalize", "ns1"}},
      {"GET",
       "/api/v1/namespaces/ns1/pods/p/log",
       {true, "get", "/api/v1/namespaces/ns1/pods/p/log", "", "v1", "ns1", "pods", "log", "p"}},
      {"POST",
       "/apis/authentication.k8s.io/v1/tokenreviews",
       {true, "create", "/apis/authentication.k8s.io/v1/tokenreviews", "authentication.k8s.io",
        "v1", "", "tokenreviews", "", ""}},
      {"GET",
       "/apis/authentication.k8s.io/v1/tokenreviews?watch=1",
       {true, "watch", "/apis/authentication.k8s.io/v1/tokenreviews", "authentication.k8s.io", "v1",
        "", "tokenreviews", "", ""}},
      {"GET",
       "/apis/authentication.k8s.io/v1/tokenreviews?watch=yes",
       {true, "list", "/apis/authentication.k8s.io/v1/tokenreviews", "authentication.k8s.io", "v1",
        "", "tokenreviews", "", ""}},
      {"GET",
       "/apis/g/v1/watch/things",
       {true, "watch", "/apis/g/v1/watch/things", "g", "v1", "", "things", "", ""}},
      {"PATCH",
       "/apis/g/v1/things/a%2Fb",
       {true, "patch", "/apis/g/v1/things/a/b", "g", "v1", "", "things", "b", "a"}},
      {"GET",
       "/apis/g/v1/things/%zz",
       {true, "get", "/apis/g/v1/things/%zz", "g", "v1", "", "things", "", "%zz"}},
  };
  for (const Case& c : cases) {
    http::ServerRequest request;
    request.set_method(c.method);
    request.SetTarget(c.target);
    const RequestAttributes got = ResolveRequestAttributes(request);
    EXPECT_EQ(got.resource_request, c.want.resource_request) << c.target;
    EXPECT_EQ(got.verb, c.want.verb) << c.target;
    EXPECT_EQ(got.path, c.want.path) << c.target;
    EXPECT_EQ(got.api_group, c.want.api_group) << c.target;
    EXPECT_EQ(got.api_version, c.want.api_version) << c.target;
    EXPECT_EQ(got.namespace_name, c.want.namespace_name) << c.target;
    EXPECT_EQ(got.resource, c.want.resource) << c.target;
    EXPECT_EQ(got.subresource, c.want.subresource) << c.target;
    EXPECT_EQ(got.name, c.want.name) << c.target;
  }
}

}  // namespace
}  // namespace kauth::filters
