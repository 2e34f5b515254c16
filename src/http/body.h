// BodySource: a message body read piece by piece, so that kauthd never holds a whole body it is
// only passing on (a 1 GiB upload through the proxy costs one buffer). The server gives each
// request one over the connection; the proxy gives a response one over the upstream connection.
//
// Not thread-safe: one coroutine reads a body.
#ifndef KAUTH_HTTP_BODY_H_
#define KAUTH_HTTP_BODY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kauth/authenticator.h"
#include "kauth/error.h"

namespace kauth::http {

class BodySource {
 public:
  virtual ~BodySource() = default;

  // The next piece of the body, never empty while the body goes on; an empty view once it is
  // complete (and on every later call). The view stays valid until the next call or the
  // source's destruction. Error (its message is for logs) when the body was cut or malformed:
  // the peer left, stalled past its I/O timeout, or broke the chunked framing. After an error
  // the source stays failed.
  virtual Awaitable<Result<std::string_view>> Read() = 0;

  // The Content-Length when the sender declared one; nullopt for a chunked or close-delimited
  // body.
  virtual std::optional<std::uint64_t> length() const = 0;
  // The whole body, moved out, when it is already in memory and none of it was read; the source
  // then reads as complete. nullopt otherwise. Lets a writer send a small body with its head,
  // without a coroutine per piece.
  virtual std::optional<std::string> TakeWhole() { return std::nullopt; }
};

// A body already in memory, yielded as one piece.
class StringBody final : public BodySource {
 public:
  explicit StringBody(std::string body) : body_(std::move(body)) {}

  Awaitable<Result<std::string_view>> Read() override;
  std::optional<std::uint64_t> length() const override { return body_.size(); }
  std::optional<std::string> TakeWhole() override;

 private:
  std::string body_;
  bool read_ = false;
};

}  // namespace kauth::http

#endif  // KAUTH_HTTP_BODY_H_
