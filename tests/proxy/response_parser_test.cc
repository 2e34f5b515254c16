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

  // The rest of the head and part of the body: not a whole response.
  const Result<std::size_t> used =
      reader.Put(std::string_view(wire).substr(*partial, head + 2 - *partial));
  ASSERT_TRUE(used.has_value()) << used.error().message;
  EXPECT_EQ(*partial + *used, head);
  ASSERT_TRUE(reader.done());
  ASSERT_FALSE(reader.whole());
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

// The common answer, a small body that came with its head, is read whole: body included,
// bytes after it left to the caller.
TEST(ResponseHeadReaderTest, ReadsASmallResponseWholeWithItsBody) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhelloHTTP/1.1";
  ResponseHeadReader reader(/*head_request=*/false);
  const Result<std::size_t> used = reader.Put(wire);
  ASSERT_TRUE(used.has_value()) << used.error().message;
  EXPECT_EQ(*used, wire.find("HTTP/1.1", 1));
  ASSERT_TRUE(reader.done());
  ASSERT_TRUE(reader.whole());
  const WholeResponse whole = reader.TakeWhole();
  EXPECT_EQ(whole.status, 200u);
  EXPECT_EQ(whole.fields, (HeaderList{{"Content-Length", "5"}, {"Connection", "keep-alive"}}));
  EXPECT_EQ(whole.body, "hello");
  EXPECT_TRUE(whole.keep_alive);
}

TEST(ResponseHeadReaderTest, ReadsTheFinalResponseWholeAfterInterimOnes) {
  const std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n"
      "Connection: close\r\n\r\nok";
  ResponseHeadReader reader(/*head_request=*/false);
  const Result<std::size_t> used = reader.Put(wire);
  ASSERT_TRUE(used.has_value()) << used.error().message;
  EXPECT_EQ(*used, wire.size());
  ASSERT_TRUE(reader.whole());
  const WholeResponse whole = reader.TakeWhole();
  EXPECT_EQ(whole.status, 201u);
  EXPECT_EQ(whole.body, "ok");
  EXPECT_FALSE(whole.keep_alive);
}

TEST(ResponseHeadReaderTest, BodiesUpTo64KiBAreReadWhole) {
  for (const std::size_t size : {kMaxWholeBodyBytes, kMaxWholeBodyBytes + 1}) {
    const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(size) +
                             "\r\n\r\n" + std::string(size, 'x');
    ResponseHeadReader reader(/*head_request=*/false);
    const Result<std::size_t> used = reader.Put(wire);
    ASSERT_TRUE(used.has_value()) << used.error().message;
    ASSERT_TRUE(reader.done());
    EXPECT_EQ(reader.whole(), size == kMaxWholeBodyBytes) << size;
    EXPECT_EQ(*used, reader.whole() ? wire.size() : wire.size() - size) << size;
  }
}

// Whatever their Content-Length says, these have no body here, or not all of it yet, or a
// framing only Beast reads: Beast's parser takes them and the body stays with the caller.
TEST(ResponseHeadReaderTest, LeavesOtherResponsesToBeast) {
  struct Case {
    const char* wire;
    bool head_request;
  };
  const Case cases[] = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true},
      {"HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n", false},
      {"HTTP/1.1 304 Not Modified\r\nContent-Length: 2\r\n\r\n", false},
      {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok", false},
      {"HTTP/1.1 200 OK\r\n\r\nuntil the end", false},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false},
      {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", false},
  };
  for (const Case& c : cases) {
    ResponseHeadReader reader(c.head_request);
    const std::string_view wire = c.wire;
    const Result<std::size_t> used = reader.Put(wire);
    ASSERT_TRUE(used.has_value()) << wire;
    ASSERT_TRUE(reader.done()) << wire;
    EXPECT_FALSE(reader.whole()) << wire;
    EXPECT_EQ(*used, wire.find("\r\n\r\n") + 4) << wire;
  }
}

// A head Beast has begun to read stays Beast's, even once the rest arrives with the body.
TEST(ResponseHeadReaderTest, AHeadBeastBeganIsNotReadWhole) {
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\nok";
  ResponseHeadReader reader(/*head_request=*/false);
  const Result<std::size_t> partial = reader.Put(std::string_view(wire).substr(0, 20));
  ASSERT_TRUE(partial.has_value());
  ASSERT_GT(*partial, 0u);  // the status line
  const Result<std::size_t> used = reader.Put(std::string_view(wire).substr(*partial));
  ASSERT_TRUE(used.has_value());
  ASSERT_TRUE(reader.done());
  EXPECT_FALSE(reader.whole());
  EXPECT_EQ(*partial + *used, wire.size() - 2);
  EXPECT_EQ(reader.TakeParser()->fields, (HeaderList{{"Content-Length", "2"}, {"X-A", "b"}}));
}

}  // namespace
}  // namespace kauth::proxy
