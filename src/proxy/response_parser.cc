#include "proxy/response_parser.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cassert>
#include <string>
#include <utility>

#include "http/http1_head.h"

namespace kauth::proxy {

namespace bhttp = boost::beast::http;

ResponseParser::ResponseParser(bool head_request) {
  header_limit(kMaxResponseHeadBytes);
  // Bodies stream through; their size is the client's business.
  body_limit(boost::none);
  skip(head_request);
  // Room for a typical response's fields without regrowing.
  fields.reserve(12);
}

void ResponseParser::on_request_impl(bhttp::verb /*verb*/, string_view /*method*/,
                                     string_view /*target*/, int /*version*/, error_code& /*ec*/) {}

void ResponseParser::on_response_impl(int code, string_view /*reason*/, int /*version*/,
                                      error_code& /*ec*/) {
  status = static_cast<unsigned>(code);
}

void ResponseParser::on_field_impl(bhttp::field /*field*/, string_view name, string_view value,
                                   error_code& /*ec*/) {
  // Beast reports a chunked body's trailers through this callback too.
  if (header_done_) return;
  fields.emplace_back(std::string(name.data(), name.size()),
                      std::string(value.data(), value.size()));
}

void ResponseParser::on_header_impl(error_code& /*ec*/) { header_done_ = true; }

void ResponseParser::on_body_init_impl(const boost::optional<std::uint64_t>& /*length*/,
                                       error_code& /*ec*/) {}

std::size_t ResponseParser::on_body_impl(string_view data, error_code& /*ec*/) {
  piece.append(data.data(), data.size());
  return data.size();
}

void ResponseParser::on_chunk_header_impl(std::uint64_t /*size*/, string_view /*extensions*/,
                                          error_code& /*ec*/) {}

std::size_t ResponseParser::on_chunk_body_impl(std::uint64_t /*remain*/, string_view data,
                                               error_code& /*ec*/) {
  piece.append(data.data(), data.size());
  return data.size();
}

void ResponseParser::on_finish_impl(error_code& /*ec*/) {}

ResponseHeadReader::ResponseHeadReader(bool head_request)
    : head_request_(head_request), parser_(std::make_unique<ResponseParser>(head_request)) {}

bool BodyIsWhole(unsigned status, bool head_request, std::optional<std::uint64_t> content_length,
                 std::size_t received) {
  return !head_request && status >= 200 && status != 204 && status != 304 && content_length &&
         *content_length <= kMaxWholeBodyBytes && *content_length <= received;
}

std::optional<std::size_t> ResponseHeadReader::PutWhole(std::string_view bytes) {
  // A HEAD's answer has no body: Beast's (which is told so).
  if (head_request_) return std::nullopt;
  http::Http1Head head;
  if (!http::ParseResponseHead(bytes, kMaxResponseHeadBytes, head)) return std::nullopt;
  // Interim, bodiless by status, framed otherwise, large, or not all here: Beast's.
  const unsigned status = head.status;
  if (!BodyIsWhole(status, head_request_, head.content_length, bytes.size() - head.size)) {
    return std::nullopt;
  }
  const auto length = static_cast<std::size_t>(*head.content_length);
  WholeResponse& whole = whole_.emplace();
  whole.status = status;
  whole.keep_alive = head.persistent;
  whole.fields.reserve(head.field_count);
  for (const http::Http1Field& field : head.Fields()) {
    whole.fields.emplace_back(std::string(field.name), std::string(field.value));
  }
  whole.body.assign(bytes.data() + head.size, length);
  done_ = true;
  return head.size + length;
}

Result<std::size_t> ResponseHeadReader::Put(std::string_view bytes) {
  std::size_t used = 0;
  while (!done_ && used < bytes.size()) {
    const std::string_view rest = bytes.substr(used);
    if (parser_fresh_) {
      if (const std::optional<std::size_t> whole = PutWhole(rest)) return used + *whole;
    }
    boost::system::error_code ec;
    const std::size_t parsed =
        parser_->put(boost::asio::const_buffer(rest.data(), rest.size()), ec);
    used += parsed;
    if (parsed > 0) parser_fresh_ = false;
    if (ec == bhttp::error::need_more) break;
    if (ec) return Error{"net/http: malformed HTTP response: " + ec.message()};
    // Beast stops after a complete head (the parser is not eager), so the body's bytes stay
    // with the caller.
    if (!parser_->is_header_done()) break;
    const unsigned status = parser_->status;
    if (status < 100) {
      // Beast takes any three digits. Go's client would too, and its server then refuses to
      // write such a status; kauthd must not pass one on to its client either.
      std::string code = std::to_string(status);
      code.insert(0, 3 - code.size(), '0');
      return Error{"net/http: malformed HTTP status code \"" + code + "\""};
    }
    if (status >= 200 || status == 101) {
      done_ = true;
      break;
    }
    // 100 Continue and other interim answers: the final response follows.
    if (++interim_ > kMaxInterimResponses) {
      return Error{"net/http: too many 1xx informational responses"};
    }
    parser_ = std::make_unique<ResponseParser>(head_request_);
    parser_fresh_ = true;
  }
  return used;
}

WholeResponse ResponseHeadReader::TakeWhole() {
  assert(whole_);
  return std::move(*whole_);
}

std::unique_ptr<ResponseParser> ResponseHeadReader::TakeParser() {
  assert(done_ && !whole_);
  return std::move(parser_);
}

}  // namespace kauth::proxy
