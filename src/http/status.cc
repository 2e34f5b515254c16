#include "http/status.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>
#include <tuple>
#include <utility>

#include "core/strings.h"

namespace kauth::http {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// One step of Go's utf8.DecodeRuneInString: the rune at `pos` and its length, or (-1, 1) for an
// invalid or truncated sequence, which encoding/json replaces by U+FFFD byte by byte.
std::pair<std::int32_t, std::size_t> DecodeRune(std::string_view s, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(pos);
  if (b0 < 0x80) return {b0, 1};
  std::size_t size = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    size = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    size = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    size = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return {-1, 1};
  }
  if (pos + size > s.size()) return {-1, 1};
  if (byte(pos + 1) < lo || byte(pos + 1) > hi) return {-1, 1};
  for (std::size_t i = 2; i < size; ++i) {
    if (byte(pos + i) < 0x80 || byte(pos + i) > 0xBF) return {-1, 1};
  }
  std::int32_t rune = b0 & (size == 2 ? 0x1F : size == 3 ? 0x0F : 0x07);
  for (std::size_t i = 1; i < size; ++i) rune = (rune << 6) | (byte(pos + i) & 0x3F);
  return {rune, size};
}

// A streaming JSON writer with the two layouts kube-apiserver uses: json.Marshal (compact) and
// json.MarshalIndent(v, "", "  ") (pretty). Empty objects and arrays are "{}" / "[]" in both.
class JsonWriter {
 public:
  explicit JsonWriter(bool pretty) : pretty_(pretty) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key) {
    NextItem();
    AppendJsonString(out_, key);
    out_ += pretty_ ? ": " : ":";
    after_key_ = true;
  }
  void String(std::string_view value) {
    ValuePrefix();
    AppendJsonString(out_, value);
  }
  void Number(unsigned value) {
    ValuePrefix();
    out_ += std::to_string(value);
  }
  // Go's omitempty for strings.
  void MemberIfNonEmpty(std::string_view key, std::string_view value) {
    if (value.empty()) return;
    Key(key);
    String(value);
  }
  std::string Take() { return std::move(out_); }

 private:
  void Newline(std::size_t depth) {
    out_.push_back('\n');
    out_.append(depth * 2, ' ');
  }
  // Before an object key or an array element: the separator and, when pretty, the indent.
  void NextItem() {
    if (counts_.back()++ > 0) out_.push_back(',');
    if (pretty_) Newline(counts_.size());
  }
  void ValuePrefix() {
    if (after_key_) {
      after_key_ = false;
    } else if (!counts_.empty()) {
      NextItem();  // an array element
    }
  }
  void Open(char bracket) {
    ValuePrefix();
    out_.push_back(bracket);
    counts_.push_back(0);
  }
  void Close(char bracket) {
    const std::size_t count = counts_.back();
    counts_.pop_back();
    if (pretty_ && count > 0) Newline(counts_.size());
    out_.push_back(bracket);
  }

  bool pretty_;
  bool after_key_ = false;
  std::vector<std::size_t> counts_;  // items written so far in each open object or array
  std::string out_;
};

void WriteDetails(JsonWriter& json, const StatusDetails& details) {
  json.BeginObject();
  json.MemberIfNonEmpty("name", details.name);
  json.MemberIfNonEmpty("group", details.group);
  json.MemberIfNonEmpty("kind", details.kind);
  if (!details.causes.empty()) {
    json.Key("causes");
    json.BeginArray();
    for (const StatusCause& cause : details.causes) {
      json.BeginObject();
      json.MemberIfNonEmpty("reason", cause.reason);
      json.MemberIfNonEmpty("message", cause.message);
      json.MemberIfNonEmpty("field", cause.field);
      json.EndObject();
    }
    json.EndArray();
  }
  json.EndObject();
}

