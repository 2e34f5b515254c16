#include "http/server_request.h"

#include <optional>

#include "core/strings.h"

namespace kauth::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.QueryUnescape: %XX escapes and '+' as space; a malformed escape is an error.
std::optional<std::string> QueryUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

void ServerRequest::SetTarget(std::string target) {
  target_ = std::move(target);
  const std::size_t question = target_.find('?');
  set_path(target_.substr(0, question));
}

std::string_view ServerRequest::query() const {
  const std::size_t question = target_.find('?');
  if (question == std::string::npos) return {};
  return std::string_view(target_).substr(question + 1);
}

std::vector<std::string> ServerRequest::QueryParams(std::string_view name) const {
  std::vector<std::string> values;
  for (std::string_view pair : Split(query(), '&')) {
    // Go 1.17+ rejects (and skips) pairs containing ';'.
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    const std::size_t equals = pair.find('=');
    const std::optional<std::string> key = QueryUnescape(pair.substr(0, equals));
    if (!key || *key != name) continue;
    std::optional<std::string> value =
        equals == std::string_view::npos ? std::string() : QueryUnescape(pair.substr(equals + 1));
    if (value) values.push_back(std::move(*value));
  }
  return values;
}

std::optional<std::string> ServerRequest::QueryParam(std::string_view name) const {
  std::vector<std::string> values = QueryParams(name);
  if (values.empty()) return std::nullopt;
  return std::move(values.front());
}

void ServerRequest::set_body(std::string body) {
  owned_body_ = std::make_unique<StringBody>(std::move(body));
  body_source_ = owned_body_.get();
}

Awaitable<BodyReadResult> ServerRequest::ReadBody() {
  BodyReadResult result;
  if (body_source_ == nullptr) co_return result;
  // A declared length over the limit is refused before reading a byte of it.
  if (const std::optional<std::uint64_t> length = body_source_->length();
      length && *length > body_limit_) {
    result.outcome = BodyReadResult::Outcome::kTooLarge;
    co_return result;
  }
  for (;;) {
    Result<std::string_view> piece = co_await body_source_->Read();
    if (!piece) {
      result.outcome = BodyReadResult::Outcome::kBroken;
      result.error = std::move(piece.error().message);
      result.body.clear();
      co_return result;
    }
    if (piece->empty()) co_return result;
    if (piece->size() > body_limit_ - result.body.size()) {
      result.outcome = BodyReadResult::Outcome::kTooLarge;
      result.body.clear();
      co_return result;
    }
    result.body.append(*piece);
  }
}

}  // namespace kauth::http
