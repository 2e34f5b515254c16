#include "http/server_response.h"

#include "core/strings.h"

namespace kauth::http {

std::string_view ServerResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

}  // namespace kauth::http
