// VersionApi: GET /version, Kubernetes' version.Info. kubectl 1.32 calls GET /version?timeout=5s
// before `auth whoami` (R14.3); it tolerates a 404, but clients that read the server version
// (kubectl version, client libraries) need a valid body.
//
// Like kube-apiserver (responsewriters.WriteRawJSON), the body is always indented JSON without a
// trailing newline, whatever the client asks for. Other methods get 405.
#ifndef KAUTH_API_VERSION_H_
#define KAUTH_API_VERSION_H_

#include <string>

#include "api/api.h"

namespace kauth::api {

// k8s.io/apimachinery/pkg/version.Info, fields in its order.
struct VersionInfo {
  std::string major;
  std::string minor;
  // Added in Kubernetes 1.33 (compatibility versions); kauth emulates no other version, so these
  // repeat major and minor.
  std::string emulation_major;
  std::string emulation_minor;
  std::string min_compatibility_major;
  std::string min_compatibility_minor;
  std::string git_version;
  std::string git_commit;
  std::string git_tree_state;
  std::string build_date;
  std::string go_version;
  std::string compiler;
  std::string platform;
};

// kauth's own version: major "0", minor "1", gitVersion "v0.1.0+kauth" (semantic-version build
// metadata, as k3s writes "v1.32.0+k3s1", so that version parsers in clients accept it),
// goVersion "" (kauth is not built with Go), compiler e.g. "gcc 12.2.0", platform e.g.
// "linux/amd64". gitCommit, gitTreeState and buildDate come from the build (KAUTH_GIT_COMMIT,
// KAUTH_GIT_TREE_STATE, KAUTH_BUILD_DATE) and default to "", "" and "1970-01-01T00:00:00Z"
// (Kubernetes' values for an unstamped build).
VersionInfo KauthVersionInfo();

class VersionApi final : public Api {
 public:
  explicit VersionApi(VersionInfo info = KauthVersionInfo());

  bool Serves(std::string_view path) const override;
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;
  // Answers from memory.
  bool HandlesInline(const http::ServerRequest& request) const override;
  http::ServerResponse HandleInline(http::ServerRequest& request,
                                    http::RequestState& state) const override;

 private:
  std::string body_;
};

}  // namespace kauth::api

#endif  // KAUTH_API_VERSION_H_
