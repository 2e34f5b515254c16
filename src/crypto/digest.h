// SHA-256, keyed HMAC-SHA-256 and constant-time comparison, on OpenSSL 3.
#ifndef KAUTH_CRYPTO_DIGEST_H_
#define KAUTH_CRYPTO_DIGEST_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace kauth {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);

// Lower-case hex of `bytes`.
std::string HexLower(std::span<const std::uint8_t> bytes);

// True when the two byte ranges are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// HMAC-SHA-256 under a fixed key. The key's padded inner and outer states are computed once, so
// a digest costs two SHA-256 passes over the message and no allocation. Thread-safe.
class HmacSha256 {
 public:
  explicit HmacSha256(std::span<const std::uint8_t> key);
  // A fresh random 32-byte key (OpenSSL's RAND_bytes).
  static HmacSha256 WithRandomKey();
  ~HmacSha256();
  HmacSha256(HmacSha256&&) noexcept;
  HmacSha256& operator=(HmacSha256&&) noexcept;

  // Starts a message; feed it with Update and finish with Final.
  class Message {
   public:
    // Room for OpenSSL's SHA256_CTX, kept inline so that a message allocates nothing.
    struct alignas(8) Storage {
      unsigned char bytes[112];
    };
    ~Message();
    Message(const Message&) = delete;
    Message& operator=(const Message&) = delete;
    void Update(std::string_view data);
    void UpdateUint32(std::uint32_t value);  // 4-byte big-endian
    Sha256Digest Final();

   private:
    friend class HmacSha256;
    Message(const HmacSha256& hmac);
    const HmacSha256& hmac_;
    Storage ctx_;
  };
  Message Begin() const { return Message(*this); }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A 64-bit hash of a digest, for hash tables keyed by digests.
struct DigestHash {
  std::size_t operator()(const Sha256Digest& digest) const noexcept {
    std::size_t out;
    std::memcpy(&out, digest.data(), sizeof(out));
    return out;
  }
};

}  // namespace kauth

#endif  // KAUTH_CRYPTO_DIGEST_H_
