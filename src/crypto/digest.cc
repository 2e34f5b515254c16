// SHA-256 through OpenSSL's low-level SHA256_* functions, deprecated in OpenSSL 3 in favour of
// EVP. They run the same assembly (SHA extensions where the CPU has them), but EVP's per-call
// provider machinery (context allocation, parameter lookups) cost more than the hashing itself:
// 7% of a request's instructions went to the token cache's HMAC key. OpenSSL 3 keeps them.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "crypto/digest.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>

namespace kauth {
namespace {

void CheckOk(int rc) {
  if (rc != 1) std::abort();  // only fails on allocation failure or a broken provider
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out{};
  SHA256_CTX ctx;
  CheckOk(SHA256_Init(&ctx));
  CheckOk(SHA256_Update(&ctx, data.data(), data.size()));
  CheckOk(SHA256_Final(out.data(), &ctx));
  OPENSSL_cleanse(&ctx, sizeof(ctx));
  return out;
}

std::string HexLower(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

bool ConstantTimeEquals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct HmacSha256::State {
  SHA256_CTX inner;
  SHA256_CTX outer;
};

static_assert(sizeof(SHA256_CTX) <= sizeof(HmacSha256::Message::Storage));
static_assert(alignof(SHA256_CTX) <= alignof(HmacSha256::Message::Storage));

HmacSha256::HmacSha256(std::span<const std::uint8_t> key) : state_(std::make_unique<State>()) {
  constexpr std::size_t kBlock = 64;
  std::uint8_t block[kBlock] = {};
  if (key.size() > kBlock) {
    const Sha256Digest hashed = Sha256({reinterpret_cast<const char*>(key.data()), key.size()});
    std::memcpy(block, hashed.data(), hashed.size());
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  std::uint8_t pad[kBlock];
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  CheckOk(SHA256_Init(&state_->inner));
  CheckOk(SHA256_Update(&state_->inner, pad, kBlock));
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  CheckOk(SHA256_Init(&state_->outer));
  CheckOk(SHA256_Update(&state_->outer, pad, kBlock));
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
}

HmacSha256 HmacSha256::WithRandomKey() {
  std::uint8_t key[32];
  CheckOk(RAND_bytes(key, sizeof(key)));
  HmacSha256 hmac(key);
  OPENSSL_cleanse(key, sizeof(key));
  return hmac;
}

HmacSha256::~HmacSha256() {
  if (state_) OPENSSL_cleanse(state_.get(), sizeof(State));
}
HmacSha256::HmacSha256(HmacSha256&&) noexcept = default;
HmacSha256& HmacSha256::operator=(HmacSha256&&) noexcept = default;

namespace {
SHA256_CTX* AsCtx(HmacSha256::Message::Storage& storage) {
  return reinterpret_cast<SHA256_CTX*>(&storage);
}
}  // namespace

HmacSha256::Message::Message(const HmacSha256& hmac) : hmac_(hmac) {
  std::memcpy(&ctx_, &hmac_.state_->inner, sizeof(SHA256_CTX));
}

HmacSha256::Message::~Message() { OPENSSL_cleanse(&ctx_, sizeof(ctx_)); }

void HmacSha256::Message::Update(std::string_view data) {
  CheckOk(SHA256_Update(AsCtx(ctx_), data.data(), data.size()));
}

void HmacSha256::Message::UpdateUint32(std::uint32_t value) {
  const std::uint8_t bytes[4] = {
      static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
      static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
  CheckOk(SHA256_Update(AsCtx(ctx_), bytes, sizeof(bytes)));
}

Sha256Digest HmacSha256::Message::Final() {
  Sha256Digest inner{};
  CheckOk(SHA256_Final(inner.data(), AsCtx(ctx_)));
  std::memcpy(&ctx_, &hmac_.state_->outer, sizeof(SHA256_CTX));
  CheckOk(SHA256_Update(AsCtx(ctx_), inner.data(), inner.size()));
  Sha256Digest out{};
  CheckOk(SHA256_Final(out.data(), AsCtx(ctx_)));
  return out;
}

}  // namespace kauth
