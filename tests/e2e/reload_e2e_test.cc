// Issue 6's acceptance test: the real kauthd under steady load (four keep-alive clients in a
// loop, reconnecting now and then) while every credential file changes under it: the token file
// (rename into place, a revocation, a broken file), the client CA (a second CA added, then the
// first removed, a broken file) and the serving certificate (rotated to a new one from the same
// CA). Requests from credentials valid before and after each change never fail; revoked
// credentials are refused within a second; broken files leave the last good state serving and
// show in /readyz?verbose and /metrics; new handshakes present the rotated certificate.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "e2e/kauthd_fixture.h"

namespace kauth::e2e {
namespace {

using kauth::testing::CaSpec;
using kauth::testing::ClientSpec;
using kauth::testing::Issue;
using kauth::testing::IssuedCert;
using kauth::testing::SelfSign;
using kauth::testing::ServerSpec;
using server::testing::ClientOptions;
using server::testing::HaveTool;
using server::testing::ResponseBody;
using server::testing::StatusLine;
using server::testing::TlsClient;

using Clock = std::chrono::steady_clock;

constexpr char kBobToken[] = "bob-e2e-token-to-be-revoked";
constexpr char kReviewPath[] = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

// Writes a temporary file and renames it over `path`: an atomic replacement.
void RenameIntoPlace(const std::string& path, const std::string& contents) {
  const std::string temporary = path + ".tmp";
  std::ofstream(temporary, std::ios::binary | std::ios::trunc) << contents;
  std::filesystem::rename(temporary, path);
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string UsernameIn(const std::string& body) {
  std::smatch match;
  if (std::regex_search(body, match, std::regex(R"re("username":\s*"([^"]*)")re"))) {
    return match[1];
  }
  return "";
}

// Who a SelfSubjectReview on `client` says the caller is: the user name for a 201, else
// "<status line>" (e.g. "HTTP/1.1 401 Unauthorized"), or "" when the connection failed.
std::string WhoAmI(TlsClient& client, const std::string& extra_headers = "") {
  const std::string request = std::string("POST ") + kReviewPath +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n" +
                              extra_headers + "\r\n";
  if (!client.Write(request, std::chrono::seconds(5))) return "";
  const std::string response = client.ReadResponse(std::chrono::seconds(5));
  if (response.empty()) return "";
  const std::string status = StatusLine(response);
  if (status != "HTTP/1.1 201 Created") return status;
  return UsernameIn(ResponseBody(response));
}

std::string Authorization(const std::string& token) { return "Authorization: Bearer " + token; }
// The header line for a raw request.
std::string BearerHeader(const std::string& token) { return Authorization(token) + "\r\n"; }

// One client in a loop: a keep-alive connection that reconnects (a new handshake) every
// `reconnect_every` requests; every answer must name `user`.
class LoadClient {
 public:
  LoadClient(std::uint16_t port, std::string user, ClientOptions options, std::string headers,
             int reconnect_every)
      : port_(port),
        user_(std::move(user)),
        options_(std::move(options)),
        headers_(std::move(headers)),
        reconnect_every_(reconnect_every) {
    thread_ = std::thread([this] { Run(); });
  }
  ~LoadClient() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int requests() const { return requests_; }
  int failures() const { return failures_; }
  std::string first_failure() const {
    std::lock_guard lock(mu_);
    return first_failure_;
  }

 private:
  void Run() {
    std::unique_ptr<TlsClient> client;
    int on_connection = 0;
    while (!stop_) {
      if (client == nullptr || on_connection == reconnect_every_) {
        client = TlsClient::Connect(port_, options_, std::chrono::seconds(5));
        on_connection = 0;
        if (client == nullptr) {
          Fail("handshake failed");
          continue;
        }
      }
      const std::string who = WhoAmI(*client, headers_);
      ++requests_;
      ++on_connection;
      if (who != user_) {
        Fail(who.empty() ? "connection failed" : who);
        client.reset();
      }
    }
  }
  void Fail(const std::string& what) {
    ++failures_;
    std::lock_guard lock(mu_);
    if (first_failure_.empty()) first_failure_ = user_ + ": " + what;
    // Do not spin on a dead server.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  const std::uint16_t port_;
  const std::string user_;
  const ClientOptions options_;
  const std::string headers_;
  const int reconnect_every_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> failures_{0};
  mutable std::mutex mu_;
  std::string first_failure_;
  std::thread thread_;
};

// How long since `since` until `who_am_i` no longer authenticates as `user`.
std::chrono::milliseconds TimeUntilRefused(const std::function<std::string()>& who_am_i,
                                           const std::string& user, Clock::time_point since) {
  WaitFor([&] { return who_am_i() != user; }, std::chrono::seconds(5));
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
}

std::vector<std::string> ClientCaNames(const TlsClient& client) {
  std::vector<std::string> names;
  const STACK_OF(X509_NAME)* list = SSL_get_client_CA_list(client.ssl());
  for (int i = 0; list != nullptr && i < sk_X509_NAME_num(list); ++i) {
    char buffer[256] = {};
    X509_NAME_get_text_by_NID(sk_X509_NAME_value(list, i), NID_commonName, buffer, sizeof(buffer));
    names.emplace_back(buffer);
  }
  return names;
}

class ReloadE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("curl")) GTEST_SKIP() << "curl is not installed";
  }

  // GET `path` with alice's token (allowed to read /metrics below).
  std::string Get(const Kauthd& kauthd, const std::string& path) const {
    return kauthd.Curl({"-H", Authorization(kAliceToken)}, path).body;
  }

  TestPki pki_;
};

TEST_F(ReloadE2eTest, EveryCredentialChangesUnderLoadWithoutAFailedRequest) {
  const std::string tokens = pki_.dir.path().string() + "/tokens.csv";
  const std::string alice_line = std::string(kAliceToken) + ",alice,1001,\"dev,ops\"\n";
  Kauthd kauthd(pki_, {"--metrics-allowed-users=alice"});
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  const auto port = static_cast<std::uint16_t>(std::stoi(kauthd.port()));

  // A second client CA and its client, and the serving certificate to rotate to.
  const IssuedCert ca_b = SelfSign(CaSpec("kauth-test-client-ca-b"));
  const IssuedCert kim = Issue(ClientSpec("kim", {"dev"}), ca_b);
  const IssuedCert rotated =
      Issue(ServerSpec("kauthd-rotated", {"localhost"}, {"127.0.0.1", "::1"}), pki_.server_ca);

  const auto token_client = [&](const std::string& token) {
    return [&, token] {
      auto client = TlsClient::Connect(port);
      return client ? WhoAmI(*client, BearerHeader(token)) : std::string();
    };
  };
  const auto cert_client = [&](const IssuedCert& cert) {
    return [&] {
      auto client = TlsClient::Connect(port, ClientOptions{.certificate = &cert});
      return client ? WhoAmI(*client) : std::string();
    };
  };

  std::vector<std::unique_ptr<LoadClient>> load;
  load.push_back(std::make_unique<LoadClient>(port, "alice", ClientOptions{},
                                              BearerHeader(kAliceToken), 1000000));
  load.push_back(
      std::make_unique<LoadClient>(port, "alice", ClientOptions{}, BearerHeader(kAliceToken), 10));
  auto jane_load =
      std::make_unique<LoadClient>(port, "jane", ClientOptions{.certificate = &pki_.jane}, "", 10);

  // Token file: add bob (rename into place), then revoke him.
  RenameIntoPlace(tokens, alice_line + kBobToken + ",bob,1002\n");
  ASSERT_TRUE(WaitFor([&] { return token_client(kBobToken)() == "bob"; }, std::chrono::seconds(2)));
  auto bob_connection = TlsClient::Connect(port);
  ASSERT_NE(bob_connection, nullptr);
  ASSERT_EQ(WhoAmI(*bob_connection, BearerHeader(kBobToken)), "bob");
  Clock::time_point changed = Clock::now();
  RenameIntoPlace(tokens, alice_line);
  // Also on the connection bob already holds: the token is checked per request.
  const auto bob_refused = TimeUntilRefused(
      [&] { return WhoAmI(*bob_connection, BearerHeader(kBobToken)); }, "bob", changed);
  EXPECT_LT(bob_refused, std::chrono::seconds(1));
  RecordProperty("revoked_token_refused_after_ms", static_cast<int>(bob_refused.count()));
  EXPECT_EQ(token_client(kBobToken)(), "HTTP/1.1 401 Unauthorized");

  // A broken token file: the last good set keeps serving; readiness and metrics show it.
  RenameIntoPlace(tokens, alice_line + "only-two,columns\n");
  ASSERT_TRUE(WaitFor(
      [&] {
        return Get(kauthd, "/readyz?verbose").find("[-]token-auth-file failed") !=
               std::string::npos;
      },
      std::chrono::seconds(2)))
      << Get(kauthd, "/readyz?verbose");
  EXPECT_EQ(token_client(kAliceToken)(), "alice");
  const std::string metrics = Get(kauthd, "/metrics");
  EXPECT_NE(metrics.find("kauth_token_file_reloads_total{result=\"failure\"} 1"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("kauth_token_file_reloads_total{result=\"success\"} 2"), std::string::npos)
      << metrics;
  EXPECT_EQ(kauthd.Curl({}, "/readyz/token-auth-file").status, 500);
  RenameIntoPlace(tokens, alice_line);
  ASSERT_TRUE(
      WaitFor([&] { return kauthd.Curl({}, "/readyz").status == 200; }, std::chrono::seconds(2)));

  // Client CA: add a second CA; kim (signed by it) gets in and joins the load; the handshake
  // advertises both CAs.
  RenameIntoPlace(pki_.client_ca_file, pki_.client_ca.CertPem() + ca_b.CertPem());
  ASSERT_TRUE(WaitFor([&] { return cert_client(kim)() == "kim"; }, std::chrono::seconds(2)));
  {
    auto probe = TlsClient::Connect(port);
    ASSERT_NE(probe, nullptr);
    EXPECT_EQ(ClientCaNames(*probe),
              (std::vector<std::string>{"kauth-test-client-ca", "kauth-test-client-ca-b"}));
  }
  auto kim_load =
      std::make_unique<LoadClient>(port, "kim", ClientOptions{.certificate = &kim}, "", 10);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  // ... then remove the first CA: jane (valid only before) is refused within a second, also on
  // a connection whose handshake happened before the change.
  jane_load->Stop();
  auto jane_connection = TlsClient::Connect(port, ClientOptions{.certificate = &pki_.jane});
  ASSERT_NE(jane_connection, nullptr);
  ASSERT_EQ(WhoAmI(*jane_connection), "jane");
  changed = Clock::now();
  RenameIntoPlace(pki_.client_ca_file, ca_b.CertPem());
  const auto jane_refused =
      TimeUntilRefused([&] { return WhoAmI(*jane_connection); }, "jane", changed);
  EXPECT_LT(jane_refused, std::chrono::seconds(1));
  RecordProperty("removed_ca_refused_after_ms", static_cast<int>(jane_refused.count()));
  EXPECT_EQ(cert_client(pki_.jane)(), "HTTP/1.1 401 Unauthorized");
  {
    auto probe = TlsClient::Connect(port);
    ASSERT_NE(probe, nullptr);
    EXPECT_EQ(ClientCaNames(*probe), std::vector<std::string>{"kauth-test-client-ca-b"});
  }

  // A broken CA file keeps the bundle in force and shows the same way.
  RenameIntoPlace(pki_.client_ca_file, "not a certificate\n");
  ASSERT_TRUE(WaitFor(
      [&] {
        return Get(kauthd, "/readyz?verbose").find("[-]client-ca-file failed") != std::string::npos;
      },
      std::chrono::seconds(2)));
  EXPECT_EQ(cert_client(kim)(), "kim");
  EXPECT_NE(Get(kauthd, "/metrics")
                .find("kauth_client_ca_reloads_total{bundle=\"client-ca-bundle\",result="
                      "\"failure\"} 1"),
            std::string::npos);
  RenameIntoPlace(pki_.client_ca_file, ca_b.CertPem());
  ASSERT_TRUE(
      WaitFor([&] { return kauthd.Curl({}, "/readyz").status == 200; }, std::chrono::seconds(2)));

  // Serving certificate: the key, then the certificate (each renamed into place); new
  // handshakes present the new certificate, which curl verifies against the same CA.
  auto old_connection = TlsClient::Connect(port);
  ASSERT_NE(old_connection, nullptr);
  EXPECT_EQ(old_connection->PeerCommonName(), "kauthd");
  RenameIntoPlace(pki_.server_key_file, rotated.KeyPem());
  RenameIntoPlace(pki_.server_cert_file, rotated.CertPem());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto probe = TlsClient::Connect(port);
        return probe != nullptr && probe->PeerCommonName() == "kauthd-rotated";
      },
      std::chrono::seconds(2)));
  const CurlResult verified =
      kauthd.Curl({"-X", "POST", "-H", Authorization(kAliceToken)}, kReviewPath);
  EXPECT_EQ(verified.status, 201) << verified.headers;
  // The connection opened before the rotation keeps its certificate and keeps serving.
  EXPECT_EQ(WhoAmI(*old_connection, BearerHeader(kAliceToken)), "alice");
  EXPECT_EQ(old_connection->PeerCommonName(), "kauthd");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  for (auto* client : {load[0].get(), load[1].get(), jane_load.get(), kim_load.get()}) {
    client->Stop();
    EXPECT_EQ(client->failures(), 0) << client->first_failure();
    EXPECT_GT(client->requests(), 10);
  }
  const std::string final_metrics = Get(kauthd, "/metrics");
  EXPECT_NE(final_metrics.find("kauth_serving_certificate_reloads_total{result=\"success\"}"),
            std::string::npos);
  // A, A+B, B; going back to B after the broken file is no swap (the bytes in force).
  EXPECT_NE(final_metrics.find(
                "kauth_client_ca_reloads_total{bundle=\"client-ca-bundle\",result=\"success\"} 2"),
            std::string::npos)
      << final_metrics;
  EXPECT_EQ(kauthd.process().Stop(SIGTERM, std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace kauth::e2e
