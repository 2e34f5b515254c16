#include "server/http2_fields.h"

#include <gtest/gtest.h>

#include <chrono>

#include "server/go_http1.h"

namespace kauth::server {
namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1136214245));
// Named: the head views the date it is given.
const std::string kDate = HttpDate(kNow);

HeaderFields Owned(const Http2ResponseHead& head) {
  HeaderFields fields;
  for (const auto& [name, value] : head.fields) fields.emplace_back(name, value);
  return fields;
}

TEST(Http2FieldsTest, ConnectionSpecificFieldsAreRecognisedInAnyCase) {
  for (const char* name :
       {"Connection", "keep-alive", "Proxy-Connection", "TRANSFER-ENCODING", "Upgrade"}) {
    EXPECT_TRUE(IsConnectionSpecificField(name)) << name;
  }
  EXPECT_FALSE(IsConnectionSpecificField("Content-Type"));
  EXPECT_FALSE(IsConnectionSpecificField("te"));
}

TEST(Http2FieldsTest, CookieFieldsAreJoinedWhereTheFirstWas) {
  HeaderFields fields = {
      {"accept", "*/*"}, {"cookie", "a=1"}, {"x", "y"}, {"cookie", "b=2"}, {"Cookie", "c=3"}};
  JoinCookieFields(fields);
  EXPECT_EQ(fields, (HeaderFields{{"accept", "*/*"}, {"cookie", "a=1; b=2; c=3"}, {"x", "y"}}));
}

TEST(Http2FieldsTest, ResponseHeadIsLowerCasedWithDateAndContentLength) {
  // Named: the head views the headers it was made from.
  const HeaderFields headers = {{"Content-Type", "application/json"},
                                {"Audit-Id", "a\r\nb"},
                                {"Warning", "1"},
                                {"Warning", "2"}};
  const Http2ResponseHead head = MakeHttp2ResponseHead(401, headers, 129, kDate);
  EXPECT_FALSE(head.close_requested);
  EXPECT_EQ(Owned(head), (HeaderFields{{":status", "401"},
                                       {"content-type", "application/json"},
                                       {"audit-id", "a  b"},
                                       {"warning", "1"},
                                       {"warning", "2"},
                                       {"date", "Mon, 02 Jan 2006 15:04:05 GMT"},
                                       {"content-length", "129"}}));
}

TEST(Http2FieldsTest, ConnectionSpecificAndFramingFieldsAreDropped) {
  const HeaderFields headers = {{"Connection", "keep-alive"},
                                {"Keep-Alive", "timeout=5"},
                                {"Transfer-Encoding", "chunked"},
                                {"Upgrade", "websocket"},
                                {"Proxy-Connection", "x"},
                                {"Content-Length", "99"},
                                {"TE", "trailers"},
                                {"Bad Name", "x"},
                                {"Date", "Tue, 03 Jan 2006 15:04:05 GMT"}};
  const Http2ResponseHead head = MakeHttp2ResponseHead(200, headers, std::nullopt, kDate);
  EXPECT_FALSE(head.close_requested);
  EXPECT_EQ(Owned(head),
            (HeaderFields{{":status", "200"}, {"date", "Tue, 03 Jan 2006 15:04:05 GMT"}}));
}

TEST(Http2FieldsTest, HeadSurvivesAMoveAndTheHandlersHeadersKeepTheirSpelling) {
  const HeaderFields headers = {{"X-Long-Header-Name-Here", "v\nw"}, {"already-lower", "x"}};
  Http2ResponseHead moved = MakeHttp2ResponseHead(204, headers, std::nullopt, "d");
  const Http2ResponseHead head = std::move(moved);
  EXPECT_EQ(Owned(head), (HeaderFields{{":status", "204"},
                                       {"x-long-header-name-here", "v w"},
                                       {"already-lower", "x"},
                                       {"date", "d"}}));
  EXPECT_EQ(headers[0].first, "X-Long-Header-Name-Here");
  EXPECT_EQ(headers[0].second, "v\nw");
}

TEST(Http2FieldsTest, ConnectionCloseAsksForAGracefulShutdown) {
  EXPECT_TRUE(MakeHttp2ResponseHead(200, {{"Connection", "close"}}, 0, kDate).close_requested);
  EXPECT_TRUE(MakeHttp2ResponseHead(200, {{"connection", "Close"}}, 0, kDate).close_requested);
  EXPECT_FALSE(MakeHttp2ResponseHead(200, {{"Connection", "closed"}}, 0, kDate).close_requested);
}

TEST(Http2FieldsTest, HeadMadeAgainInPlaceForgetsThePreviousOne) {
  const HeaderFields closing = {{"Connection", "close"}, {"X-Long-Header-Name-Here", "a\rb"}};
  Http2ResponseHead head;
  MakeHttp2ResponseHead(500, closing, 3, kDate, head);
  EXPECT_TRUE(head.close_requested);
  EXPECT_EQ(Owned(head), (HeaderFields{{":status", "500"},
                                       {"x-long-header-name-here", "a b"},
                                       {"date", "Mon, 02 Jan 2006 15:04:05 GMT"},
                                       {"content-length", "3"}}));
  // Smaller, then larger than the first: the storage is reused, then grown.
  const HeaderFields small = {{"Content-Type", "text/plain"}};
  MakeHttp2ResponseHead(200, small, std::nullopt, "d", head);
  EXPECT_FALSE(head.close_requested);
  EXPECT_EQ(Owned(head),
            (HeaderFields{{":status", "200"}, {"content-type", "text/plain"}, {"date", "d"}}));
  const HeaderFields large = {{std::string(100, 'N'), std::string(100, '\n')}, {"Date", "x"}};
  MakeHttp2ResponseHead(404, large, 12345, kDate, head);
  EXPECT_EQ(Owned(head), (HeaderFields{{":status", "404"},
                                       {std::string(100, 'n'), std::string(100, ' ')},
                                       {"date", "x"},
                                       {"content-length", "12345"}}));
}

}  // namespace
}  // namespace kauth::server
