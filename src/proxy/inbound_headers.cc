#include "proxy/inbound_headers.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace kauth::proxy {
namespace {

// The size check inline first: most header names differ in length from the one they are
// compared with, and every forwarded header meets a dozen such comparisons.
bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && EqualsIgnoreCase(a, b);
}

// RFC 9110 §5.6.1 list elements: split on ',', trim optional whitespace, skip empty elements.
std::vector<std::string_view> ListElements(std::string_view value) {
  std::vector<std::string_view> out;
  for (std::string_view element : Split(value, ',')) {
    while (!element.empty() && (element.front() == ' ' || element.front() == '\t')) {
      element.remove_prefix(1);
    }
    while (!element.empty() && (element.back() == ' ' || element.back() == '\t')) {
      element.remove_suffix(1);
    }
    if (!element.empty()) out.push_back(element);
  }
  return out;
}

// Go's httpguts.HeaderValuesContainsToken: some element, up to any ';' parameters, is `token`.
bool ListsToken(const std::vector<std::string_view>& values, std::string_view token) {
  for (std::string_view value : values) {
    for (std::string_view element : ListElements(value)) {
      element = element.substr(0, element.find(';'));
      while (!element.empty() && (element.back() == ' ' || element.back() == '\t')) {
        element.remove_suffix(1);
      }
      if (EqualsIgnoreCase(element, token)) return true;
    }
  }
  return false;
}

// Go's net.SplitHostPort, host part only: "host:port" or "[host]:port".
std::optional<std::string_view> SplitHost(std::string_view address) {
  if (address.starts_with('[')) {
    const std::size_t end = address.find(']');
    if (end == std::string_view::npos || address.substr(end + 1, 1) != ":") return std::nullopt;
    const std::string_view host = address.substr(1, end - 1);
    const std::string_view port = address.substr(end + 2);
    if (port.find_first_of("[]:") != std::string_view::npos) return std::nullopt;
    return host;
  }
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view host = address.substr(0, colon);
  if (host.find_first_of("[]:") != std::string_view::npos) return std::nullopt;
  if (address.substr(colon + 1).find_first_of("[]") != std::string_view::npos) return std::nullopt;
  return host;
}

constexpr std::string_view kDropped[] = {
    // Hop-by-hop (RFC 9110 §7.6.1), plus Trailer as Go's ReverseProxy drops it.
    "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Transfer-Encoding", "Upgrade", "Trailer",
    // Credentials for kauthd or a proxy in front of it, never for the upstream.
    "Authorization", "Proxy-Authorization",
    // Written by the transport.
    "Host", "Content-Length",
    // Replaced below.
    "X-Forwarded-Proto", "X-Forwarded-Host"};

bool IsIdentityHeader(std::string_view name, const FrontProxyHeaderNames& names) {
  return StartsWithIgnoreCase(name, "X-Remote-") || StartsWithIgnoreCase(name, "Impersonate-") ||
         SameName(name, names.username_header) || SameName(name, names.group_header) ||
         SameName(name, names.uid_header) || StartsWithIgnoreCase(name, names.extra_header_prefix);
}

}  // namespace

std::optional<std::string> UpgradeProtocol(const Request& request) {
  if (!ListsToken(request.HeaderValues("Connection"), "upgrade")) return std::nullopt;
  const std::optional<std::string_view> protocol = request.Header("Upgrade");
  if (!protocol || protocol->empty()) return std::nullopt;
  return std::string(*protocol);
}

HeaderList ForwardedRequestHeaders(const http::ServerRequest& request,
                                   const InboundHeaderOptions& options, bool tunnel_upgrade) {
  std::vector<std::string> connection_named;
  for (std::string_view value : request.HeaderValues("Connection")) {
    for (std::string_view element : ListElements(value)) connection_named.emplace_back(element);
  }
  const auto named_by_connection = [&](std::string_view name) {
    return std::any_of(connection_named.begin(), connection_named.end(),
                       [&](const std::string& listed) { return SameName(listed, name); });
  };

  HeaderList out;
  // The client's headers, the X-Forwarded-* trio and the identity lines the handler appends
  // usually fit without regrowing; 16 entries are 1 KiB, which glibc's per-thread cache serves
  // (24 took a trip through its bins per proxied request).
  out.reserve(16);
  std::vector<std::string> prior_forwarded_for;
  const auto forward = [&](std::string_view name, std::string_view value) {
    const bool dropped =
        std::any_of(std::begin(kDropped), std::end(kDropped),
                    [&](std::string_view listed) { return SameName(listed, name); });
    if (dropped || named_by_connection(name) || IsIdentityHeader(name, options.identity_names)) {
      return;
    }
    if (SameName(name, "X-Forwarded-For")) {
      prior_forwarded_for.emplace_back(value);
      return;
    }
    out.emplace_back(std::string(name), std::string(value));
  };
  // By reference: the lambda is too large for std::function's inline storage, and a copy would
  // be an allocation per proxied request.
  request.ForEachHeader(std::ref(forward));

  if (tunnel_upgrade) {
    const std::optional<std::string_view> protocol = request.Header("Upgrade");
    if (protocol && !protocol->empty()) {
      out.emplace_back("Connection", "Upgrade");
      out.emplace_back("Upgrade", std::string(*protocol));
    }
  }
  if (ListsToken(request.HeaderValues("TE"), "trailers")) out.emplace_back("TE", "trailers");

  if (const std::optional<std::string_view> client_ip = SplitHost(request.remote_address())) {
    std::string forwarded_for;
    for (const std::string& prior : prior_forwarded_for) forwarded_for += prior + ", ";
    forwarded_for += *client_ip;
    out.emplace_back("X-Forwarded-For", std::move(forwarded_for));
  } else {
    for (std::string& prior : prior_forwarded_for) {
      out.emplace_back("X-Forwarded-For", std::move(prior));
    }
  }
  out.emplace_back("X-Forwarded-Proto", "https");
  if (const std::optional<std::string_view> host = request.Header("Host")) {
    out.emplace_back("X-Forwarded-Host", std::string(*host));
  }
  return out;
}

std::optional<http::Status> ImpersonationRefusal(const Request& request) {
  bool impersonating = false;
  request.ForEachHeader([&](std::string_view name, std::string_view) {
    if (StartsWithIgnoreCase(name, "Impersonate-")) impersonating = true;
  });
  if (!impersonating) return std::nullopt;
  return http::ForbiddenStatus("forbidden: impersonation through kauthd is not supported");
}

}  // namespace kauth::proxy
