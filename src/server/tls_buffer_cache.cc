#include "server/tls_buffer_cache.h"

#include <malloc.h>
#include <openssl/crypto.h>

#include <array>
#include <cstdlib>

namespace kauth::server {
namespace {

class Cache {
 public:
  ~Cache() {
    for (int i = 0; i < count_; ++i) std::free(blocks_[static_cast<std::size_t>(i)].block);
    count_ = 0;
    gone = true;
  }

  void* Take(std::size_t size) {
    for (int i = count_ - 1; i >= 0; --i) {
      Entry& entry = blocks_[static_cast<std::size_t>(i)];
      if (entry.usable < size) continue;
      void* block = entry.block;
      entry = blocks_[static_cast<std::size_t>(--count_)];
      return block;
    }
    return nullptr;
  }

  bool Keep(void* block) {
    if (count_ == kTlsBuffersPerThread) return false;
    const std::size_t usable = malloc_usable_size(block);
    if (usable < kTlsBufferMinBytes || usable > kTlsBufferMaxBytes) return false;
    blocks_[static_cast<std::size_t>(count_++)] = Entry{block, usable};
    return true;
  }

  int count() const { return count_; }

  // Set once this thread's cache is destroyed: OpenSSL may free during its own thread clean-up,
  // after it. Trivially destructible, so it stays readable.
  static thread_local bool gone;

 private:
  struct Entry {
    void* block;
    std::size_t usable;
  };
  std::array<Entry, kTlsBuffersPerThread> blocks_{};
  int count_ = 0;
};

thread_local bool Cache::gone = false;
thread_local Cache cache;

constexpr bool kAddressSanitizer =
#if defined(__SANITIZE_ADDRESS__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

bool Cached(std::size_t size) { return size >= kTlsBufferMinBytes && size <= kTlsBufferMaxBytes; }

void* OpenSslMalloc(std::size_t size, const char* /*file*/, int /*line*/) {
  return TlsBufferAllocate(size);
}
void* OpenSslRealloc(void* block, std::size_t size, const char* /*file*/, int /*line*/) {
  return std::realloc(block, size);
}
void OpenSslFree(void* block, const char* /*file*/, int /*line*/) { TlsBufferRelease(block); }

}  // namespace

void* TlsBufferAllocate(std::size_t size) {
  if (Cached(size) && !Cache::gone) {
    if (void* block = cache.Take(size)) return block;
  }
  return std::malloc(size);
}

void TlsBufferRelease(void* block) {
  if (block == nullptr) return;
  if (!Cache::gone && cache.Keep(block)) return;
  std::free(block);
}

int TlsBuffersCached() { return Cache::gone ? 0 : cache.count(); }

bool InstallTlsBufferCache() {
  if (kAddressSanitizer) return false;
  return CRYPTO_set_mem_functions(OpenSslMalloc, OpenSslRealloc, OpenSslFree) == 1;
}

}  // namespace kauth::server
