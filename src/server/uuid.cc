#include "server/uuid.h"

#include <openssl/rand.h>

#include <array>
#include <cstdlib>

namespace kauth::server {

std::string NewUuidV4() {
  std::array<unsigned char, 16> bytes{};
  // OpenSSL's DRBG only fails when the system has no entropy source at all, which makes every
  // TLS handshake fail too; there is nothing sensible left to serve.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) std::abort();
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0f]);
  }
  return out;
}

}  // namespace kauth::server
