// Slow end-to-end test (CTest label "slow"): kauthd holds 1,000 open TLS connections and keeps
// serving other clients.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "e2e/kauthd_fixture.h"

namespace kauth::e2e {
namespace {

using server::testing::RaiseOpenFileLimit;
using server::testing::TlsClient;

constexpr std::size_t kHeld = 1000;

TEST(KauthdE2eSlowTest, ThousandOpenConnectionsWhileOtherClientsAreServed) {
  // Both ends live on this machine: the test's clients and kauthd (which inherits the limit).
  if (RaiseOpenFileLimit(2 * kHeld + 200) < 2 * kHeld + 100) {
    GTEST_SKIP() << "the open-file limit is too low for " << kHeld << " connections";
  }
  TestPki pki;
  Kauthd kauthd(pki);
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  const auto port = static_cast<std::uint16_t>(std::stoi(kauthd.port()));

  std::vector<std::unique_ptr<TlsClient>> held;
  for (std::size_t i = 0; i < kHeld; ++i) {
    auto client = TlsClient::Connect(port);
    ASSERT_NE(client, nullptr) << "connection " << i;
    // Half of them sit idle after a request, half in the middle of one.
    if (i % 2 == 0) {
      ASSERT_TRUE(client->Write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
      ASSERT_EQ(server::testing::StatusLine(client->ReadResponse()), "HTTP/1.1 200 OK") << i;
    } else {
      ASSERT_TRUE(client->Write("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
    }
    held.push_back(std::move(client));
  }
  // Other clients are still served while all of them are open.
  for (int i = 0; i < 20; ++i) {
    const auto got =
        kauthd.Curl({"-H", std::string("Authorization: Bearer ") + kAliceToken}, "/version");
    EXPECT_EQ(got.status, 200) << got.headers;
  }
  held.clear();
  EXPECT_EQ(kauthd.Curl({}, "/healthz").status, 200);
}

}  // namespace
}  // namespace kauth::e2e
