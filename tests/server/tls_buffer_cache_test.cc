// Own main: OpenSSL takes an allocator only before its first allocation.
#include "server/tls_buffer_cache.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <array>
#include <string_view>
#include <vector>

#include "testing/cert_factory.h"

namespace kauth::server {
namespace {

bool installed = false;

TEST(TlsBufferCacheTest, RecordSizedBlocksAreReusedOnTheirThread) {
  void* block = TlsBufferAllocate(17 * 1024);
  const int before = TlsBuffersCached();
  TlsBufferRelease(block);
  EXPECT_EQ(TlsBuffersCached(), before + 1);
  // A smaller record-sized request is served by the kept block.
  EXPECT_EQ(TlsBufferAllocate(16 * 1024 + 300), block);
  EXPECT_EQ(TlsBuffersCached(), before);
  TlsBufferRelease(block);
}

TEST(TlsBufferCacheTest, OtherSizesGoStraightToMalloc) {
  const int before = TlsBuffersCached();
  TlsBufferRelease(TlsBufferAllocate(100));
  TlsBufferRelease(TlsBufferAllocate(64 * 1024));
  EXPECT_EQ(TlsBuffersCached(), before);
  TlsBufferRelease(nullptr);
}

TEST(TlsBufferCacheTest, KeepsAtMostItsCapacityPerThread) {
  std::vector<void*> blocks;
  for (int i = 0; i < kTlsBuffersPerThread + 3; ++i) blocks.push_back(TlsBufferAllocate(17000));
  for (void* block : blocks) TlsBufferRelease(block);
  EXPECT_EQ(TlsBuffersCached(), kTlsBuffersPerThread);
}

// Drives one TLS 1.3 connection through memory BIOs until both ends are idle.
void Pump(SSL* client, SSL* server) {
  for (int round = 0; round < 20; ++round) {
    SSL_do_handshake(client);
    SSL_do_handshake(server);
  }
}

// OpenSSL's own record buffers (SSL_MODE_RELEASE_BUFFERS frees them after each record, as kauthd
// runs) come back to the cache.
TEST(TlsBufferCacheTest, OpenSslRecordBuffersComeBackToTheCache) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "not installed under AddressSanitizer";
#endif
  ASSERT_TRUE(installed) << "CRYPTO_set_mem_functions refused: OpenSSL allocated before main";
  const testing::IssuedCert cert = testing::SelfSign(testing::ServerSpec("kauth", {"kauth"}, {}));
  SSL_CTX* server_ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_EQ(SSL_CTX_use_certificate(server_ctx, cert.get()), 1);
  ASSERT_EQ(SSL_CTX_use_PrivateKey(server_ctx, cert.key.get()), 1);
  SSL_CTX_set_mode(server_ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_mode(client_ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL* server = SSL_new(server_ctx);
  SSL* client = SSL_new(client_ctx);
  BIO* client_end = nullptr;
  BIO* server_end = nullptr;
  ASSERT_EQ(BIO_new_bio_pair(&client_end, 0, &server_end, 0), 1);
  SSL_set_bio(client, client_end, client_end);
  SSL_set_bio(server, server_end, server_end);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  Pump(client, server);
  ASSERT_EQ(SSL_is_init_finished(client), 1);
  ASSERT_EQ(SSL_is_init_finished(server), 1);

  // Drop what the warm-up left, then count what one request and its answer leave behind.
  std::vector<void*> drained;
  while (TlsBuffersCached() > 0) drained.push_back(TlsBufferAllocate(kTlsBufferMinBytes));
  constexpr std::string_view kRequest = "GET /version HTTP/1.1\r\n\r\n";
  std::array<char, 256> received{};
  ASSERT_EQ(SSL_write(client, kRequest.data(), static_cast<int>(kRequest.size())),
            static_cast<int>(kRequest.size()));
  ASSERT_GT(SSL_read(server, received.data(), static_cast<int>(received.size())), 0);
  ASSERT_GT(SSL_write(server, "ok", 2), 0);
  ASSERT_GT(SSL_read(client, received.data(), static_cast<int>(received.size())), 0);
  // Four record buffers were allocated and released in turn (each side's write, then read); one
  // kept block served them all.
  EXPECT_EQ(TlsBuffersCached(), 1);

  for (void* block : drained) TlsBufferRelease(block);
  SSL_free(client);
  SSL_free(server);
  SSL_CTX_free(client_ctx);
  SSL_CTX_free(server_ctx);
}

}  // namespace
}  // namespace kauth::server

int main(int argc, char** argv) {
  kauth::server::installed = kauth::server::InstallTlsBufferCache();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
