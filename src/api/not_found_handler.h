// NotFoundHandler: the last stage of kauthd's handler chain, Kubernetes' 404 Status for every
// request nothing else answered.
#ifndef KAUTH_API_NOT_FOUND_HANDLER_H_
#define KAUTH_API_NOT_FOUND_HANDLER_H_

#include "http/handler.h"

namespace kauth::api {

class NotFoundHandler final : public http::Handler {
 public:
  Awaitable<http::ServerResponse> Handle(http::ServerRequest& request,
                                         http::RequestState& state) const override;
  // Answers from memory.
  bool HandlesInline(const http::ServerRequest& request) const override;
  http::ServerResponse HandleInline(http::ServerRequest& request,
                                    http::RequestState& state) const override;
};

}  // namespace kauth::api

#endif  // KAUTH_API_NOT_FOUND_HANDLER_H_
