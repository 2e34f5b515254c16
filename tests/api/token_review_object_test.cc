#include "api/token_review_object.h"

#include <gtest/gtest.h>

#include <string>

namespace kauth::api {
namespace {

std::string DecodeError(std::string_view body, std::string_view url_version = "v1") {
  Result<TokenReviewObject> decoded = DecodeTokenReview(body, url_version);
  return decoded ? std::string("<decoded>") : decoded.error().message;
}

std::string Echo(std::string_view body, std::string_view url_version = "v1") {
  Result<TokenReviewObject> decoded = DecodeTokenReview(body, url_version);
  if (!decoded) return "<error: " + decoded.error().message + ">";
  return WriteGoJson(TokenReviewToJson(std::move(*decoded)), /*indent=*/false);
}

// R14.1: kube-apiserver's 400 texts for bodies it cannot decode (transformDecodeError).
TEST(TokenReviewObjectTest, R14_1_DecodeErrorsAreKubeApiserverTexts) {
  struct Case {
    const char* name;
    std::string body;
    std::string want;
  };
  const std::string unrecognized =
      "the object provided is unrecognized (must be of type TokenReview): ";
  const std::string parse_error = unrecognized + "couldn't get version/kind; json parse error: ";
  const std::string cannot_handle =
      "TokenReview in version \"v1\" cannot be handled as a TokenReview: ";
  const Case cases[] = {
      {"empty body", "", parse_error + "unexpected end of JSON input (<empty>)"},
      {"truncated object: summary is the text", "{",
       parse_error + "unexpected end of JSON input ({)"},
      {"not JSON: summary is hex", "not json",
       parse_error + "invalid character 'o' in literal null (expecting 'u') (6e6f74206a736f6e)"},
      {"long object: summary cut at 30 bytes", R"({"spec":{"token":"0123456789abcdefghij"})",
       parse_error + R"(unexpected end of JSON input ({"spec":{"token":"0123456789ab ...))"},
      {"array", "[]",
       parse_error +
           R"(json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" } (5b5d))"},
      {"kind of the wrong type", R"({"kind":5})",
       parse_error +
           R"(json: cannot unmarshal number into Go struct field .kind of type string ({"kind":5}))"},
      {"bad group version", R"({"apiVersion":"a/b/c"})",
       unrecognized + R"(unexpected GroupVersion string: a/b/c ({"apiVersion":"a/b/c"}))"},
      {"unserved version", R"({"apiVersion":"authentication.k8s.io/v2","kind":"TokenReview"})",
       R"(TokenReview in version "v2" cannot be handled as a TokenReview: no kind "TokenReview" is registered for version "authentication.k8s.io/v2" in scheme "pkg/api/legacyscheme/scheme.go:30")"},
      {"core group", R"({"apiVersion":"v1","kind":"TokenReview"})",
       R"(TokenReview in version "v1" cannot be handled as a TokenReview: no kind "TokenReview" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30")"},
      {"other kind", R"({"kind":"Pod"})",
       R"(Pod in version "v1" cannot be handled as a TokenReview: no kind "Pod" is registered for version "authentication.k8s.io/v1" in scheme "pkg/api/legacyscheme/scheme.go:30")"},
      {"group without version", R"({"apiVersion":"example.com/"})",
       R"(TokenReview in version "" cannot be handled as a TokenReview: Object 'apiVersion' is missing in '{"apiVersion":"example.com/"}')"},
      {"token of the wrong type", R"({"spec":{"token":5}})",
       cannot_handle +
           "json: cannot unmarshal number into Go struct field TokenReviewSpec.spec.token of type "
           "string"},
      {"spec of the wrong type", R"({"spec":[]})",
       cannot_handle + "json: cannot unmarshal array into Go struct field TokenReview.spec of type "
                       "v1.TokenReviewSpec"},
      {"first type error wins", R"({"spec":{"token":5,"audiences":"x"}})",
       cannot_handle +
           "json: cannot unmarshal number into Go struct field TokenReviewSpec.spec.token of type "
           "string"},
      {"a timestamp error ends decoding and wins",
       R"({"spec":{"token":5},"metadata":{"creationTimestamp":1}})",
       cannot_handle + "json: cannot unmarshal number into Go struct field "
                       "ObjectMeta.metadata.creationTimestamp of type string"},
      {"bad timestamp", R"({"metadata":{"creationTimestamp":"yesterday"}})",
       cannot_handle +
           R"(parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006")"},
      {"fractional generation", R"({"metadata":{"generation":1.5}})",
       cannot_handle +
           "json: cannot unmarshal number 1.5 into Go struct field ObjectMeta.metadata.generation "
           "of type int64"},
      {"label value of the wrong type", R"({"metadata":{"labels":{"a":1}}})",
       cannot_handle +
           "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
           "string"},
      {"extra value of the wrong type", R"({"status":{"user":{"extra":{"a":"b"}}}})",
       cannot_handle +
           "json: cannot unmarshal string into Go struct field UserInfo.status.user.extra of type "
           "v1.ExtraValue"},
      {"owner reference of the wrong type",
       R"({"metadata":{"ownerReferences":[{"controller":"yes"}]}})",
       cannot_handle + "json: cannot unmarshal string into Go struct field "
                       "OwnerReference.metadata.ownerReferences.controller of type bool"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DecodeError(c.body), c.want) << c.name;
  }
}