// Go's strconv.ParseBool; nullopt for anything it rejects.
std::optional<bool> ParseGoBool(std::string_view text) {
  static constexpr std::string_view kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::string_view kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(std::begin(kTrue), std::end(kTrue), text) != std::end(kTrue)) return true;
  if (std::find(std::begin(kFalse), std::end(kFalse), text) != std::end(kFalse)) return false;
  return std::nullopt;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// One clause of an Accept header, as goautoneg's ParseAccept reads it.
struct AcceptClause {
  std::string type;
  std::string subtype;
  double q = 1.0;
  std::vector<std::pair<std::string, std::string>> params;
};

std::vector<AcceptClause> ParseAccept(std::string_view header) {
  std::vector<AcceptClause> clauses;
  for (std::string_view part : Split(header, ',')) {
    const std::vector<std::string_view> pieces = Split(part, ';');
    const std::vector<std::string_view> range = Split(pieces[0], '/');
    AcceptClause clause;
    const std::string_view type = TrimSpaces(range[0]);
    if (range.size() == 1 && type == "*") {
      clause.type = "*";
      clause.subtype = "*";
    } else if (range.size() == 2) {
      clause.type = std::string(type);
      clause.subtype = std::string(TrimSpaces(range[1]));
    } else {
      continue;
    }
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      const std::vector<std::string_view> kv = SplitN(pieces[i], '=', 2);
      if (kv.size() != 2) continue;
      const std::string_view key = TrimSpaces(kv[0]);
      if (key == "q") {
        // goautoneg keeps 0 for a q that ParseFloat rejects (it does not trim the value).
        const std::string_view value = kv[1];
        const auto [end, error] =
            std::from_chars(value.data(), value.data() + value.size(), clause.q);
        if (error != std::errc() || end != value.data() + value.size()) clause.q = 0;
      } else {
        clause.params.emplace_back(std::string(key), std::string(TrimSpaces(kv[1])));
      }
    }
    clauses.push_back(std::move(clause));
  }
  // goautoneg: higher q first, then a concrete type before "*", then a concrete subtype before
  // "*"; ties keep header order.
  const auto rank = [](const AcceptClause& c) {
    return std::tuple(-c.q, c.type == "*", c.subtype == "*");
  };
  std::stable_sort(clauses.begin(), clauses.end(),
                   [&](const AcceptClause& a, const AcceptClause& b) { return rank(a) < rank(b); });
  return clauses;
}

struct MediaType {
  std::string_view type;
  std::string_view subtype;
  bool streams;  // has a stream serializer (stream=watch is acceptable)
};

// kube-apiserver's serializers, in its preference order.
constexpr MediaType kServedTypes[] = {
    {"application", "json", true},
    {"application", "yaml", false},
    {"application", "vnd.kubernetes.protobuf", true},
};

struct AcceptOutcome {
  bool acceptable = true;
  bool pretty = false;  // the chosen clause carried pretty=1
};

// apimachinery's NegotiateMediaTypeOptions with the default endpoint restrictions (no
// conversion): the first clause, best first, that a served type satisfies.
AcceptOutcome NegotiateAccept(std::optional<std::string_view> header) {
  if (!header || header->empty()) return {};
  for (const AcceptClause& clause : ParseAccept(*header)) {
    for (const MediaType& served : kServedTypes) {
      const bool matches = (clause.type == served.type && clause.subtype == served.subtype) ||
                           (clause.type == served.type && clause.subtype == "*") ||
                           (clause.type == "*" && clause.subtype == "*");
      if (!matches) continue;
      bool ok = true;
      bool pretty = false;
      for (const auto& [key, value] : clause.params) {
        if (key == "as" || key == "g" || key == "v") {
          ok = false;  // a conversion request: this endpoint serves no conversions
        } else if (key == "stream") {
          if (!value.empty() && (!served.streams || value != "watch")) ok = false;
        } else if (key == "pretty") {
          pretty = value == "1";
        }
      }
      if (ok) return {true, pretty};
    }
  }
  return {false, false};
}

