// Fuzzes what kauthd parses of an upstream's answer (proxy/response_parser.h): the response heads
// up to the final one, then the body as ResponseBody reads it. Input: one flag byte (bit 0: the
// request was HEAD), one seed byte for the read sizes, then the bytes the upstream sends.
//
// Besides the sanitizers it checks that
//   - what is accepted does not depend on how the bytes arrive: delivered at once or in reads
//     of random sizes, the head is complete in both or neither, with the same status, fields,
//     length and keep-alive, and the body is complete in both or neither, with the same bytes.
//     Delivered at once, a small whole response is read by the fast head parser; in pieces,
//     usually by Beast's, which takes the status line as soon as it is complete (a response
//     whose first read holds all of it, e.g. with Content-Length: 0, is the fast parser's both
//     ways; fuzz/http1_head_fuzz.cc compares those with Beast);
//   - a final head has a final status (101 or 200..999), field names are non-empty tokens and no
//     name or value holds CR, LF or NUL (the server writes them into its own response head);
//   - the head alone, cut where the reader stopped, parses to the same head;
//   - a body declared by Content-Length and read to its end has exactly that many bytes, and a
//     body after HEAD, 1xx, 204 or 304 is empty;
//   - the fields passed on to the client (proxy/upstream_parse.h's ResponseHeaders) are exactly
//     the final head's fields, in order, minus the hop-by-hop ones, those its Connection fields
//     name, and Content-Length (an independent reading of RFC 9110 §7.6.1).
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "proxy/response_parser.h"
#include "proxy/upstream_parse.h"

namespace {

using kauth::proxy::ResponseHeadReader;
using kauth::proxy::ResponseParser;

void Check(bool ok) {
  if (!ok) std::abort();
}

struct Outcome {
  bool head_done = false;
  bool keep_alive = false;
  std::optional<std::string> head_error;
  std::size_t head_bytes = 0;
  unsigned status = 0;
  kauth::proxy::HeaderList fields;
  std::optional<std::uint64_t> content_length;
  std::string body;
  bool body_done = false;
  std::optional<std::string> body_error;
};

// The sizes of successive reads: everything at once (seed 0), or 1..64 bytes from a small PRNG.
class Reads {
 public:
  explicit Reads(std::uint8_t seed) : state_(seed) {}
  std::size_t Next(std::size_t left) {
    if (state_ == 0) return left;
    state_ = state_ * 1103515245u + 12345u;
    return std::min<std::size_t>(left, 1 + (state_ >> 16) % 64);
  }

