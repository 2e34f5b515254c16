// HttpsServer under many connections (CTest label "slow").
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server/https_server.h"
#include "server/server_test_support.h"

namespace kauth::server {
namespace {

using namespace std::chrono_literals;
using testing::CommandResult;
using testing::EchoHandler;
using testing::HaveTool;
using testing::RunCommand;
using testing::RunningServer;
using testing::StatusLine;
using testing::TestPki;
using testing::TlsClient;

constexpr int kHeld = 1000;

TEST(HttpsServerSlowTest, ThousandConcurrentTlsConnectionsWhileOtherClientsAreServed) {
  // Each held connection costs this process two descriptors (client and server side).
  if (testing::RaiseOpenFileLimit(4 * kHeld) < 2 * kHeld + 200) {
    GTEST_SKIP() << "the open-file limit is too low for " << kHeld << " connections";
  }
  TestPki pki;
  auto handler = std::make_shared<EchoHandler>();
  std::unique_ptr<RunningServer> server =
      RunningServer::Start(testing::TestServerOptions(pki), handler);
  ASSERT_NE(server, nullptr);

  std::vector<std::unique_ptr<TlsClient>> held;
  held.reserve(kHeld);
  for (int i = 0; i < kHeld; ++i) {
    std::unique_ptr<TlsClient> client = TlsClient::Connect(server->port());
    ASSERT_NE(client, nullptr) << "connection " << i;
    // Half of them stop in the middle of a request head.
    if (i % 2 == 0) {
      ASSERT_TRUE(client->Write("GET /held HTTP/1.1\r\nHost: x\r\n"));
    }
    held.push_back(std::move(client));
  }

  // Other clients are still served.
  for (int i = 0; i < 5; ++i) {
    std::unique_ptr<TlsClient> other = TlsClient::Connect(server->port());
    ASSERT_NE(other, nullptr);
    ASSERT_TRUE(other->Write("GET /other HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(StatusLine(other->ReadResponse()), "HTTP/1.1 200 OK");
  }
  if (HaveTool("curl")) {
    const CommandResult result = RunCommand(
        {"curl", "-sS", "--cacert", pki.server_ca_file, "-o", "/dev/null", "-w", "%{http_code}",
         "https://127.0.0.1:" + std::to_string(server->port()) + "/curl"});
    EXPECT_EQ(result.out, "200") << result.err;
  }

  // Every held connection is still open and finishes its request.
  for (int i = 0; i < kHeld; i += 50) {
    ASSERT_TRUE(held[static_cast<std::size_t>(i)]->Write(i % 2 == 0 ? "\r\n"
                                                                    : "GET /held HTTP/1.1\r\n"
                                                                      "Host: x\r\n\r\n"));
    EXPECT_EQ(StatusLine(held[static_cast<std::size_t>(i)]->ReadResponse()), "HTTP/1.1 200 OK")
        << "connection " << i;
  }
  held.clear();
  EXPECT_LT(server->Stop(), 5s);
}

}  // namespace
}  // namespace kauth::server
