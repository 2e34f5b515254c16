#include "http/handler.h"

#include <stdexcept>

namespace kauth::http {

ServerResponse Handler::HandleInline(ServerRequest& /*request*/, RequestState& /*state*/) const {
  // Reaching here means a caller skipped HandlesInline: a programming error, answered by the
  // server's panic recovery (a 500) rather than by a wrong answer.
  throw std::logic_error("HandleInline called on a handler that does not handle inline");
}

}  // namespace kauth::http