 private:
  std::uint32_t state_;
};

// The reference for ResponseHeaders: each field kept or not on its own.
kauth::proxy::HeaderList PassedOn(const kauth::proxy::HeaderList& fields, unsigned status) {
  const bool switching = status == 101;
  std::vector<std::string> named;  // lower case
  for (const auto& [name, value] : fields) {
    if (kauth::AsciiLower(name) != "connection") continue;
    for (const std::string_view element : kauth::Split(value, ',')) {
      const std::string_view trimmed = kauth::TrimSpace(element);
      if (!trimmed.empty()) named.push_back(kauth::AsciiLower(trimmed));
    }
  }
  kauth::proxy::HeaderList out;
  for (const auto& field : fields) {
    const std::string name = kauth::AsciiLower(field.first);
    if (name == "upgrade") {
      if (switching) out.push_back(field);
      continue;
    }
    if (name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
        name == "te" || name == "trailer" || name == "transfer-encoding" ||
        name == "content-length") {
      continue;
    }
    if (std::find(named.begin(), named.end(), name) != named.end()) continue;
    out.push_back(field);
  }
  return out;
}

bool IsTokenChar(char c) {
  const auto b = static_cast<unsigned char>(c);
  if (b >= '0' && b <= '9') return true;
  if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// As UpstreamClientImpl::Send reads the head and ResponseBody::Read the body, from a buffer the
// reads append to and the parser consumes from the front.
Outcome Run(std::string_view wire, bool head_request, std::uint8_t seed) {
  Outcome out;
  Reads reads(seed);
  std::string pending;
  std::size_t offset = 0;
  auto read = [&] {
    const std::size_t n = reads.Next(wire.size() - offset);
    pending.append(wire.substr(offset, n));
    offset += n;
  };

  ResponseHeadReader reader(head_request);
  for (;;) {
    if (!pending.empty()) {
      const kauth::Result<std::size_t> used = reader.Put(pending);
      if (!used) {
        out.head_error = used.error().message;
        return out;
      }
      Check(*used <= pending.size());
      pending.erase(0, *used);
      out.head_bytes += *used;
      if (reader.done()) break;
    }
    if (offset == wire.size()) return out;  // EOF before the final head
    read();
  }
  out.head_done = true;
  if (reader.whole()) {
    // The fast parser read the response, body and all.
    kauth::proxy::WholeResponse whole = reader.TakeWhole();
    Check(out.head_bytes >= whole.body.size());
    out.head_bytes -= whole.body.size();
    out.status = whole.status;
    out.fields = std::move(whole.fields);
    out.content_length = whole.body.size();
    out.keep_alive = whole.keep_alive;
    out.body = std::move(whole.body);
    out.body_done = true;
    return out;
  }
  const std::unique_ptr<ResponseParser> parser = reader.TakeParser();
  out.status = parser->status;
  out.fields = parser->fields;
  out.keep_alive = parser->keep_alive();
  if (const boost::optional<std::uint64_t> length = parser->content_length()) {
    out.content_length = *length;
  }

  while (!parser->is_done()) {
    if (!pending.empty()) {
      boost::system::error_code ec;
      const std::size_t used = parser->put(boost::asio::buffer(pending), ec);
      Check(used <= pending.size());
      pending.erase(0, used);
      out.body += parser->piece;
      parser->piece.clear();
      if (ec && ec != boost::beast::http::error::need_more) {
        out.body_error = ec.message();
        return out;
      }
      if (!ec && used > 0) continue;
    }
    if (parser->is_done()) break;
    if (offset == wire.size()) {
      boost::system::error_code ec;
      parser->put_eof(ec);
      if (ec) {
        out.body_error = ec.message();
        return out;
      }
      // Without an error the body ended with the connection: the loop in ResponseBody::Read
      // relies on the parser being done then.
      Check(parser->is_done());
      break;
    }
    read();
  }
  out.body_done = true;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const bool head_request = (data[0] & 1) != 0;
  const std::uint8_t seed = data[1];
  const std::string_view wire(reinterpret_cast<const char*>(data) + 2, size - 2);

  const Outcome whole = Run(wire, head_request, 0);
  const Outcome split = Run(wire, head_request, seed | 1);
  // Beast resumes its search for a head's end (or a chunk line's) where the previous read left
  // it, so a stray CR can be a "bad line ending" in one buffer and go unseen in pieces until
  // the connection ends: then one way fails with Beast's reason, the other as cut short. What
  // is accepted must not depend on the reads.
  Check(whole.head_done == split.head_done);
  if (whole.head_done) {
    Check(whole.head_bytes == split.head_bytes && whole.status == split.status &&
          whole.fields == split.fields && whole.content_length == split.content_length &&
          whole.keep_alive == split.keep_alive);
    Check(whole.body_done == split.body_done);
    if (whole.body_done) Check(whole.body == split.body);
  }

  Check(whole.head_bytes <= wire.size());
  if (whole.head_error) {
    Check(whole.head_error->starts_with("net/http: "));
    return 0;
  }
  if (!whole.head_done) return 0;

  Check(whole.status == 101 || (whole.status >= 200 && whole.status <= 999));
  Check(wire.starts_with("HTTP/"));
  for (const auto& [name, value] : whole.fields) {
    Check(!name.empty());
    for (const char c : name) Check(IsTokenChar(c));
    Check(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
  }

  Check(kauth::proxy::ResponseHeaders(whole.fields, whole.status == 101) ==
        PassedOn(whole.fields, whole.status));

  const Outcome head_only = Run(wire.substr(0, whole.head_bytes), head_request, 0);
  Check(head_only.head_done && head_only.head_bytes == whole.head_bytes &&
        head_only.status == whole.status && head_only.fields == whole.fields &&
        head_only.keep_alive == whole.keep_alive);

  if (whole.body_done) {
    const bool no_body =
        head_request || whole.status / 100 == 1 || whole.status == 204 || whole.status == 304;
    if (no_body) Check(whole.body.empty());
    if (whole.content_length && !no_body) Check(whole.body.size() == *whole.content_length);
  }
  return 0;
}
