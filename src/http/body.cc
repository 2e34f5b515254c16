#include "http/body.h"

namespace kauth::http {

Awaitable<Result<std::string_view>> StringBody::Read() {
  if (read_) co_return std::string_view();
  read_ = true;
  co_return std::string_view(body_);
}

std::optional<std::string> StringBody::TakeWhole() {
  if (read_) return std::nullopt;
  read_ = true;
  return std::move(body_);
}

}  // namespace kauth::http
