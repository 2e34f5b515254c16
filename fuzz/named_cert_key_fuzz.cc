// Fuzzes the --tls-sni-cert-key value parser (config/named_cert_key.h). Besides the sanitizers,
// it checks the result against an independent reading of component-base's rules (split at the
// first ':', the names at every ',', the pair at its one ',', each part trimmed by Go's
// strings.TrimSpace), that an accepted value prints to text that parses back to the same value,
// and that the flag itself (through kauthd's flag parser) stores exactly that value or reports
// exactly that error.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "config/kauthd_options.h"
#include "config/named_cert_key.h"
#include "core/strings.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string_view> SplitAll(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// The reference: an error message, or the value.
struct Expected {
  std::string error;
  kauth::config::NamedCertKey value;
};

Expected Reference(std::string_view text) {
  Expected out;
  std::string_view pair = text;
  const std::size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    pair = text.substr(0, colon);
    const std::string_view names = kauth::TrimSpace(text.substr(colon + 1));
    if (names.empty()) {
      out.error = "empty names list is not allowed";
      return out;
    }
    for (std::string_view name : SplitAll(names, ',')) {
      out.value.names.emplace_back(kauth::TrimSpace(name));
    }
  }
  const std::vector<std::string_view> files = SplitAll(kauth::TrimSpace(pair), ',');
  if (files.size() != 2) {
    out.error = "expected comma separated certificate and key file paths";
    return out;
  }
  out.value.cert_file = kauth::TrimSpace(files[0]);
  out.value.key_file = kauth::TrimSpace(files[1]);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = kauth::config::ParseNamedCertKey(input);
  const Expected expected = Reference(input);

  if (!parsed) {
    Check(parsed.error().message == expected.error);
  } else {
    Check(expected.error.empty() && *parsed == expected.value);
    for (const std::string* file : {&parsed->cert_file, &parsed->key_file}) {
      Check(file->find_first_of(",:") == std::string::npos);
    }
    for (const std::string& name : parsed->names) Check(name.find(',') == std::string::npos);
    const std::string printed = kauth::config::FormatNamedCertKey(*parsed);
    const auto reparsed = kauth::config::ParseNamedCertKey(printed);
    Check(reparsed.has_value() && *reparsed == *parsed);
  }

  // A command-line argument cannot hold NUL.
  if (input.find('\0') != std::string_view::npos) return 0;
  const std::string flag = "--tls-sni-cert-key=" + std::string(input);
  const char* const args[] = {flag.c_str()};
  const auto options = kauth::config::ParseKauthdFlags(args);
  if (parsed) {
    Check(options.has_value() && options->tls_sni_cert_key.size() == 1 &&
          options->tls_sni_cert_key[0] == *parsed);
  } else {
    Check(!options.has_value() && options.error().message.starts_with("invalid argument ") &&
          options.error().message.ends_with("for \"--tls-sni-cert-key\" flag: " +
                                            parsed.error().message));
  }
  return 0;
}
