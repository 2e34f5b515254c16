#include "server/go_http1.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <utility>

#include "core/strings.h"

namespace kauth::server {
namespace {

// Go writes these after the status line of every error it answers on its own.
constexpr std::string_view kErrorHeaders =
    "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n";

constexpr bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsHexDigit(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The bytes httpguts accepts in a Host header: unreserved, sub-delims, '%', ':' and brackets.
constexpr bool IsHostByte(char c) {
  if (IsAsciiAlpha(c) || IsAsciiDigit(c)) return true;
  switch (c) {
    case '!':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case '-':
    case '.':
    case ':':
    case ';':
    case '=':
    case '[':
    case ']':
    case '_':
    case '~':
      return true;
    default:
      return false;
  }
}

// A predicate over bytes as a table: header names and Host values are checked on every request
// and response, a byte at a time.
using ByteTable = std::array<bool, 256>;
constexpr ByteTable MakeByteTable(bool (*predicate)(char)) {
  ByteTable table{};
  for (std::size_t byte = 0; byte < table.size(); ++byte) {
    table[byte] = predicate(static_cast<char>(byte));
  }
  return table;
}
constexpr ByteTable kHostBytes = MakeByteTable(IsHostByte);

bool InTable(const ByteTable& table, std::string_view text) {
  for (const char c : text) {
    if (!table[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

// Go's url unescaping fails on a '%' not followed by two hex digits.
bool ValidPercentEscapes(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (i + 2 >= text.size() || !IsHexDigit(text[i + 1]) || !IsHexDigit(text[i + 2])) {
      return false;
    }
    i += 2;
  }
  return true;
}

// RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), as Go's getScheme reads it.
std::size_t SchemeLength(std::string_view target) {
  for (std::size_t i = 0; i < target.size(); ++i) {
    const char c = target[i];
    if (IsAsciiAlpha(c)) continue;
    if (IsAsciiDigit(c) || c == '+' || c == '-' || c == '.') {
      if (i == 0) return 0;
      continue;
    }
    if (c == ':') return i;
    return 0;
  }
  return 0;
}

bool ValidAuthority(std::string_view authority) {
  for (const char c : authority) {
    if (!IsHostByte(c) && c != '@') return false;
  }
  return true;
}

// Go's http.StatusText table.
constexpr std::pair<unsigned, std::string_view> kStatusTexts[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {102, "Processing"},
    {103, "Early Hints"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {207, "Multi-Status"},
    {208, "Already Reported"},
    {226, "IM Used"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Request Entity Too Large"},
    {414, "Request URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Requested Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {418, "I'm a teapot"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Entity"},
    {423, "Locked"},
    {424, "Failed Dependency"},
    {425, "Too Early"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {451, "Unavailable For Legal Reasons"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
    {506, "Variant Also Negotiates"},
    {507, "Insufficient Storage"},
    {508, "Loop Detected"},
    {510, "Not Extended"},
    {511, "Network Authentication Required"},
};

}  // namespace

bool LooksLikeHttpInsteadOfTls(std::string_view first_five_bytes) {
  static constexpr std::array<std::string_view, 5> kPrefixes = {"GET /", "HEAD ", "POST ", "PUT /",
                                                                "OPTIO"};
  for (const std::string_view prefix : kPrefixes) {
    if (first_five_bytes == prefix) return true;
  }
  return false;
}

std::string GoErrorResponse(unsigned code, std::string_view detail) {
  std::string status = std::to_string(code);
  status += ' ';
  status += ReasonPhrase(code);
  if (!detail.empty()) {
    status += ": ";
    status += detail;
  }
  std::string out = "HTTP/1.1 ";
  out += status;
  out += kErrorHeaders;
  out += status;
  return out;
}

std::string GoUnsupportedTransferEncodingResponse() {
  std::string out = "HTTP/1.1 501 Not Implemented";
  out += kErrorHeaders;
  out += "Unsupported transfer encoding";
  return out;
}

std::string_view StatusText(unsigned code) {
  for (const auto& [known, text] : kStatusTexts) {
    if (known == code) return text;
  }
  return {};
}

std::string ReasonPhrase(unsigned code) {
  const std::string_view text = StatusText(code);
  if (!text.empty()) return std::string(text);
  return "status code " + std::to_string(code);
}

bool ValidHostHeader(std::string_view host) { return InTable(kHostBytes, host); }

bool HeaderHasToken(std::string_view value, std::string_view token) {
  if (token.empty() || token.size() > value.size()) return false;
  const auto boundary = [](char c) { return c == ' ' || c == ',' || c == '\t'; };
  for (std::size_t start = 0; start + token.size() <= value.size(); ++start) {
    if (start > 0 && !boundary(value[start - 1])) continue;
    const std::size_t end = start + token.size();
    if (end != value.size() && !boundary(value[end])) continue;
    if (EqualsIgnoreCase(value.substr(start, token.size()), token)) return true;
  }
  return false;
}

std::optional<std::pair<int, int>> ParseHttpVersion(std::string_view text) {
  if (text.size() != 8 || text.substr(0, 5) != "HTTP/" || !IsAsciiDigit(text[5]) ||
      text[6] != '.' || !IsAsciiDigit(text[7])) {
    return std::nullopt;
  }
  return std::make_pair(text[5] - '0', text[7] - '0');
}

bool IsUnsupportedVersionRequestLine(std::string_view request_line) {
  const std::size_t first_space = request_line.find(' ');
  const std::size_t last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) return false;
  const std::string_view method = request_line.substr(0, first_space);
  const std::string_view target =
      request_line.substr(first_space + 1, last_space - first_space - 1);
  const auto version = ParseHttpVersion(request_line.substr(last_space + 1));
  return version && version->first != 1 && ValidHeaderFieldName(method) &&
         OriginFormTarget(method, target).has_value();
}

std::optional<std::string> OriginFormTarget(std::string_view method, std::string_view target) {
  if (target.empty()) return std::nullopt;
  if (target == "*") return std::string(target);
  if (target.front() == '/') {
    const std::string_view path = target.substr(0, target.find('?'));
    if (!ValidPercentEscapes(path)) return std::nullopt;
    return std::string(target);
  }
  // CONNECT names an authority ("host:port"), which Go parses as if it were "http://" + target.
  if (method == "CONNECT") {
    if (!ValidAuthority(target)) return std::nullopt;
    return std::string(target);
  }
  // The absolute form, "scheme://authority/path?query". An opaque form ("mailto:x") or a
  // relative one ("abc") is not a request target for Go.
  const std::size_t scheme = SchemeLength(target);
  if (scheme == 0) return std::nullopt;
  std::string_view rest = target.substr(scheme + 1);
  if (rest.substr(0, 2) != "//") return std::nullopt;
  rest.remove_prefix(2);
  const std::size_t path_start = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, path_start);
  if (!ValidAuthority(authority) || !ValidPercentEscapes(authority)) return std::nullopt;
  if (path_start == std::string_view::npos) return std::string("/");
  std::string_view origin = rest.substr(path_start);
  if (!ValidPercentEscapes(origin.substr(0, origin.find('?')))) return std::nullopt;
  if (origin.front() == '?') return "/" + std::string(origin);
  return std::string(origin);
}

std::string HttpDate(std::chrono::system_clock::time_point time) {
  static constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::snprintf(text, sizeof(text), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[static_cast<std::size_t>(utc.tm_wday)].data(), utc.tm_mday,
                kMonths[static_cast<std::size_t>(utc.tm_mon)].data(), utc.tm_year + 1900,
                utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

std::string_view CachedHttpDate() {
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached;
  // The coarse clock (the kernel's last tick, a few ms behind at most) costs a fifth of a precise
  // read, and a Date header has whole seconds.
  timespec coarse{};
  clock_gettime(CLOCK_REALTIME_COARSE, &coarse);
  const std::time_t second = coarse.tv_sec;
  if (second != cached_second) {
    cached = HttpDate(std::chrono::system_clock::from_time_t(second));
    cached_second = second;
  }
  return cached;
}

}  // namespace kauth::server
