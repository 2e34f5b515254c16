// Fuzzes the proxy's start-up inputs (proxy/upstream_parse.h): the input is both an --upstream
// URL and the contents of an --upstream-token-file. Besides the sanitizers it checks that
//   - an accepted URL splits into exactly the text after "://": host_header then base_path;
//     host_header and base_path, which every request head carries as they are, hold no control
//     byte or space (a CR LF there would add header lines to every proxied request); the
//     authority printed for messages parses back to the same host, port and scheme;
//   - every URL error is one line that starts with "--upstream: ";
//   - an accepted token is non-empty, trimmed, free of control bytes other than tab, and part of
//     the first line; a refused one gets one of the two fixed messages, which never quote the
//     file (it is a credential).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/strings.h"
#include "proxy/upstream_parse.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// Bytes a request line or header value cannot carry unescaped.
bool HasControlOrSpace(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return true;
  }
  return false;
}

bool HasControl(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) return true;
  }
  return false;
}

void CheckUrl(std::string_view input) {
  const auto url = kauth::proxy::ParseUpstreamUrl(input);
  if (!url) {
    const std::string& message = url.error().message;
    Check(message.starts_with("--upstream: "));
    Check(!HasControl(message));
    return;
  }
  const std::size_t scheme_end = input.find("://");
  Check(scheme_end != std::string_view::npos);
  const std::string scheme = kauth::AsciiLower(input.substr(0, scheme_end));
  Check(url->tls == (scheme == "https") && (url->tls || scheme == "http"));
  Check(url->host_header + url->base_path == input.substr(scheme_end + 3));
  Check(!HasControlOrSpace(url->host_header) && !HasControlOrSpace(url->base_path));
  Check(!url->host.empty() && url->port != 0);
  Check(url->base_path.empty() || url->base_path.front() == '/');
  Check(url->base_path.find_first_of("?#") == std::string::npos);
  Check(url->host_header.find_first_of("@/?#") == std::string::npos);
  const bool v6 = url->host.find(':') != std::string::npos;
  Check(url->authority ==
        (v6 ? "[" + url->host + "]" : url->host) + ":" + std::to_string(url->port));

  const auto again =
      kauth::proxy::ParseUpstreamUrl(scheme + "://" + url->authority + url->base_path);
  Check(again.has_value());
  Check(again->tls == url->tls && again->host == url->host && again->port == url->port &&
        again->host_is_ip == url->host_is_ip && again->authority == url->authority &&
        again->base_path == url->base_path);
}

void CheckToken(std::string_view input) {
  const std::string path = "/etc/kauth/token";
  const auto token = kauth::proxy::ParseUpstreamToken(input, path);
  const std::string_view first_line = input.substr(0, input.find('\n'));
  if (!token) {
    const std::string& message = token.error().message;
    Check(message == "--upstream-token-file: " + path + ": no token on its first line" ||
          message == "--upstream-token-file: " + path +
                         ": the token holds a control character and cannot be sent in a header");
    return;
  }
  Check(!token->empty() && kauth::TrimSpace(*token) == *token);
  Check(!HasControl(*token));
  Check(first_line.find(*token) != std::string_view::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckUrl(input);
  CheckToken(input);
  return 0;
}
