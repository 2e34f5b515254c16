// ByteStream: one side of a connection after a protocol switch (HTTP 101: websocket, SPDY), as
// raw bytes. The server hands the client's side to ServerResponse::upgrade; the proxy's upstream
// client hands out the upstream's; Splice joins the two.
//
// One ReadSome and one Write may be outstanding at the same time (the two directions of a
// splice); Close may be called at any time from the connection's strand.
#ifndef KAUTH_HTTP_BYTE_STREAM_H_
#define KAUTH_HTTP_BYTE_STREAM_H_

#include <cstddef>
#include <span>
#include <string_view>

#include "kauth/authenticator.h"
#include "kauth/error.h"

namespace kauth::http {

class ByteStream {
 public:
  virtual ~ByteStream() = default;

  // Reads some bytes into `buffer` (not empty): how many, 0 at the end of the stream. Error
  // when the stream broke or was closed.
  virtual Awaitable<Result<std::size_t>> ReadSome(std::span<char> buffer) = 0;
  // Writes all of `data`. Error when the stream broke or was closed.
  virtual Awaitable<Result<void>> Write(std::string_view data) = 0;
  // Closes the stream at once: a suspended ReadSome or Write fails, and so does every later
  // one. Idempotent.
  virtual void Close() = 0;
};

// Copies bytes in both directions until one side ends or fails, then closes both and returns.
// Tunnels carry their own end-of-session messages (websocket close frames, SPDY GOAWAY), so a
// half-closed tunnel has nothing left to say and is not kept open. No timeout: an idle exec
// session is legitimate.
Awaitable<void> Splice(ByteStream& a, ByteStream& b);

}  // namespace kauth::http

#endif  // KAUTH_HTTP_BYTE_STREAM_H_
