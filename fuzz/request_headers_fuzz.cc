// Fuzzes the request authenticators that parse untrusted header bytes: bearer (R3) and the
// WebSocket sub-protocol token (R4). Input: header lines "Name: value" separated by '\n'.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "kauth/basic_request.h"
#include "kauth/bearer.h"
#include "kauth/websocket.h"
#include "request/bearer_parse.h"
#include "request/websocket_protocol.h"

namespace {

// Knows exactly one token, so both the hit and the miss paths run.
class OneTokenAuthenticator final : public kauth::TokenAuthenticator {
 public:
  kauth::Awaitable<kauth::AuthResult> AuthenticateToken(std::string_view token,
                                                        kauth::AuthContext&) const override {
    if (token == "mytoken") co_return kauth::AuthResult::Authenticated({{.name = "alice"}, {}});
    co_return kauth::AuthResult::NotApplicable();
  }
};

kauth::Awaitable<void> RunAll(kauth::BasicRequest& request) {
  static const std::shared_ptr<const kauth::TokenAuthenticator> tokens =
      std::make_shared<OneTokenAuthenticator>();
  static const auto bearer = kauth::NewBearerAuthenticator(tokens);
  static const auto websocket = kauth::NewWebSocketProtocolAuthenticator(tokens);
  kauth::AuthContext ctx;
  kauth::AuthResult a = co_await bearer->Authenticate(request, ctx);
  kauth::AuthResult b = co_await websocket->Authenticate(request, ctx);
  // Every outcome must be internally consistent: reading the wrong field would abort.
  if (a.rejected() && a.error().message().empty()) std::abort();
  if (b.rejected() && b.error().message().empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  kauth::BasicRequest request;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      request.AddHeader(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
    }
    start = end + 1;
  }

  const kauth::BearerCredential credential =
      kauth::ParseBearerAuthorization(request.Header("Authorization"));
  if (credential.kind == kauth::BearerCredential::Kind::kToken && credential.token.empty()) {
    std::abort();
  }
  (void)kauth::DecodeRawBase64Url(input);
  (void)kauth::IsWebSocketRequest(request);
  (void)kauth::ExtractWebSocketToken(request);

  boost::asio::io_context io;
  boost::asio::co_spawn(io, RunAll(request), boost::asio::detached);
  io.run();
  return 0;
}
