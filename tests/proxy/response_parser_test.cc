#include "proxy/response_parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

namespace kauth::proxy {
namespace {

TEST(ResponseHeadReaderTest, ReadsHeadInPiecesAndLeavesBodyToCaller) {
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello";
  const std::size_t head = wire.find("hello");
  ResponseHeadReader reader(/*head_request=*/false);
  // All but the head's last byte: Beast may take some of it, never all.
  const Result<std::size_t> partial = reader.Put(std::string_view(wire).substr(0, head - 1));
  ASSERT_TRUE(partial.has_value()) << partial.error().message;
  EXPECT_LT(*partial, head - 1);
  EXPECT_FALSE(reader.done());

  const Result<std::size_t> used = reader.Put(std::string_view(wire).substr(*partial));
  ASSERT_TRUE(used.has_value()) << used.error().message;
  EXPECT_EQ(*partial + *used, head);
  ASSERT_TRUE(reader.done());
  const std::unique_ptr<ResponseParser> parser = reader.TakeParser();
  EXPECT_EQ(parser->status, 200u);
  EXPECT_EQ(parser->fields, (HeaderList{{"Content-Length", "5"}, {"X-A", "b"}}));
  ASSERT_TRUE(parser->content_length().has_value());
  EXPECT_EQ(*parser->content_length(), 5u);
  EXPECT_TRUE(parser->piece.empty());
}

// Interim answers are skipped in one call when they arrive together with the final head; a 101
// is final.
TEST(ResponseHeadReaderTest, SkipsInterimResponses) {
  const std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nframes";
  ResponseHeadReader reader(/*head_request=*/false);
  const Result<std::size_t> used = reader.Put(wire);
  ASSERT_TRUE(used.has_value()) << used.error().message;
  EXPECT_EQ(*used, wire.find("frames"));
  ASSERT_TRUE(reader.done());
  const std::unique_ptr<ResponseParser> parser = reader.TakeParser();
  EXPECT_EQ(parser->status, 101u);
  EXPECT_EQ(parser->fields, (HeaderList{{"Upgrade", "websocket"}}));
}

TEST(ResponseHeadReaderTest, RefusesMoreThanFiveInterimResponses) {
  std::string wire;
  for (int i = 0; i <= kMaxInterimResponses; ++i) wire += "HTTP/1.1 100 Continue\r\n\r\n";
  wire += "HTTP/1.1 204 No Content\r\n\r\n";
  ResponseHeadReader reader(/*head_request=*/false);
  const Result<std::size_t> used = reader.Put(wire);
  ASSERT_FALSE(used.has_value());
  EXPECT_EQ(used.error().message, "net/http: too many 1xx informational responses");
}

TEST(ResponseHeadReaderTest, ReportsMalformedHeadInBeastsWords) {
  ResponseHeadReader reader(/*head_request=*/false);
  const Result<std::size_t> used = reader.Put("HTTP/1.1 2x0 OK\r\n\r\n");
  ASSERT_FALSE(used.has_value());
  EXPECT_EQ(used.error().message, "net/http: malformed HTTP response: bad status");
}

// Beast reads any three digits as the status; one below 100 would reach kauthd's client as its
// status. Found by fuzz/upstream_response_fuzz.
TEST(ResponseHeadReaderTest, RefusesStatusBelow100) {
  for (const char* wire : {"HTTP/1.1 010 Continue\r\n\r\n", "HTTP/1.1 000 OK\r\n\r\n"}) {
    ResponseHeadReader reader(/*head_request=*/false);
    const Result<std::size_t> used = reader.Put(wire);
    ASSERT_FALSE(used.has_value()) << wire;
    EXPECT_EQ(used.error().message, "net/http: malformed HTTP status code \"" +
                                        std::string(std::string_view(wire).substr(9, 3)) + "\"")
        << wire;
  }
}

}  // namespace
}  // namespace kauth::proxy
