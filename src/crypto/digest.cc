#include "crypto/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>

namespace kauth {
namespace {

const EVP_MD* Sha256Md() {
  // Fetched once: an implicit fetch on every call costs a provider lookup.
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) std::abort();
  return md;
}

EVP_MD_CTX* AsCtx(void* p) { return static_cast<EVP_MD_CTX*>(p); }

void CheckOk(int rc) {
  if (rc != 1) std::abort();  // only fails on allocation failure or a broken provider
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  CheckOk(EVP_Digest(data.data(), data.size(), out.data(), &len, Sha256Md(), nullptr));
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
  EVP_MD_CTX* inner = nullptr;
  EVP_MD_CTX* outer = nullptr;
  ~State() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
  }
};

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
  state_->inner = EVP_MD_CTX_new();
  state_->outer = EVP_MD_CTX_new();
  if (state_->inner == nullptr || state_->outer == nullptr) std::abort();
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  CheckOk(EVP_DigestInit_ex(state_->inner, Sha256Md(), nullptr));
  CheckOk(EVP_DigestUpdate(state_->inner, pad, kBlock));
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  CheckOk(EVP_DigestInit_ex(state_->outer, Sha256Md(), nullptr));
  CheckOk(EVP_DigestUpdate(state_->outer, pad, kBlock));
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

HmacSha256::~HmacSha256() = default;
HmacSha256::HmacSha256(HmacSha256&&) noexcept = default;
HmacSha256& HmacSha256::operator=(HmacSha256&&) noexcept = default;

HmacSha256::Message::Message(const HmacSha256& hmac) : hmac_(hmac), ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) std::abort();
  CheckOk(EVP_MD_CTX_copy_ex(AsCtx(ctx_), hmac_.state_->inner));
}

HmacSha256::Message::~Message() { EVP_MD_CTX_free(AsCtx(ctx_)); }

void HmacSha256::Message::Update(std::string_view data) {
  CheckOk(EVP_DigestUpdate(AsCtx(ctx_), data.data(), data.size()));
}

void HmacSha256::Message::UpdateUint32(std::uint32_t value) {
  const std::uint8_t bytes[4] = {
      static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
      static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
  CheckOk(EVP_DigestUpdate(AsCtx(ctx_), bytes, sizeof(bytes)));
}

Sha256Digest HmacSha256::Message::Final() {
  Sha256Digest inner{};
  unsigned int len = 0;
  CheckOk(EVP_DigestFinal_ex(AsCtx(ctx_), inner.data(), &len));
  CheckOk(EVP_MD_CTX_copy_ex(AsCtx(ctx_), hmac_.state_->outer));
  CheckOk(EVP_DigestUpdate(AsCtx(ctx_), inner.data(), inner.size()));
  Sha256Digest out{};
  CheckOk(EVP_DigestFinal_ex(AsCtx(ctx_), out.data(), &len));
  return out;
}

}  // namespace kauth