TEST(TokenReviewObjectTest, R14_1_V1beta1TypesAreNamedInErrors) {
  EXPECT_EQ(
      DecodeError(R"({"apiVersion":"authentication.k8s.io/v1beta1","spec":{"audiences":"x"}})"),
      "TokenReview in version \"v1beta1\" cannot be handled as a TokenReview: json: cannot "
      "unmarshal string into Go struct field TokenReviewSpec.spec.audiences of type []string");
}

TEST(TokenReviewObjectTest, R14_1_VersionComesFromTheBodyElseTheUrl) {
  struct Case {
    const char* name;
    std::string body;
    std::string url_version;
    std::string want;
  };
  const Case cases[] = {
      {"no apiVersion: the URL's", R"({"spec":{"token":"t"}})", "v1beta1",
       "authentication.k8s.io/v1beta1"},
      {"v1beta1 body on the v1 URL", R"({"apiVersion":"authentication.k8s.io/v1beta1"})", "v1",
       "authentication.k8s.io/v1beta1"},
      {"v1 body on the v1beta1 URL", R"({"apiVersion":"authentication.k8s.io/v1"})", "v1beta1",
       "authentication.k8s.io/v1"},
      {"kind and apiVersion keys match without case, as encoding/json does",
       R"({"KIND":"TokenReview","APIVERSION":"authentication.k8s.io/v1beta1"})", "v1",
       "authentication.k8s.io/v1beta1"},
      {"group only: the URL's version", R"({"apiVersion":"authentication.k8s.io/"})", "v1beta1",
       "authentication.k8s.io/v1beta1"},
  };
  for (const Case& c : cases) {
    Result<TokenReviewObject> decoded = DecodeTokenReview(c.body, c.url_version);
    ASSERT_TRUE(decoded) << c.name << ": " << decoded.error().message;
    EXPECT_EQ(decoded->api_version, c.want) << c.name;
  }
}

TEST(TokenReviewObjectTest, R14_1_EchoesTheDecodedObjectInGoFieldOrder) {
  struct Case {
    const char* name;
    std::string body;
    std::string want;
  };
  const Case cases[] =
      {
          {"R14.1's input: creationTimestamp null, status.user {}",
           R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"abc123"}})",
           R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"token":"abc123"},"status":{"user":{}}})"},
          {"what kube-apiserver's webhook client posts",
           R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1beta1","metadata":{"creationTimestamp":null},"spec":{"token":"t","audiences":["https://kubernetes.default.svc"]},"status":{"user":{}}})",
           R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1beta1","metadata":{"creationTimestamp":null},"spec":{"token":"t","audiences":["https://kubernetes.default.svc"]},"status":{"user":{}}})"},
          {"null body", "null",
           R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{},"status":{"user":{}}})"},
          {"duplicate keys: the last wins", R"({"spec":{"token":"a","token":"b"}})",
           R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"token":"b"},"status":{"user":{}}})"},
          {"unknown and differently cased fields are dropped",
           R"({"Spec":{"token":"a"},"spec":{"token":"b","extra":1},"x":[1]})",
           R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"token":"b"},"status":{"user":{}}})"},
          {"status sent is kept as decoded",
           R"({"spec":{"token":"t"},"status":{"error":"e","audiences":["a"],"authenticated":true,"user":{"extra":{"k":["v"]},"groups":["g"],"uid":"u","username":"n"}}})",
           R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"token":"t"},"status":{"authenticated":true,"user":{"username":"n","uid":"u","groups":["g"],"extra":{"k":["v"]}},"audiences":["a"],"error":"e"}})"},
          {"every metadata field; namespace cleared for a cluster-scoped object",
           R"({"metadata":{"managedFields":[{"fieldsV1":{"f:spec":{"f:token":{}}},"time":"2026-07-24T12:00:00+02:00","manager":"curl","operation":"Update","apiVersion":"authentication.k8s.io/v1","fieldsType":"FieldsV1","x":1}],"finalizers":["f"],"ownerReferences":[{"uid":"1","kind":"K","name":"n","apiVersion":"v1","controller":true,"unknown":2}],"annotations":{"b":"2","a":"1"},"labels":{"z":"1","a":"2"},"deletionGracePeriodSeconds":30,"deletionTimestamp":"2026-07-24T10:00:01Z","creationTimestamp":"2026-07-24T10:00:00.5Z","generation":7,"resourceVersion":"42","uid":"u-1","selfLink":"/x","namespace":"default","generateName":"g-","name":"review"},"spec":{"token":"t"}})", R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"name":"review","generateName":"g-","selfLink":"/x","uid":"u-1","resourceVersion":"42","generation":7,"creationTimestamp":"2026-07-24T10:00:00Z","deletionTimestamp":"2026-07-24T10:00:01Z","deletionGracePeriodSeconds":30,"labels":{"a":"2","z":"1"},"annotations":{"a":"1","b":"2"},"ownerReferences":[{"apiVersion":"v1","kind":"K","name":"n","uid":"1","controller":true}],"finalizers":["f"],"managedFields":[{"manager":"curl","operation":"Update","apiVersion":"authentication.k8s.io/v1","time":"2026-07-24T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:token":{}}}}]},"spec":{"token":"t"},"status":{"user":{}}})"},
          {"Go's zero time is null; a null pointer field is absent",
           R"({"metadata":{"creationTimestamp":"0001-01-01T00:00:00Z","deletionTimestamp":null,"labels":{}}})",
           R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{},"status":{"user":{}}})"},
      };
  for (const Case& c : cases) {
    EXPECT_EQ(Echo(c.body), c.want) << c.name;
  }
}

}  // namespace
}  // namespace kauth::api
