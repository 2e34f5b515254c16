#include "http/byte_stream.h"

#include <array>
#include <boost/asio/experimental/awaitable_operators.hpp>

namespace kauth::http {
namespace {

// One TLS record's worth: a websocket frame or SPDY data frame usually fits in one read.
constexpr std::size_t kCopyBufferBytes = 16 * 1024;

// Copies until `from` ends or either side fails, then closes both, which also ends the copy in
// the other direction.
Awaitable<void> Copy(ByteStream& from, ByteStream& to) {
  std::array<char, kCopyBufferBytes> buffer;
  for (;;) {
    Result<std::size_t> n = co_await from.ReadSome(buffer);
    if (!n || *n == 0) break;
    if (!co_await to.Write(std::string_view(buffer.data(), *n))) break;
  }
  from.Close();
  to.Close();
}

}  // namespace

Awaitable<void> Splice(ByteStream& a, ByteStream& b) {
  using namespace boost::asio::experimental::awaitable_operators;
  co_await (Copy(a, b) && Copy(b, a));
}

}  // namespace kauth::http
