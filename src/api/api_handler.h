// ApiHandler: the built-in APIs as one stage of kauthd's handler chain. A request for a path one
// of the APIs serves goes to the first such API; any other request goes to `next` (the proxy, or
// the NotFoundHandler last).
#ifndef KAUTH_API_API_HANDLER_H_
#define KAUTH_API_API_HANDLER_H_

#include <memory>
#include <vector>

#include "api/api.h"
#include "http/handler.h"

namespace kauth::api {

class ApiHandler final : public http::Handler {
 public:
  // `next` must not be null.
  ApiHandler(std::vector<std::unique_ptr<Api>> apis, std::unique_ptr<http::Handler> next);

  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;
  // When the stage that answers does.
  bool HandlesInline(const http::ServerRequest& request) const override;
  http::ServerResponse HandleInline(http::ServerRequest& request,
                                    http::RequestState& state) const override;

 private:
  // The API serving the request's path, or `next`.
  const http::Handler& Route(const http::ServerRequest& request) const;

  std::vector<std::unique_ptr<Api>> apis_;
  std::unique_ptr<http::Handler> next_;
};

}  // namespace kauth::api

#endif  // KAUTH_API_API_HANDLER_H_
