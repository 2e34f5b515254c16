// HttpsServer under many connections and HTTP/2 load and floods (CTest label "slow").
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/h2_test_client.h"
#include "server/https_server.h"
#include "server/server_test_support.h"

namespace kauth::server {
namespace {

using namespace std::chrono_literals;
using testing::CommandResult;
using testing::EchoHandler;
using testing::H2TestClient;
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

// h2load: many streams per connection, every one answered.
TEST(HttpsServerSlowTest, H2loadWithFiftyStreamsPerConnectionRunsClean) {
  if (!HaveTool("h2load")) GTEST_SKIP() << "h2load is not installed";
  TestPki pki;
  auto handler = std::make_shared<EchoHandler>();
  std::unique_ptr<RunningServer> server =
      RunningServer::Start(testing::TestServerOptions(pki), handler);
  ASSERT_NE(server, nullptr);
  const std::string url = "https://127.0.0.1:" + std::to_string(server->port());
  const std::string body_file = (pki.dir.path() / "h2load-body").string();
  {
    std::ofstream out(body_file, std::ios::binary);
    out << std::string(40 * 1024, 'p');
  }
  struct Case {
    std::vector<std::string> argv;
    const char* name;
  };
  const std::vector<Case> cases = {
      {{"h2load", "-n", "2000", "-c", "4", "-m", "50", url + "/echo"}, "GET"},
      {{"h2load", "-n", "400", "-c", "2", "-m", "50", "-d", body_file, url + "/post"}, "POST"},
      {{"h2load", "-n", "200", "-c", "2", "-m", "20", url + "/stream?pieces=4&size=1000&delay=5"},
       "streamed"},
  };
  for (const Case& c : cases) {
    const CommandResult result = RunCommand(c.argv, {}, 120s);
    ASSERT_EQ(result.exit_code, 0) << c.name << result.out << result.err;
    const std::string& n = c.argv[2];
    EXPECT_NE(result.out.find("requests: " + n + " total, " + n + " started, " + n + " done, " + n +
                              " succeeded, 0 failed, 0 errored, 0 timeout"),
              std::string::npos)
        << c.name << "\n"
        << result.out;
    EXPECT_NE(result.out.find("status codes: " + n + " 2xx"), std::string::npos) << c.name << "\n"
                                                                                 << result.out;
    EXPECT_NE(result.out.find("Application protocol: h2"), std::string::npos) << result.out;
  }
  EXPECT_LT(server->Stop(), 5s);
}

// Another client keeps being served on its own connection while `flood` runs.
void ExpectOtherClientsServedDuring(std::uint16_t port, const std::function<void()>& flood) {
  std::atomic<bool> done{false};
  std::atomic<int> served{0};
  std::atomic<int> failed{0};
  std::thread other([&] {
    while (!done) {
      std::unique_ptr<H2TestClient> client = H2TestClient::Connect(port);
      if (client == nullptr) {
        ++failed;
        continue;
      }
      const std::int32_t id = client->Submit("GET", "/other");
      if (client->Await(id, 5s) && client->response(id).status == 200) {
        ++served;
      } else {
        ++failed;
      }
    }
  });
  flood();
  // At least one more answer after the flood ended.
  const int before = served.load();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (served.load() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  done = true;
  other.join();
  EXPECT_GT(served.load(), before);
  EXPECT_EQ(failed.load(), 0);
}

// CVE-2023-44487 with kube-apiserver's defaults: streams opened and reset at once, as fast as the
// client can, get GOAWAY(ENHANCE_YOUR_CALM) and a closed connection; nobody else notices.
TEST(HttpsServerSlowTest, RapidResetFloodIsCutWhileOtherClientsAreServed) {
  TestPki pki;
  auto handler = std::make_shared<EchoHandler>();
  std::unique_ptr<RunningServer> server =
      RunningServer::Start(testing::TestServerOptions(pki), handler);
  ASSERT_NE(server, nullptr);
  ExpectOtherClientsServedDuring(server->port(), [&] {
    std::unique_ptr<H2TestClient> flood = H2TestClient::Connect(server->port());
    ASSERT_NE(flood, nullptr);
    int sent = 0;
    for (; sent < 20000 && !flood->closed() && !flood->goaway_error(); ++sent) {
      const std::int32_t id = flood->Submit("GET", "/slow?ms=20");
      if (id < 0 || !flood->Flush()) break;
      flood->Reset(id);
      if (!flood->Flush()) break;
      // Read what the server sent now and then, to see its GOAWAY.
      if (sent % 100 == 0) flood->RunUntil([] { return false; }, 20ms);
    }
    ASSERT_TRUE(flood->RunUntil([&] { return flood->closed(); }, 10s));
    EXPECT_EQ(flood->goaway_error(), 11u) << "after " << sent << " resets";  // ENHANCE_YOUR_CALM
    EXPECT_LT(sent, 20000);
  });
  EXPECT_LT(server->Stop(), 5s);
}

// R7.2/R7.3: every anonymous HTTP/2 request closes its connection. A client that opens many
// streams at once gets its first answers, GOAWAY and a closed connection, and the server serves
// everyone else meanwhile.
TEST(HttpsServerSlowTest, FloodOfClosingStreamsEndsEachConnectionWhileOthersAreServed) {
  TestPki pki;
  auto handler = std::make_shared<EchoHandler>();
  std::unique_ptr<RunningServer> server =
      RunningServer::Start(testing::TestServerOptions(pki), handler);
  ASSERT_NE(server, nullptr);
  ExpectOtherClientsServedDuring(server->port(), [&] {
    for (int round = 0; round < 50; ++round) {
      std::unique_ptr<H2TestClient> flood = H2TestClient::Connect(server->port());
      ASSERT_NE(flood, nullptr);
      std::vector<std::int32_t> ids;
      for (int i = 0; i < 200; ++i) ids.push_back(flood->Submit("GET", "/close"));
      ASSERT_TRUE(flood->RunUntil([&] { return flood->closed(); }, 10s)) << "round " << round;
      EXPECT_EQ(flood->goaway_error(), 0u);
      EXPECT_EQ(flood->response(ids[0]).status, 200);
      // Streams after the GOAWAY's last stream were never served.
      EXPECT_EQ(flood->response(ids.back()).status, 0);
    }
  });
  EXPECT_LT(server->Stop(), 5s);
}

}  // namespace
}  // namespace kauth::server
