// Api: one of kauthd's built-in APIs (SelfSubjectReview, TokenReview, health, version, metrics).
// An Api claims a set of exact URL paths and answers every method on them, a method it does not
// serve with Kubernetes' 405, so that ApiHandler can route on the path alone.
//
// Implementations are immutable after construction and called concurrently from every server
// thread.
#ifndef KAUTH_API_API_H_
#define KAUTH_API_API_H_

#include <string_view>

#include "http/handler.h"

namespace kauth::api {

class Api : public http::Handler {
 public:
  // True when this API answers requests for `path` (the URL path, without the query string).
  virtual bool Serves(std::string_view path) const = 0;
};

}  // namespace kauth::api

#endif  // KAUTH_API_API_H_
