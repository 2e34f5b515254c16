#include "api/api_handler.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/api_test_support.h"
#include "api/health.h"
#include "api/version.h"

namespace kauth::api {
namespace {

using testing::Call;

// A stand-in for the next stage (the proxy): records what reached it.
class RecordingHandler final : public http::Handler {
 public:
  explicit RecordingHandler(std::vector<std::string>* seen) : seen_(seen) {}
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& /*state*/) const override {
    seen_->push_back(request.method() + " " + request.target());
    http::ServerResponse response;
    response.status = 299;
    co_return response;
  }

 private:
  std::vector<std::string>* seen_;
};

// A fixed answer for one path, to show the first API that serves a path wins.
class FixedApi final : public Api {
 public:
  FixedApi(std::string path, unsigned status) : path_(std::move(path)), status_(status) {}
  bool Serves(std::string_view path) const override { return path == path_; }
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& /*request*/,
                                         http::RequestState& /*state*/) const override {
    http::ServerResponse response;
    response.status = status_;
    co_return response;
  }

 private:
  std::string path_;
  unsigned status_;
};

TEST(ApiHandlerTest, RoutesByPathAndPassesEverythingElseOn) {
  std::vector<std::string> seen;
  std::vector<std::unique_ptr<Api>> apis;
  apis.push_back(std::make_unique<FixedApi>("/x", 201));
  apis.push_back(std::make_unique<FixedApi>("/x", 202));
  apis.push_back(std::make_unique<VersionApi>());
  apis.push_back(std::make_unique<HealthApi>(std::make_shared<HealthChecks>()));
  const ApiHandler handler(std::move(apis), std::make_unique<RecordingHandler>(&seen));
  struct Case {
    const char* method;
    const char* target;
    unsigned want;
  };
  const Case cases[] = {
      {"GET", "/x", 201},  // the first API serving a path answers
      {"GET", "/version?timeout=5s", 200},
      {"POST", "/version", 405},  // a served path answers every method
      {"GET", "/readyz?verbose", 200},
      {"GET", "/api/v1/pods", 299},  // unknown paths go to next
      {"GET", "/healthz/nope", 299},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Call(handler, {.method = c.method, .target = c.target}).status, c.want) << c.target;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"GET /api/v1/pods", "GET /healthz/nope"}));
}

TEST(ApiHandlerTest, HandlesInlineWhenTheStageThatAnswersDoes) {
  std::vector<std::string> seen;
  std::vector<std::unique_ptr<Api>> apis;
  apis.push_back(std::make_unique<FixedApi>("/x", 201));  // a coroutine: may suspend
  apis.push_back(std::make_unique<VersionApi>());
  apis.push_back(std::make_unique<HealthApi>(std::make_shared<HealthChecks>()));
  const ApiHandler handler(std::move(apis), std::make_unique<RecordingHandler>(&seen));
  const auto handles_inline = [&handler](std::string target) {
    http::ServerRequest request;
    request.set_method("GET");
    request.SetTarget(std::move(target));
    return handler.HandlesInline(request);
  };
  EXPECT_TRUE(handles_inline("/version"));
  EXPECT_TRUE(handles_inline("/readyz?verbose"));
  EXPECT_FALSE(handles_inline("/x"));
  EXPECT_FALSE(handles_inline("/api/v1/pods"));  // the next stage (the proxy) may suspend

  http::ServerRequest request;
  request.set_method("GET");
  request.SetTarget("/version");
  http::RequestState state;
  const http::ServerResponse response = handler.HandleInline(request, state);
  EXPECT_EQ(response.status, 200u);
  EXPECT_NE(response.body.find("\"gitVersion\""), std::string::npos);
}

}  // namespace
}  // namespace kauth::api
