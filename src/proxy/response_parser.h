// The upstream's HTTP/1.1 response as parsed off the wire, without sockets: ResponseParser
// (Beast's parser, collecting the head's fields and handing body bytes on) and
// ResponseHeadReader, which reads heads until the final one the way UpstreamClient does before
// it answers a RoundTrip. Apart from the client so that a fuzz target
// (fuzz/upstream_response_fuzz.cc) reaches the exact code every upstream response goes through.
//
// Includes Beast's parser: only upstream_client.cc, this header's .cc, their tests and the fuzz
// target include it.
//
// Not thread-safe: a parser or a reader belongs to one exchange.
#ifndef KAUTH_PROXY_RESPONSE_PARSER_H_
#define KAUTH_PROXY_RESPONSE_PARSER_H_

#include <boost/beast/http/basic_parser.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kauth/error.h"
#include "proxy/header_list.h"

namespace kauth::proxy {

// The largest response head accepted: Go's server-side default (http.DefaultMaxHeaderBytes),
// which is also kauthd's inbound limit. Beast's parser needs the whole head in one buffer.
inline constexpr std::uint32_t kMaxResponseHeadBytes = 1 << 20;

// Go's Transport gives up after this many interim (1xx) responses to one request.
inline constexpr int kMaxInterimResponses = 5;

// A body up to this size that arrived whole with its head is handed over as one string, and its
// connection goes back to the pool at once; a larger one streams.
inline constexpr std::size_t kMaxWholeBodyBytes = 64 * 1024;

// Whether a response's body can be handed over whole: it has one (not a HEAD's, 1xx, 204 or
// 304, whose Content-Length describes another response), it declares a length of at most
// kMaxWholeBodyBytes, and the `received` bytes after the head hold all of it.
bool BodyIsWhole(unsigned status, bool head_request, std::optional<std::uint64_t> content_length,
                 std::size_t received);

// A final response read whole by the fast head parser (http/http1_head.h): a Content-Length
// body of at most kMaxWholeBodyBytes, all of it received with the head.
struct WholeResponse {
  unsigned status = 0;
  HeaderList fields;
  std::string body;
  // The response lets its connection carry the next one.
  bool keep_alive = false;
};

// Beast's own message type keeps field offsets in 16 bits and throws on a value over 64 KiB, so
// the fields go into plain strings; body bytes go to `piece`, which the body's reader empties
// after each read. A chunked body's trailers are dropped: kauthd's server cannot write them.
class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  // `head_request`: the response answers a HEAD request, so it has no body whatever its
  // framing headers say.
  explicit ResponseParser(bool head_request);

  unsigned status = 0;
  HeaderList fields;
  std::string piece;

 private:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb verb, string_view method, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field field, string_view name, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override;
  std::size_t on_body_impl(string_view data, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view data, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  bool header_done_ = false;
};

// Reads response heads from the bytes an upstream sends after a request, skipping interim 1xx
// answers (other than 101) until the final head.
//
// The common final response, a small Content-Length body that came with its head, is read by
// the fast head parser, body and all (whole()); everything else by Beast's parser (TakeParser()).
// Which one reads a response changes nothing a caller sees: fuzz/upstream_response_fuzz.cc
// checks that bytes delivered at once and in pieces give the same response.
class ResponseHeadReader {
 public:
  explicit ResponseHeadReader(bool head_request);

  // Parses what it can of `bytes`: everything received and not yet used (the caller drops the
  // used prefix and appends what it reads next). Returns how many bytes it used, possibly fewer
  // than given (or none) while a head is incomplete; once done() it uses nothing more, leaving
  // the body's bytes to the caller, except for a whole() response, whose body it used too.
  // Errors, after which the reader must not be used again:
  //   net/http: malformed HTTP response: <Beast's reason>
  //   net/http: malformed HTTP status code "<three digits>"   (below 100, e.g. "010")
  //   net/http: too many 1xx informational responses   (more than kMaxInterimResponses)
  Result<std::size_t> Put(std::string_view bytes);

  // The final response's head was parsed: its status is 101 or 200..999.
  bool done() const { return done_; }

  // The final response was read whole, body included: TakeWhole(), not TakeParser().
  bool whole() const { return whole_.has_value(); }
  // Requires whole().
  WholeResponse TakeWhole();

  // The final response's parser, with its status and fields, positioned at its body.
  // Requires done() and !whole().
  std::unique_ptr<ResponseParser> TakeParser();

 private:
  // The fast parser's reading of `bytes`, when they start with a whole response it takes.
  std::optional<std::size_t> PutWhole(std::string_view bytes);

  bool head_request_;
  std::unique_ptr<ResponseParser> parser_;
  // Beast's parser has used none of the current response's bytes: the fast parser may still
  // read it.
  bool parser_fresh_ = true;
  std::optional<WholeResponse> whole_;
  int interim_ = 0;
  bool done_ = false;
};

}  // namespace kauth::proxy

#endif  // KAUTH_PROXY_RESPONSE_PARSER_H_
