#include "http/status.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace kauth::http {
namespace {

constexpr char kUnauthorizedCompact[] =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})"
    "\n";

constexpr char kUnauthorizedPretty[] = R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "Unauthorized",
  "reason": "Unauthorized",
  "code": 401
})";

TEST(StatusJsonTest, R7_3_UnauthorizedCompactIs129BytesEndingInNewline) {
  const std::string body = StatusJson(UnauthorizedStatus(), /*pretty=*/false);
  EXPECT_EQ(body, kUnauthorizedCompact);
  EXPECT_EQ(body.size(), 129u);
  EXPECT_EQ(body.back(), '\n');
}

TEST(StatusJsonTest, R7_3_UnauthorizedPrettyIs157BytesWithoutNewline) {
  const std::string body = StatusJson(UnauthorizedStatus(), /*pretty=*/true);
  EXPECT_EQ(body, kUnauthorizedPretty);
  EXPECT_EQ(body.size(), 157u);
  EXPECT_NE(body.back(), '\n');
}

TEST(StatusJsonTest, CanonicalStatusesAreKubernetesBodies) {
  struct Case {
    const char* name;
    Status status;
    const char* compact;
    const char* pretty;
  };
  const Case cases[] = {
      {"404 for an unknown path: details {}", NotFoundStatus(),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404})"
       "\n",
       R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "the server could not find the requested resource",
  "reason": "NotFound",
  "details": {},
  "code": 404
})"},
      {"400 has no details",
       BadRequestStatus("token is required for TokenReview in authentication"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"token is required for TokenReview in authentication","reason":"BadRequest","code":400})"
       "\n",
       R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "token is required for TokenReview in authentication",
  "reason": "BadRequest",
  "code": 400
})"},
      {"403 non-resource: details {}",
       ForbiddenStatus(R"(forbidden: User "system:anonymous" cannot get path "/metrics")"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:anonymous\" cannot get path \"/metrics\"","reason":"Forbidden","details":{},"code":403})"
       "\n",
       R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "forbidden: User \"system:anonymous\" cannot get path \"/metrics\"",
  "reason": "Forbidden",
  "details": {},
  "code": 403
})"},
      {"403 resource: details carry group and kind",
       [] {
         Status s = ForbiddenStatus(
             R"(tokenreviews.authentication.k8s.io is forbidden: User "alice" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope)");
         s.details->group = "authentication.k8s.io";
         s.details->kind = "tokenreviews";
         return s;
       }(),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"tokenreviews.authentication.k8s.io is forbidden: User \"alice\" cannot create resource \"tokenreviews\" in API group \"authentication.k8s.io\" at the cluster scope","reason":"Forbidden","details":{"group":"authentication.k8s.io","kind":"tokenreviews"},"code":403})"
       "\n",
       R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "tokenreviews.authentication.k8s.io is forbidden: User \"alice\" cannot create resource \"tokenreviews\" in API group \"authentication.k8s.io\" at the cluster scope",
  "reason": "Forbidden",
  "details": {
    "group": "authentication.k8s.io",
    "kind": "tokenreviews"
  },
  "code": 403
})"},
      {"500 is NewInternalError: prefixed message and one cause",
       InternalErrorStatus("error validating audiences"),
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: error validating audiences","reason":"InternalError","details":{"causes":[{"message":"error validating audiences"}]},"code":500})"
       "\n",
       R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "Internal error occurred: error validating audiences",
  "reason": "InternalError",
  "details": {
    "causes": [
      {
        "message": "error validating audiences"
      }
    ]
  },
  "code": 500
})"},
      {"empty message and reason are omitted", Status{.code = 418},
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","code":418})"
       "\n",
       R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "code": 418
})"},
      {"a 2xx code is Success; details name first",
       Status{.code = 200, .details = StatusDetails{.name = "n", .kind = "k"}},
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"n","kind":"k"},"code":200})"
       "\n",
       R"({
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Success",
  "details": {
    "name": "n",
    "kind": "k"
  },
  "code": 200
})"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StatusJson(c.status, false), c.compact) << c.name;
    EXPECT_EQ(StatusJson(c.status, true), c.pretty) << c.name;
  }
}