// negotiate.go's isPrettyPrint: the query parameter first, then the user agent.
bool IsPrettyPrint(const ServerRequest& request) {
  if (request.query().find("pretty") != std::string_view::npos) {
    const std::optional<std::string> value = request.QueryParam("pretty");
    if (value && !value->empty()) return ParseGoBool(*value).value_or(false);
  }
  const std::string_view agent = request.Header("User-Agent").value_or("");
  return agent.starts_with("curl") || agent.starts_with("Wget") || agent.starts_with("Mozilla/5.0");
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      switch (b) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '<':
        case '>':
        case '&':
          out += "\\u00";
          out.push_back(kHexDigits[b >> 4]);
          out.push_back(kHexDigits[b & 0xF]);
          break;
        default:
          if (b < 0x20) {
            out += "\\u00";
            out.push_back(kHexDigits[b >> 4]);
            out.push_back(kHexDigits[b & 0xF]);
          } else {
            out.push_back(static_cast<char>(b));
          }
      }
      ++i;
      continue;
    }
    const auto [rune, size] = DecodeRune(text, i);
    if (rune < 0) {
      out += "\\ufffd";
    } else if (rune == 0x2028 || rune == 0x2029) {
      // JavaScript line terminators: Go escapes them so the JSON is safe inside a <script>.
      out += "\\u202";
      out.push_back(kHexDigits[rune & 0xF]);
    } else {
      out.append(text.substr(i, size));
    }
    i += size;
  }
  out.push_back('"');
}

bool WantsPrettyJson(const ServerRequest& request) {
  const AcceptOutcome accept = NegotiateAccept(request.Header("Accept"));
  // No acceptable type: kube-apiserver falls back to WriteRawJSON, which always indents.
  if (!accept.acceptable) return true;
  return accept.pretty || IsPrettyPrint(request);
}

std::string StatusJson(const Status& status, bool pretty) {
  JsonWriter json(pretty);
  json.BeginObject();
  json.Key("kind");
  json.String("Status");
  json.Key("apiVersion");
  json.String("v1");
  json.Key("metadata");
  json.BeginObject();
  json.EndObject();
  json.Key("status");
  json.String(status.code >= 200 && status.code < 300 ? "Success" : "Failure");
  json.MemberIfNonEmpty("message", status.message);
  json.MemberIfNonEmpty("reason", status.reason);
  if (status.details) {
    json.Key("details");
    WriteDetails(json, *status.details);
  }
  if (status.code != 0) {
    json.Key("code");
    json.Number(status.code);
  }
  json.EndObject();
  std::string out = json.Take();
  // json.Encoder (compact) ends each value with a newline; MarshalIndent does not.
  if (!pretty) out.push_back('\n');
  return out;
}

ServerResponse StatusResponse(const ServerRequest& request, const Status& status) {
  ServerResponse response;
  response.status = status.code;
  response.AddHeader("Content-Type", "application/json");
  response.AddHeader("Cache-Control", "no-cache, private");
  response.body = StatusJson(status, WantsPrettyJson(request));
  return response;
}

Status UnauthorizedStatus() {
  return {.code = 401, .reason = "Unauthorized", .message = "Unauthorized"};
}

Status NotFoundStatus() {
  return {.code = 404,
          .reason = "NotFound",
          .message = "the server could not find the requested resource",
          .details = StatusDetails{}};
}

Status BadRequestStatus(std::string message) {
  return {.code = 400, .reason = "BadRequest", .message = std::move(message)};
}

Status ForbiddenStatus(std::string message) {
  return {.code = 403,
          .reason = "Forbidden",
          .message = std::move(message),
          .details = StatusDetails{}};
}

Status InternalErrorStatus(std::string error_text) {
  StatusDetails details;
  details.causes.push_back({.message = error_text});
  return {.code = 500,
          .reason = "InternalError",
          .message = "Internal error occurred: " + error_text,
          .details = std::move(details)};
}

Status EntityTooLargeStatus(std::size_t limit) {
  return {.code = 413,
          .reason = "RequestEntityTooLarge",
          .message = "Request entity too large: limit is " + std::to_string(limit)};
}

}  // namespace kauth::http
