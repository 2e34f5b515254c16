// Fuzzes what kauthd makes of a request line's method and target before any authentication
// (server/go_http1.h: OriginFormTarget, the 505 check; http/server_request.h: path, query and
// query parameters). Input: "<method> <target>", or a target alone (method GET).
//
// Besides the sanitizers it checks that
//   - an accepted target is "*", the CONNECT authority as sent, or an origin form that starts
//     with '/', equals the target when the target was already one, and is accepted again as it
//     is (handlers and the proxy see one fixed point);
//   - the request's path and query split the target at its first '?';
//   - QueryParams gives exactly the values an independent reading of Go's url.ParseQuery gives
//     (pairs split at '&', those holding ';' or a bad %-escape skipped, '+' a space), and
//     QueryParam the first of them.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "http/server_request.h"
#include "server/go_http1.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// Go's url.QueryUnescape, written from its documentation.
std::optional<std::string> Unescape(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] != '%') {
      out += text[i];
    } else {
      if (text.size() - i < 3) return std::nullopt;
      const std::size_t high = kHex.find(kauth::AsciiLower(text.substr(i + 1, 1)));
      const std::size_t low = kHex.find(kauth::AsciiLower(text.substr(i + 2, 1)));
      if (high == std::string_view::npos || low == std::string_view::npos) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    }
  }
  return out;
}

std::vector<std::string> ExpectedValues(std::string_view query, std::string_view name) {
  std::vector<std::string> values;
  for (const std::string_view pair : kauth::Split(query, '&')) {
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    const std::size_t equals = pair.find('=');
    const std::optional<std::string> key = Unescape(pair.substr(0, equals));
    if (!key || *key != name) continue;
    const std::optional<std::string> value =
        equals == std::string_view::npos ? std::string() : Unescape(pair.substr(equals + 1));
    if (value) values.push_back(*value);
  }
  return values;
}

// Every key in the query, as sent (for lookups that find something).
std::vector<std::string> RawKeys(std::string_view query) {
  std::vector<std::string> keys;
  for (const std::string_view pair : kauth::Split(query, '&')) {
    keys.emplace_back(pair.substr(0, pair.find('=')));
  }
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view method = "GET";
  std::string_view target = input;
  if (const std::size_t space = input.find(' '); space != std::string_view::npos) {
    method = input.substr(0, space);
    target = input.substr(space + 1);
  }

  (void)kauth::server::IsUnsupportedVersionRequestLine(input);
  (void)kauth::server::ParseHttpVersion(target);
  (void)kauth::server::ValidHostHeader(target);
  (void)kauth::server::HeaderHasToken(target, "100-continue");

  const std::optional<std::string> origin = kauth::server::OriginFormTarget(method, target);
  if (!origin) return 0;
  Check(!origin->empty());
  if (target.front() == '/' || target == "*") Check(*origin == target);
  if (method == "CONNECT" && target.front() != '/') {
    Check(*origin == target);
    return 0;
  }
  Check(*origin == "*" || origin->front() == '/');
  Check(kauth::server::OriginFormTarget(method, *origin) == origin);

  kauth::http::ServerRequest request;
  request.SetTarget(*origin);
  const std::size_t question = origin->find('?');
  Check(request.path() == std::string_view(*origin).substr(0, question));
  Check(request.query() == (question == std::string::npos
                                ? std::string_view()
                                : std::string_view(*origin).substr(question + 1)));

  std::vector<std::string> names = {"watch", "", "a b"};
  for (const std::string& key : RawKeys(request.query())) {
    // The decoded form is what a handler asks for; the raw one differs when it holds escapes.
    names.push_back(key);
    if (std::optional<std::string> decoded = Unescape(key)) names.push_back(std::move(*decoded));
    if (names.size() > 16) break;
  }
  for (const std::string& name : names) {
    const std::vector<std::string> values = request.QueryParams(name);
    const std::optional<std::string> first = request.QueryParam(name);
    Check(first.has_value() == !values.empty());
    if (first) Check(*first == values.front());
    Check(values == ExpectedValues(request.query(), name));
  }
  return 0;
}
