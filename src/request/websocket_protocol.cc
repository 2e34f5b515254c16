#include "request/websocket_protocol.h"

#include <array>
#include <cstdint>

#include "core/strings.h"
#include "kauth/websocket.h"

namespace kauth {
namespace {

constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> MakeDecodeTable() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}

constexpr std::array<std::uint8_t, 256> kDecodeTable = MakeDecodeTable();

}  // namespace

bool IsWebSocketRequest(const Request& request) {
  const std::optional<std::string_view> upgrade = request.Header("Upgrade");
  if (!upgrade || !EqualsIgnoreCase(*upgrade, "websocket")) return false;
  for (std::string_view connection : request.HeaderValues("Connection")) {
    if (AsciiLower(connection).find("upgrade") != std::string::npos) return true;
  }
  return false;
}

std::optional<std::string> DecodeRawBase64Url(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size() * 3 / 4);
  std::uint32_t accumulator = 0;
  int bits = 0;
  for (const char c : encoded) {
    if (c == '\r' || c == '\n') continue;
    const std::uint8_t value = kDecodeTable[static_cast<unsigned char>(c)];
    if (value == kInvalid) return std::nullopt;
    accumulator = (accumulator << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xFF));
    }
  }
  // One leftover character carries only 6 bits: not a whole byte, which Go rejects. Two or three
  // leave 4 or 2 spare bits that the non-strict decoder ignores.
  if (bits == 6) return std::nullopt;
  return out;
}

WebSocketToken ExtractWebSocketToken(const Request& request) {
  WebSocketToken result;
  bool saw_token = false;
  for (std::string_view line : request.HeaderValues("Sec-WebSocket-Protocol")) {
    for (std::string_view entry : Split(line, ',')) {
      const std::string_view protocol = TrimSpace(entry);
      if (!protocol.starts_with(kWebSocketBearerProtocolPrefix)) {
        result.other_protocols.emplace_back(protocol);
        continue;
      }
      if (saw_token) {
        return {.error = "multiple base64.bearer.authorization tokens specified"};
      }
      saw_token = true;
      std::optional<std::string> decoded =
          DecodeRawBase64Url(protocol.substr(kWebSocketBearerProtocolPrefix.size()));
      if (!decoded) return {.error = "invalid base64.bearer.authorization token encoding"};
      if (!IsValidUtf8(*decoded)) return {.error = "invalid base64.bearer.authorization token"};
      result.token = std::move(*decoded);
    }
  }
  return result;
}

}  // namespace kauth
