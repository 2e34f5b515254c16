#include "config/named_cert_key.h"

#include <utility>

#include "core/strings.h"

namespace kauth::config {

Result<NamedCertKey> ParseNamedCertKey(std::string_view text) {
  NamedCertKey parsed;
  std::string_view cert_key = text;
  if (const std::size_t colon = text.find(':'); colon != std::string_view::npos) {
    cert_key = TrimSpace(text.substr(0, colon));
    const std::string_view names = TrimSpace(text.substr(colon + 1));
    if (names.empty()) return Error{"empty names list is not allowed"};
    for (std::string_view rest = names;;) {
      const std::size_t comma = rest.find(',');
      parsed.names.emplace_back(TrimSpace(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  } else {
    cert_key = TrimSpace(text);
  }
  const std::size_t comma = cert_key.find(',');
  if (comma == std::string_view::npos || cert_key.find(',', comma + 1) != std::string_view::npos) {
    return Error{"expected comma separated certificate and key file paths"};
  }
  parsed.cert_file = TrimSpace(cert_key.substr(0, comma));
  parsed.key_file = TrimSpace(cert_key.substr(comma + 1));
  return Result<NamedCertKey>(boost::system::in_place_value, std::move(parsed));
}

std::string FormatNamedCertKey(const NamedCertKey& value) {
  std::string text = value.cert_file + "," + value.key_file;
  for (std::size_t i = 0; i < value.names.size(); ++i) {
    text += (i == 0 ? ":" : ",") + value.names[i];
  }
  return text;
}

}  // namespace kauth::config