// Go's encoding/json string encoding (HTML-safe, Go >= 1.22 short escapes for \b and \f).
TEST(StatusJsonTest, StringsAreEscapedAsGoEncodingJson) {
  const std::pair<std::string, std::string> cases[] = {
      {"plain", R"("plain")"},
      {"a\"b\\c", R"("a\"b\\c")"},
      {"<script>&", R"("\u003cscript\u003e\u0026")"},
      {std::string("\x00\x01\x1f", 3), R"("\u0000\u0001\u001f")"},
      {"\b\f\n\r\t", R"("\b\f\n\r\t")"},
      {"\x7f", "\"\x7f\""},
      {"caf\xc3\xa9 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\""},
      {"\xe2\x80\xa8\xe2\x80\xa9", R"("\u2028\u2029")"},
      {"a\xff", R"("a\ufffd")"},
      {"\xc3", R"("\ufffd")"},
      {"\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},
      {"\xc0\xaf", R"("\ufffd\ufffd")"},
      {"\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},
  };
  for (const auto& [input, want] : cases) {
    std::string out;
    AppendJsonString(out, input);
    EXPECT_EQ(out, want) << want;
  }
}

struct NegotiationCase {
  const char* name;
  const char* target;
  std::vector<std::pair<std::string, std::string>> headers;
  bool pretty;
};

TEST(WantsPrettyJsonTest, R7_3_NegotiationTable) {
  const NegotiationCase cases[] = {
      {"no hints: compact", "/api", {}, false},
      {"curl agent", "/api", {{"User-Agent", "curl/7.88.1"}}, true},
      {"Wget agent", "/api", {{"User-Agent", "Wget/1.21.3"}}, true},
      {"browser agent", "/api", {{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64)"}}, true},
      {"agent prefix is case-sensitive", "/api", {{"User-Agent", "CURL/8"}}, false},
      {"old Mozilla is not a browser here", "/api", {{"User-Agent", "Mozilla/4.0"}}, false},
      {"kubectl agent", "/api", {{"User-Agent", "kubectl/v1.32.4 (linux/amd64)"}}, false},
      {"?pretty=true", "/api?pretty=true", {}, true},
      {"?pretty=1", "/api?pretty=1", {}, true},
      {"?pretty=T", "/api?pretty=T", {}, true},
      {"?pretty=TRUE", "/api?pretty=TRUE", {}, true},
      {"ParseBool rejects tRuE", "/api?pretty=tRuE", {}, false},
      {"ParseBool rejects yes, even for curl",
       "/api?pretty=yes",
       {{"User-Agent", "curl/8"}},
       false},
      {"?pretty=false beats curl", "/api?pretty=false", {{"User-Agent", "curl/8"}}, false},
      {"?pretty=0 beats a browser", "/api?pretty=0", {{"User-Agent", "Mozilla/5.0"}}, false},
      {"empty ?pretty= falls back to the agent", "/api?pretty=", {{"User-Agent", "curl/8"}}, true},
      {"bare ?pretty falls back to the agent", "/api?pretty", {}, false},
      {"first pretty value wins", "/api?pretty=1&pretty=0", {}, true},
      {"percent-encoded value", "/api?pretty=%74rue", {}, true},
      {"'pretty' elsewhere in the query", "/api?x=pretty", {{"User-Agent", "curl/8"}}, true},
      {"Accept json;pretty=1", "/api", {{"Accept", "application/json;pretty=1"}}, true},
      {"Accept json;pretty=true is not 1",
       "/api",
       {{"Accept", "application/json;pretty=true"}},
       false},
      {"Accept that kube-apiserver cannot serve: pretty", "/api", {{"Accept", "text/html"}}, true},
      {"unservable Accept beats ?pretty=false",
       "/api?pretty=false",
       {{"Accept", "text/plain"}},
       true},
      {"kubectl's protobuf Accept",
       "/api",
       {{"Accept", "application/vnd.kubernetes.protobuf, application/json"}},
       false},
      {"Accept */*", "/api", {{"Accept", "*/*"}}, false},
      {"Accept application/*", "/api", {{"Accept", "application/*"}}, false},
      {"Accept yaml", "/api", {{"Accept", "application/yaml"}}, false},
      {"empty Accept", "/api", {{"Accept", ""}}, false},
      {"conversion request only: unservable",
       "/api",
       {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"}},
       true},
      {"conversion request with a plain fallback",
       "/api",
       {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"}},
       false},
      {"stream=watch on json", "/api", {{"Accept", "application/json;stream=watch"}}, false},
      {"yaml cannot stream", "/api", {{"Accept", "application/yaml;stream=watch"}}, true},
      {"higher q clause chosen: its pretty=1 applies",
       "/api",
       {{"Accept", "application/yaml;q=0.5, application/json;pretty=1"}},
       true},
      {"browser Accept with */* is servable; the agent decides",
       "/api",
       {{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}, {"User-Agent", "Mozilla/5.0"}},
       true},
  };
  for (const NegotiationCase& c : cases) {
    ServerRequest request;
    request.SetTarget(c.target);
    for (const auto& [name, value] : c.headers) request.AddHeader(name, value);
    EXPECT_EQ(WantsPrettyJson(request), c.pretty) << c.name;
  }
}

TEST(StatusResponseTest, R7_3_HeadersAndNegotiatedBody) {
  ServerRequest compact;
  compact.SetTarget("/api");
  const ServerResponse a = StatusResponse(compact, UnauthorizedStatus());
  EXPECT_EQ(a.status, 401u);
  const std::vector<std::pair<std::string, std::string>> want_headers = {
      {"Content-Type", "application/json"}, {"Cache-Control", "no-cache, private"}};
  EXPECT_EQ(a.headers, want_headers);
  EXPECT_EQ(a.body, kUnauthorizedCompact);
  EXPECT_FALSE(a.close_connection);

  ServerRequest curl;
  curl.SetTarget("/api");
  curl.AddHeader("User-Agent", "curl/8.5.0");
  // Content-Type stays JSON even when the client asked for protobuf (docs/deviations.md).
  curl.AddHeader("Accept", "application/vnd.kubernetes.protobuf");
  const ServerResponse b = StatusResponse(curl, UnauthorizedStatus());
  EXPECT_EQ(b.headers, want_headers);
  EXPECT_EQ(b.body, kUnauthorizedPretty);
}

}  // namespace
}  // namespace kauth::http
