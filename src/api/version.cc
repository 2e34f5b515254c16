#include "api/version.h"

#include <string>
#include <utility>

#include "api/go_json.h"
#include "api/responses.h"
#include "http/status.h"

#ifndef KAUTH_VERSION_MAJOR
#error "KAUTH_VERSION_MAJOR, KAUTH_VERSION_MINOR and KAUTH_VERSION_PATCH come from CMake"
#endif
#ifndef KAUTH_GIT_COMMIT
#define KAUTH_GIT_COMMIT ""
#endif
#ifndef KAUTH_GIT_TREE_STATE
#define KAUTH_GIT_TREE_STATE ""
#endif
#ifndef KAUTH_BUILD_DATE
#define KAUTH_BUILD_DATE "1970-01-01T00:00:00Z"
#endif

namespace kauth::api {
namespace {

#define KAUTH_STRINGIFY_(x) #x
#define KAUTH_STRINGIFY(x) KAUTH_STRINGIFY_(x)

std::string Compiler() {
#if defined(__clang__)
  return "clang " KAUTH_STRINGIFY(__clang_major__) "." KAUTH_STRINGIFY(
      __clang_minor__) "." KAUTH_STRINGIFY(__clang_patchlevel__);
#elif defined(__GNUC__)
  return "gcc " KAUTH_STRINGIFY(__GNUC__) "." KAUTH_STRINGIFY(__GNUC_MINOR__) "." KAUTH_STRINGIFY(
      __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

// Go's GOOS/GOARCH names.
std::string Platform() {
#if defined(__linux__)
  std::string os = "linux";
#elif defined(__APPLE__)
  std::string os = "darwin";
#else
  std::string os = "unknown";
#endif
#if defined(__x86_64__)
  return os + "/amd64";
#elif defined(__aarch64__)
  return os + "/arm64";
#else
  return os + "/unknown";
#endif
}

}  // namespace

VersionInfo KauthVersionInfo() {
  const std::string major = KAUTH_STRINGIFY(KAUTH_VERSION_MAJOR);
  const std::string minor = KAUTH_STRINGIFY(KAUTH_VERSION_MINOR);
  const std::string patch = KAUTH_STRINGIFY(KAUTH_VERSION_PATCH);
  return {.major = major,
          .minor = minor,
          .emulation_major = major,
          .emulation_minor = minor,
          .min_compatibility_major = major,
          .min_compatibility_minor = minor,
          .git_version = "v" + major + "." + minor + "." + patch + "+kauth",
          .git_commit = KAUTH_GIT_COMMIT,
          .git_tree_state = KAUTH_GIT_TREE_STATE,
          .build_date = KAUTH_BUILD_DATE,
          .go_version = "",
          .compiler = Compiler(),
          .platform = Platform()};
}

VersionApi::VersionApi(VersionInfo info) {
  JsonValue object = JsonValue::Object();
  const auto add = [&object](const char* key, std::string value) {
    object.Add(key, JsonValue::String(std::move(value)));
  };
  add("major", std::move(info.major));
  add("minor", std::move(info.minor));
  add("emulationMajor", std::move(info.emulation_major));
  add("emulationMinor", std::move(info.emulation_minor));
  add("minCompatibilityMajor", std::move(info.min_compatibility_major));
  add("minCompatibilityMinor", std::move(info.min_compatibility_minor));
  add("gitVersion", std::move(info.git_version));
  add("gitCommit", std::move(info.git_commit));
  add("gitTreeState", std::move(info.git_tree_state));
  add("buildDate", std::move(info.build_date));
  add("goVersion", std::move(info.go_version));
  add("compiler", std::move(info.compiler));
  add("platform", std::move(info.platform));
  body_ = WriteGoJson(object, /*indent=*/true);
}

bool VersionApi::Serves(std::string_view path) const { return path == "/version"; }

http::ServerResponse VersionApi::HandleInline(http::ServerRequest& request,
                                              http::RequestState& /*state*/) const {
  if (request.method() != "GET") {
    return http::StatusResponse(request, MethodNotAllowedStatus());
  }
  http::ServerResponse response;
  response.AddHeader("Content-Type", "application/json");
  response.AddHeader("Cache-Control", std::string(kCacheControl));
  response.body = body_;
  return response;
}

bool VersionApi::HandlesInline(const http::ServerRequest& /*request*/) const { return true; }

Awaitable<http::ServerResponse> VersionApi::Handle(http::ServerRequest& request,
                                                   http::RequestState& state) const {
  co_return HandleInline(request, state);
}

}  // namespace kauth::api
