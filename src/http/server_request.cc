#include "http/server_request.h"

#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "core/strings.h"

namespace kauth::http {
namespace {

// Enough for the lines and bytes of a typical client's head, so that most requests allocate
// once for each.
constexpr std::size_t kTypicalHeaderLines = 16;
constexpr std::size_t kFirstBlockBytes = 1024;
// What a connection keeps between requests: enough for typical heads, bounded so that one large
// head does not stay with an idle connection.
constexpr std::size_t kKeptHeaderLines = 64;
constexpr std::size_t kKeptBlockBytes = 8 * 1024;

// EqualsIgnoreCase for header names, inlined: every lookup compares against every line, and
// most lines differ in length or in their first bytes. Bytes that differ must be the same ASCII
// letter in two cases.
inline bool SameHeaderName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const int x = a[i];
    const int y = b[i];
    if (x == y) continue;
    const int lower = x | 0x20;
    if (lower != (y | 0x20) || lower < 'a' || lower > 'z') return false;
  }
  return true;
}

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

ServerRequest::ServerRequest(HeaderStorage storage)
    : headers_(std::move(storage.lines)), first_block_(std::move(storage.block)) {
  headers_.clear();
  if (first_block_) {
    first_block_bytes_ = block_bytes_ = free_bytes_ = storage.block_bytes;
    free_ = first_block_.get();
  }
}

ServerRequest::~ServerRequest() { ReleaseCertificates(); }

ServerRequest::HeaderStorage ServerRequest::ReleaseHeaderStorage() {
  HeaderStorage storage;
  if (headers_.capacity() <= kKeptHeaderLines) {
    storage.lines = std::move(headers_);
    storage.lines.clear();
  }
  headers_ = {};
  if (first_block_ && first_block_bytes_ <= kKeptBlockBytes) {
    storage.block = std::move(first_block_);
    storage.block_bytes = first_block_bytes_;
  }
  first_block_.reset();
  more_blocks_.clear();
  free_ = nullptr;
  free_bytes_ = first_block_bytes_ = block_bytes_ = 0;
  return storage;
}

void ServerRequest::ReleaseCertificates() {
  for (X509* cert : certificates_) X509_free(cert);
  certificates_.clear();
}

void ServerRequest::SetPeerCertificates(std::span<X509* const> chain) {
  ReleaseCertificates();
  for (X509* cert : chain) {
    X509_up_ref(cert);
    certificates_.push_back(cert);
  }
  tls_ = true;
}

void ServerRequest::NewBlock(std::size_t size) {
  std::unique_ptr<char[]> block = std::make_unique_for_overwrite<char[]>(size);
  free_ = block.get();
  free_bytes_ = size;
  block_bytes_ = size;
  if (!first_block_) {
    first_block_ = std::move(block);
    first_block_bytes_ = size;
  } else {
    more_blocks_.push_back(std::move(block));
  }
}

std::string_view ServerRequest::AddHeader(std::string_view name, std::string_view value) {
  if (headers_.capacity() == 0) headers_.reserve(kTypicalHeaderLines);
  // Name and value side by side: one check for room, and the line's bytes stay together.
  const std::size_t size = name.size() + value.size();
  if (size > free_bytes_) NewBlock(std::max({size, 2 * block_bytes_, kFirstBlockBytes}));
  char* const at = free_;
  if (size != 0) {
    // memcpy with a null source (an empty view's data) is undefined even for zero bytes.
    if (!name.empty()) std::memcpy(at, name.data(), name.size());
    if (!value.empty()) std::memcpy(at + name.size(), value.data(), value.size());
    free_ += size;
    free_bytes_ -= size;
  }
  headers_.push_back(HeaderLine{.name = std::string_view(at, name.size()),
                                .value = std::string_view(at + name.size(), value.size())});
  return headers_.back().value;
}

std::optional<std::string_view> ServerRequest::Header(std::string_view name) const {
  for (const HeaderLine& line : headers_) {
    if (SameHeaderName(line.name, name)) return line.value;
  }
  return std::nullopt;
}

std::vector<std::string_view> ServerRequest::HeaderValues(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const HeaderLine& line : headers_) {
    if (SameHeaderName(line.name, name)) values.push_back(line.value);
  }
  return values;
}

void ServerRequest::ForEachHeader(
    const std::function<void(std::string_view, std::string_view)>& visit) const {
  for (const HeaderLine& line : headers_) visit(line.name, line.value);
}

void ServerRequest::RemoveHeader(std::string_view name) {
  std::erase_if(headers_, [&](const HeaderLine& line) { return SameHeaderName(line.name, name); });
}

void ServerRequest::RemoveHeadersIf(const std::function<bool(std::string_view name)>& doomed) {
  std::erase_if(headers_, [&](const HeaderLine& line) { return doomed(line.name); });
}

void ServerRequest::SetHeader(std::string_view name, std::string_view value) {
  // `name` or `value` may view one of this request's lines: removing a line leaves its bytes
  // where they are.
  RemoveHeader(name);
  AddHeader(name, value);
}

std::string_view ServerRequest::path() const {
  if (path_) return *path_;
  return std::string_view(target_).substr(0, path_length_);
}

void ServerRequest::set_path(std::string path) { path_ = std::move(path); }

void ServerRequest::SetTarget(std::string target) {
  target_ = std::move(target);
  path_length_ = std::min(target_.find('?'), target_.size());
  path_.reset();
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
