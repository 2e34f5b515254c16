#include "request/bearer_parse.h"

#include "core/strings.h"

namespace kauth {

BearerCredential ParseBearerAuthorization(std::optional<std::string_view> header) {
  using Kind = BearerCredential::Kind;
  if (!header) return {};
  const std::string_view value = TrimSpace(*header);
  if (value.empty()) return {};

  // Only byte 0x20 separates the parts: `Bearer\tT` is a one-part value and so not a bearer.
  const std::size_t first_space = value.find(' ');
  if (first_space == std::string_view::npos) return {};
  if (!EqualsIgnoreCase(value.substr(0, first_space), "bearer")) return {};

  const std::string_view rest = value.substr(first_space + 1);
  const std::size_t second_space = rest.find(' ');
  const std::string_view token = rest.substr(0, second_space);
  if (!token.empty()) return {Kind::kToken, token};
  return {second_space == std::string_view::npos ? Kind::kEmptyToken : Kind::kExtraSpace, {}};
}

}  // namespace kauth
