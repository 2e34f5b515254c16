// Fuzzes the --authentication-config decoder (config/authentication_config.h, with
// config/yaml_json.h underneath: yaml-cpp, then Go's decoding rules). Besides the sanitizers
// (and yaml-cpp's exceptions, which must not escape), it checks the documented contract:
//   - every error is one non-empty line free of control bytes (it quotes the file, and reaches
//     the operator's terminal and the logs);
//   - a decoded file names one of the supported apiVersions;
//   - validation fails exactly for a non-empty jwt list or conditions on a disabled anonymous
//     section, with "invalid authentication configuration: " and one line.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/authentication_config.h"
#include "config/yaml_json.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

bool OneLine(const std::string& message) {
  return !message.empty() && std::none_of(message.begin(), message.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const auto document = kauth::config::ParseConfigDocument(input);
  if (!document) Check(OneLine(document.error().message));

  const auto decoded = kauth::config::DecodeAuthenticationConfig(input);
  if (!decoded) {
    Check(OneLine(decoded.error().message));
    return 0;
  }
  // Whatever decodes also parses as a document.
  Check(document.has_value());
  const kauth::config::AuthenticationConfig& config = *decoded;
  Check(config.api_version == "apiserver.config.k8s.io/v1" ||
        config.api_version == "apiserver.config.k8s.io/v1beta1" ||
        config.api_version == "apiserver.config.k8s.io/v1alpha1");

  const auto valid = kauth::config::ValidateAuthenticationConfig(config);
  const bool conditions_without_enabled = config.anonymous.has_value() &&
                                          !config.anonymous->enabled &&
                                          !config.anonymous->condition_paths.empty();
  Check(valid.has_value() == (config.jwt_count == 0 && !conditions_without_enabled));
  if (!valid) {
    Check(OneLine(valid.error().message));
    Check(valid.error().message.starts_with("invalid authentication configuration: "));
  }
  return 0;
}
