// Fuzzes what the proxy makes of a client's request headers on the way upstream
// (proxy/inbound_headers.h). Input: one flag byte (bit 0: the outbound identity names are
// non-default ones; bit 1: the transport tunnels an upgrade only when UpgradeProtocol says so,
// otherwise never), then lines separated by '\n': the client's remote address, then header lines
// "Name:value".
//
// Besides the sanitizers it checks the forwarded list against an independent reading of the
// rules: the client's lines come first, in order, exactly those that are not credentials,
// identity, hop-by-hop, named by a Connection line, transport-written or X-Forwarded-*; then
// only kauthd's own lines. Above all, no Authorization, Proxy-Authorization, X-Remote-*,
// Impersonate-* or configured identity line of the client's ever reaches the upstream.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "http/server_request.h"
#include "proxy/inbound_headers.h"

namespace {

using kauth::proxy::HeaderList;

void Check(bool ok) {
  if (!ok) std::abort();
}

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool Same(std::string_view a, std::string_view b) {
  return kauth::AsciiLower(a) == kauth::AsciiLower(b);
}

bool Prefixed(std::string_view name, std::string_view prefix) {
  return name.size() >= prefix.size() && Same(name.substr(0, prefix.size()), prefix);
}

struct ClientLine {
  std::string name;
  std::string value;
};

// The client's lines that survive, by the rules in inbound_headers.h read one at a time.
HeaderList CopiedLines(const std::vector<ClientLine>& lines,
                       const kauth::proxy::FrontProxyHeaderNames& names) {
  std::vector<std::string> named;
  for (const ClientLine& line : lines) {
    if (!Same(line.name, "Connection")) continue;
    for (const std::string_view element : kauth::Split(line.value, ',')) {
      if (!TrimOws(element).empty()) named.emplace_back(TrimOws(element));
    }
  }
  HeaderList out;
  for (const ClientLine& line : lines) {
    const std::string_view name = line.name;
    bool keep = true;
    for (const std::string_view dropped :
         {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Transfer-Encoding", "Upgrade",
          "Trailer", "Authorization", "Proxy-Authorization", "Host", "Content-Length",
          "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For"}) {
      if (Same(name, dropped)) keep = false;
    }
    if (Prefixed(name, "X-Remote-") || Prefixed(name, "Impersonate-") ||
        Same(name, names.username_header) || Same(name, names.group_header) ||
        Same(name, names.uid_header) || Prefixed(name, names.extra_header_prefix)) {
      keep = false;
    }
    for (const std::string& listed : named) {
      if (Same(listed, name)) keep = false;
    }
    if (keep) out.emplace_back(line.name, line.value);
  }
  return out;
}

// Whether a client line with this name must never be forwarded, whatever else the request holds.
bool NeverForwarded(std::string_view name, const kauth::proxy::FrontProxyHeaderNames& names) {
  return Same(name, "Authorization") || Same(name, "Proxy-Authorization") ||
         Prefixed(name, "X-Remote-") || Prefixed(name, "Impersonate-") ||
         Same(name, names.username_header) || Same(name, names.group_header) ||
         Same(name, names.uid_header) || Prefixed(name, names.extra_header_prefix);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  kauth::proxy::InboundHeaderOptions options;
  if ((flags & 1) != 0) {
    options.identity_names = {.username_header = "X-User",
                              .group_header = "X-Group",
                              .uid_header = "X-Uid",
                              .extra_header_prefix = "X-Extra-"};
  }

  kauth::http::ServerRequest request;
  std::vector<ClientLine> lines;
  bool first = true;
  for (const std::string_view line : kauth::Split(input, '\n')) {
    if (first) {
      request.set_remote_address(std::string(line));
      first = false;
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    lines.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
    request.AddHeader(lines.back().name, lines.back().value);
  }

  const std::optional<std::string> upgrade = kauth::proxy::UpgradeProtocol(request);
  if (upgrade) Check(!upgrade->empty() && *upgrade == request.Header("Upgrade"));
  const bool tunnel = (flags & 2) != 0 && upgrade.has_value();
  const HeaderList forwarded = kauth::proxy::ForwardedRequestHeaders(request, options, tunnel);

  const HeaderList copied = CopiedLines(lines, options.identity_names);
  Check(forwarded.size() >= copied.size());
  Check(std::equal(copied.begin(), copied.end(), forwarded.begin()));

  // After the client's lines: only kauthd's, each at most once, in the documented order.
  std::size_t at = copied.size();
  auto next_is = [&](std::string_view name) {
    return at < forwarded.size() && forwarded[at].first == name;
  };
  if (tunnel) {
    Check(next_is("Connection") && forwarded[at].second == "Upgrade");
    ++at;
    Check(next_is("Upgrade") && forwarded[at].second == *upgrade);
    ++at;
  }
  if (next_is("TE")) {
    Check(forwarded[at].second == "trailers");
    ++at;
  }
  while (next_is("X-Forwarded-For")) ++at;
  Check(next_is("X-Forwarded-Proto") && forwarded[at].second == "https");
  ++at;
  if (next_is("X-Forwarded-Host")) {
    Check(forwarded[at].second == request.Header("Host"));
    ++at;
  }
  Check(at == forwarded.size());
  Check(request.Header("Host").has_value() == (forwarded.back().first == "X-Forwarded-Host"));

  for (const auto& [name, value] : forwarded) Check(!NeverForwarded(name, options.identity_names));

  bool impersonating = false;
  for (const ClientLine& line : lines) {
    if (Prefixed(line.name, "Impersonate-")) impersonating = true;
  }
  Check(kauth::proxy::ImpersonationRefusal(request).has_value() == impersonating);
  return 0;
}
