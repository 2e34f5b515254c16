// TlsBufferCache: OpenSSL's TLS record buffers (about 17 KiB each), kept per thread between
// records. kauthd sets SSL_MODE_RELEASE_BUFFERS so that idle connections hold none; the price is
// a read and a write buffer allocated and freed per request, which glibc serves from its shared
// bins (its per-thread cache stops at 1 KiB). A few of them per thread, reused by whichever
// connection the thread serves next, take that cost off the request path and keep idle
// connections as cheap as before. Other allocations pass straight to malloc.
#ifndef KAUTH_SERVER_TLS_BUFFER_CACHE_H_
#define KAUTH_SERVER_TLS_BUFFER_CACHE_H_

#include <cstddef>

namespace kauth::server {

// Blocks of these sizes are kept: OpenSSL 3's record buffers (16 KiB of payload plus record
// overhead and alignment).
inline constexpr std::size_t kTlsBufferMinBytes = 16 * 1024;
inline constexpr std::size_t kTlsBufferMaxBytes = 20 * 1024;
// Per thread: a request needs two; a thread serving many connections at once rarely needs more.
inline constexpr int kTlsBuffersPerThread = 8;

// malloc and free with the per-thread cache in front.
void* TlsBufferAllocate(std::size_t size);
void TlsBufferRelease(void* block);
// Blocks the calling thread keeps now.
int TlsBuffersCached();

// Makes OpenSSL allocate through the cache (CRYPTO_set_mem_functions), which OpenSSL allows only
// before its first allocation: call first thing in main. False when OpenSSL refused, or under
// AddressSanitizer, whose leak check would count a finished thread's kept blocks.
bool InstallTlsBufferCache();

}  // namespace kauth::server

#endif  // KAUTH_SERVER_TLS_BUFFER_CACHE_H_
