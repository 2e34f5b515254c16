#include "filters/audit_id.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <random>

namespace kauth::filters {

std::string NewAuditId() {
  std::array<std::uint8_t, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // An audit id needs uniqueness, not secrecy: fall back rather than fail the request.
    thread_local std::mt19937_64 fallback{std::random_device{}()};
    for (std::uint8_t& b : bytes) b = static_cast<std::uint8_t>(fallback());
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id.push_back('-');
    id.push_back(kHex[bytes[i] >> 4]);
    id.push_back(kHex[bytes[i] & 0xF]);
  }
  return id;
}

const std::string& EnsureAuditId(const http::ServerRequest& request, http::RequestState& state) {
  if (state.audit_id.empty()) {
    const std::optional<std::string_view> header = request.Header("Audit-ID");
    state.audit_id = header && !header->empty() ? std::string(*header) : NewAuditId();
  }
  return state.audit_id;
}

}  // namespace kauth::filters
