// Differential: the fast head parser (http/http1_head.h) against Beast's parser, its reference.
// Input: one flag byte (bit 0: a response; bit 1: a small header limit), then the bytes.
//
// Whenever the fast parser takes a head, Beast must take the same bytes with the same start line,
// the same fields in order (names and trimmed values), the same Content-Length and keep-alive,
// and stop at the same byte. What the fast parser declines is Beast's alone, so anything goes.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http1_head.h"

namespace {

namespace bhttp = boost::beast::http;
using kauth::http::Http1Head;

void Check(bool ok) {
  if (!ok) std::abort();
}

template <bool kRequest>
class ReferenceParser final : public bhttp::basic_parser<kRequest> {
 public:
  std::string method;
  std::string target;
  unsigned status = 0;
  unsigned version = 0;
  std::vector<std::pair<std::string, std::string>> fields;

 private:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(bhttp::verb /*verb*/, string_view m, string_view t, int v,
                       error_code& /*ec*/) override {
    method.assign(m.data(), m.size());
    target.assign(t.data(), t.size());
    version = static_cast<unsigned>(v);
  }
  void on_response_impl(int code, string_view /*reason*/, int v, error_code& /*ec*/) override {
    status = static_cast<unsigned>(code);
    version = static_cast<unsigned>(v);
  }
  void on_field_impl(bhttp::field /*f*/, string_view name, string_view value,
                     error_code& /*ec*/) override {
    fields.emplace_back(std::string(name.data(), name.size()),
                        std::string(value.data(), value.size()));
  }
  void on_header_impl(error_code& /*ec*/) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& /*length*/,
                         error_code& /*ec*/) override {}
  std::size_t on_body_impl(string_view data, error_code& /*ec*/) override { return data.size(); }
  void on_chunk_header_impl(std::uint64_t /*size*/, string_view /*extensions*/,
                            error_code& /*ec*/) override {}
  std::size_t on_chunk_body_impl(std::uint64_t /*remain*/, string_view data,
                                 error_code& /*ec*/) override {
    return data.size();
  }
  void on_finish_impl(error_code& /*ec*/) override {}
};

template <bool kRequest>
void Compare(std::string_view bytes, std::size_t limit) {
  Http1Head head;
  const bool taken = kRequest ? kauth::http::ParseRequestHead(bytes, limit, head)
                              : kauth::http::ParseResponseHead(bytes, limit, head);
  if (!taken) return;
  Check(head.size <= bytes.size() && head.size <= limit);
  Check(head.field_count <= Http1Head::kMaxFields);

  ReferenceParser<kRequest> reference;
  reference.header_limit(static_cast<std::uint32_t>(limit));
  reference.body_limit(boost::none);
  reference.eager(false);
  boost::system::error_code ec;
  const std::size_t used = reference.put(boost::asio::const_buffer(bytes.data(), bytes.size()), ec);
  Check(!ec);
  Check(reference.is_header_done());
  Check(used == head.size);
  Check(reference.version == head.version);
  if (kRequest) {
    Check(reference.method == head.method);
    Check(reference.target == head.target);
  } else {
    Check(reference.status == head.status);
  }
  Check(reference.fields.size() == head.field_count);
  for (std::size_t i = 0; i < head.field_count; ++i) {
    Check(reference.fields[i].first == head.fields[i].name);
    Check(reference.fields[i].second == head.fields[i].value);
  }
  const boost::optional<std::uint64_t> length = reference.content_length();
  Check(length.has_value() == head.content_length.has_value());
  if (length) Check(*length == *head.content_length);
  // A response framed by the connection's end cannot persist, whatever its header says.
  const bool framed_by_eof = !kRequest && !head.content_length && head.status / 100 != 1 &&
                             head.status != 204 && head.status != 304;
  Check(reference.keep_alive() == (head.persistent && !framed_by_eof));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t limit = (flags & 2) != 0 ? 64 : 1 << 20;
  if ((flags & 1) != 0) {
    Compare<false>(bytes, limit);
  } else {
    Compare<true>(bytes, limit);
  }
  return 0;
}
