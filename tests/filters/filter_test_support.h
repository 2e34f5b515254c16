// Test helpers for the filters: a next handler that records what reached it, a fake
// authenticator that adds warnings, and log capture.
#ifndef KAUTH_TESTS_FILTERS_FILTER_TEST_SUPPORT_H_
#define KAUTH_TESTS_FILTERS_FILTER_TEST_SUPPORT_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/handler.h"
#include "log/log.h"

namespace kauth::filters::test_support {

using Headers = std::vector<std::pair<std::string, std::string>>;

// What the next handler saw of the request.
struct Seen {
  int calls = 0;
  Headers headers;
  std::optional<UserInfo> user;
  std::optional<Audiences> audiences;
  std::string audit_id;
};

// Records the request and answers `answer`, after adding `warnings` to the request's context;
// answers inline.
class RecordingHandler final : public http::Handler {
 public:
  explicit RecordingHandler(std::shared_ptr<Seen> seen, http::ServerResponse answer = {},
                            std::vector<std::string> warnings = {})
      : seen_(std::move(seen)), answer_(std::move(answer)), warnings_(std::move(warnings)) {
    if (answer_.body.empty()) answer_.body = "next";
  }

  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override {
    co_return HandleInline(request, state);
  }
  bool HandlesInline(const http::ServerRequest& /*request*/) const override { return true; }
  http::ServerResponse HandleInline(http::ServerRequest& request,
                                    http::RequestState& state) const override {
    ++seen_->calls;
    seen_->headers.clear();
    request.ForEachHeader([&](std::string_view name, std::string_view value) {
      seen_->headers.emplace_back(name, value);
    });
    seen_->user = state.user;
    seen_->audiences = state.auth.audiences();
    seen_->audit_id = state.audit_id;
    for (const std::string& warning : warnings_) state.auth.AddWarning(warning);
    return answer_;
  }

 private:
  std::shared_ptr<Seen> seen_;
  http::ServerResponse answer_;
  std::vector<std::string> warnings_;
};

// Adds `warnings` to the context, then answers `result`.
class WarningAuthenticator final : public RequestAuthenticator {
 public:
  WarningAuthenticator(AuthResult result, std::vector<std::string> warnings)
      : result_(std::move(result)), warnings_(std::move(warnings)) {}
  Awaitable<AuthResult> Authenticate(Request&, AuthContext& ctx) const override {
    for (const std::string& warning : warnings_) ctx.AddWarning(warning);
    co_return result_;
  }

 private:
  AuthResult result_;
  std::vector<std::string> warnings_;
};

// Captures log lines for the lifetime of the object (one at a time).
class LogCapture {
 public:
  LogCapture() {
    lines_ = &storage_;
    log::SetSinkForTesting(&Capture);
  }
  ~LogCapture() {
    log::SetSinkForTesting(nullptr);
    lines_ = nullptr;
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  const std::vector<std::string>& lines() const { return storage_; }
  void Clear() { storage_.clear(); }

 private:
  static void Capture(std::string_view line) { lines_->emplace_back(line); }
  static inline std::vector<std::string>* lines_ = nullptr;
  std::vector<std::string> storage_;
};

// The part of a klog line after "<file>] ".
inline std::string LogBody(const std::string& line) {
  const std::size_t bracket = line.find("] ");
  return bracket == std::string::npos ? line : line.substr(bracket + 2);
}

}  // namespace kauth::filters::test_support

#endif  // KAUTH_TESTS_FILTERS_FILTER_TEST_SUPPORT_H_
