#include "http/byte_stream.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <string>

namespace kauth::http {
namespace {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// A ByteStream over one end of a socket pair.
class SocketStream final : public ByteStream {
 public:
  explicit SocketStream(Socket socket) : socket_(std::move(socket)) {}

  Awaitable<Result<std::size_t>> ReadSome(std::span<char> buffer) override {
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer.data(), buffer.size()),
                                                    kUseTuple);
    if (ec == asio::error::eof) co_return 0;
    if (ec) co_return Error{ec.message()};
    co_return n;
  }
  Awaitable<Result<void>> Write(std::string_view data) override {
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()),
                                              kUseTuple);
    (void)n;
    if (ec) co_return Error{ec.message()};
    co_return Result<void>();
  }
  void Close() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  Socket socket_;
};

// Reads exactly `n` bytes from `socket`.
Awaitable<std::string> ReadExactly(Socket& socket, std::size_t n) {
  std::string out(n, '\0');
  auto [ec, got] = co_await asio::async_read(socket, asio::buffer(out), kUseTuple);
  out.resize(got);
  co_return out;
}

TEST(SpliceTest, CopiesBothWaysAndClosesBothWhenOneSideEnds) {
  asio::io_context io;
  Socket client_outer(io), client_inner(io), upstream_outer(io), upstream_inner(io);
  asio::local::connect_pair(client_outer, client_inner);
  asio::local::connect_pair(upstream_outer, upstream_inner);
  SocketStream client(std::move(client_inner));
  SocketStream upstream(std::move(upstream_inner));

  bool spliced = false;
  asio::co_spawn(io, Splice(client, upstream), [&](std::exception_ptr) { spliced = true; });

  std::string at_upstream, at_client, after_close;
  asio::co_spawn(
      io,
      [&]() -> Awaitable<void> {
        co_await asio::async_write(client_outer, asio::buffer(std::string("ping")), kUseTuple);
        at_upstream = co_await ReadExactly(upstream_outer, 4);
        co_await asio::async_write(upstream_outer, asio::buffer(std::string("pong!")), kUseTuple);
        at_client = co_await ReadExactly(client_outer, 5);
        // The client leaves: the upstream side must see its end too.
        client_outer.close();
        char byte;
        auto [ec, n] = co_await upstream_outer.async_read_some(asio::buffer(&byte, 1), kUseTuple);
        after_close = ec == asio::error::eof ? "eof" : ec.message();
        (void)n;
      },
      asio::detached);
  io.run();
  EXPECT_EQ(at_upstream, "ping");
  EXPECT_EQ(at_client, "pong!");
  EXPECT_EQ(after_close, "eof");
  EXPECT_TRUE(spliced);
}

}  // namespace
}  // namespace kauth::http
