#include "proxy/upstream_parse.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/go_format.h"
#include "core/strings.h"

namespace kauth::proxy {
namespace {

// The size check inline first: most header names differ in length from the one they are
// compared with, and every forwarded header meets a dozen such comparisons.
bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && EqualsIgnoreCase(a, b);
}

// Hop-by-hop headers (RFC 9110 §7.6.1) and the framing the server redoes.
bool IsDroppedResponseHeader(std::string_view name, bool switching_protocols) {
  if (SameName(name, "Upgrade")) return !switching_protocols;
  return SameName(name, "Connection") || SameName(name, "Keep-Alive") ||
         SameName(name, "Proxy-Connection") || SameName(name, "TE") || SameName(name, "Trailer") ||
         SameName(name, "Transfer-Encoding") || SameName(name, "Content-Length");
}

// Whether a Connection field among `fields` lists `name`: each is split on ',' and trimmed of
// ASCII white space, as Go's ReverseProxy does (textproto.TrimString). No list is built: a
// response has a Connection field or two, with a token or two each.
bool NamedByConnection(const HeaderList& fields, std::string_view name) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  for (const auto& [field_name, value] : fields) {
    if (!SameName(field_name, "Connection")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view token = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      while (!token.empty() && blank(token.front())) token.remove_prefix(1);
      while (!token.empty() && blank(token.back())) token.remove_suffix(1);
      if (!token.empty() && SameName(token, name)) return true;
    }
  }
  return false;
}

}  // namespace

Result<UpstreamUrl> ParseUpstreamUrl(std::string_view url) {
  // Quoted as %q does: the URL may hold the very control bytes it is refused for.
  auto fail = [&](std::string_view reason) {
    return Error{"--upstream: " + GoQuote(url) + ": " + std::string(reason)};
  };
  // The host and the path go into every request head as written: a CR LF would add header lines
  // to each, a space would split the request line.
  for (const char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return fail("invalid control character in URL");
    if (c == ' ') return fail("a space is not allowed (write it as %20 in the path)");
  }
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return fail("want http://host[:port][/path] or https://host[:port][/path]");
  }
  UpstreamUrl out;
  const std::string scheme = AsciiLower(url.substr(0, scheme_end));
  if (scheme == "https") {
    out.tls = true;
  } else if (scheme != "http") {
    return fail("unsupported scheme \"" + scheme + "\": want http or https");
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view path =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (path.find_first_of("?#") != std::string_view::npos) {
    return fail("a query or fragment is not allowed");
  }
  if (authority.find('@') != std::string_view::npos) return fail("user information is not allowed");

  std::string_view host = authority;
  std::string_view port;
  bool bracketed = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("missing ']' in host");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after the IPv6 address");
      port = after.substr(1);
    }
    bracketed = true;
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return fail("an IPv6 address must be in brackets");
    }
  }
  if (host.empty()) return fail("no host");
  out.port = out.tls ? 443 : 80;
  if (!port.empty() || authority.back() == ':') {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return fail("invalid port \"" + std::string(port) + "\"");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  boost::system::error_code ec;
  const boost::asio::ip::address address = boost::asio::ip::make_address(host, ec);
  if (bracketed && (ec || !address.is_v6())) return fail("invalid IPv6 address");
  out.host_is_ip = !ec;
  out.host = std::string(host);
  out.authority = bracketed ? "[" + out.host + "]:" + std::to_string(out.port)
                            : out.host + ":" + std::to_string(out.port);
  out.host_header = std::string(authority);
  out.base_path = std::string(path);
  return out;
}

Result<std::string> ParseUpstreamToken(std::string_view contents, const std::string& path) {
  const std::string_view token = TrimSpace(contents.substr(0, contents.find('\n')));
  if (token.empty()) {
    return Error{"--upstream-token-file: " + path + ": no token on its first line"};
  }
  if (!ValidHeaderFieldValue(token)) {
    return Error{"--upstream-token-file: " + path +
                 ": the token holds a control character and cannot be sent in a header"};
  }
  return Result<std::string>(boost::system::in_place_value, std::string(token));
}

HeaderList ResponseHeaders(HeaderList fields, bool switching_protocols) {
  HeaderList out;
  out.reserve(fields.size());
  for (auto& field : fields) {
    const std::string& name = field.first;
    if (IsDroppedResponseHeader(name, switching_protocols)) continue;
    // A 101 names Upgrade in its Connection header; that Upgrade is the point of the answer.
    if (!(switching_protocols && SameName(name, "Upgrade")) && NamedByConnection(fields, name)) {
      continue;
    }
    // Connection fields are dropped above, so the ones NamedByConnection reads are never moved.
    out.push_back(std::move(field));
  }
  return out;
}

}  // namespace kauth::proxy
