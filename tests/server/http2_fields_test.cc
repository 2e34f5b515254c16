#include "server/http2_fields.h"

#include <gtest/gtest.h>

namespace kauth::server {
namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1136214245));

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
  const Http2ResponseHead head = MakeHttp2ResponseHead(401,
                                                       {{"Content-Type", "application/json"},
                                                        {"Audit-Id", "a\r\nb"},
                                                        {"Warning", "1"},
                                                        {"Warning", "2"}},
                                                       129, kNow);
  EXPECT_FALSE(head.close_requested);
  EXPECT_EQ(head.fields, (HeaderFields{{":status", "401"},
                                       {"content-type", "application/json"},
                                       {"audit-id", "a  b"},
                                       {"warning", "1"},
                                       {"warning", "2"},
                                       {"date", "Mon, 02 Jan 2006 15:04:05 GMT"},
                                       {"content-length", "129"}}));
}

TEST(Http2FieldsTest, ConnectionSpecificAndFramingFieldsAreDropped) {
  const Http2ResponseHead head = MakeHttp2ResponseHead(200,
                                                       {{"Connection", "keep-alive"},
                                                        {"Keep-Alive", "timeout=5"},
                                                        {"Transfer-Encoding", "chunked"},
                                                        {"Upgrade", "websocket"},
                                                        {"Proxy-Connection", "x"},
                                                        {"Content-Length", "99"},
                                                        {"TE", "trailers"},
                                                        {"Bad Name", "x"},
                                                        {"Date", "Tue, 03 Jan 2006 15:04:05 GMT"}},
                                                       std::nullopt, kNow);
  EXPECT_FALSE(head.close_requested);
  EXPECT_EQ(head.fields,
            (HeaderFields{{":status", "200"}, {"date", "Tue, 03 Jan 2006 15:04:05 GMT"}}));
}

TEST(Http2FieldsTest, ConnectionCloseAsksForAGracefulShutdown) {
  EXPECT_TRUE(MakeHttp2ResponseHead(200, {{"Connection", "close"}}, 0, kNow).close_requested);
  EXPECT_TRUE(MakeHttp2ResponseHead(200, {{"connection", "Close"}}, 0, kNow).close_requested);
  EXPECT_FALSE(MakeHttp2ResponseHead(200, {{"Connection", "closed"}}, 0, kNow).close_requested);
}

}  // namespace
}  // namespace kauth::server
