// End-to-end tests: the real kauthd binary driven by real clients (curl, openssl, kubectl, the
// Python kubernetes client) over TLS on 127.0.0.1. Each check cites the spec rule it covers.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "e2e/kauthd_fixture.h"

namespace kauth::e2e {
namespace {

using namespace std::chrono_literals;
using server::testing::HaveTool;
using server::testing::PlainExchange;
using server::testing::RunCommand;
using server::testing::TestPki;

constexpr char kPythonKubernetes[] = "/usr/bin/python3";

const char kUnauthorizedPretty[] =
    "{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {},\n"
    "  \"status\": \"Failure\",\n  \"message\": \"Unauthorized\",\n  \"reason\": "
    "\"Unauthorized\",\n  \"code\": 401\n}";
const char kUnauthorizedCompact[] =
    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
    "\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}\n";

class KauthdE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("curl")) GTEST_SKIP() << "curl is not installed";
  }
  TestPki pki_;
};

std::string UsernameIn(const std::string& body) {
  std::smatch match;
  if (std::regex_search(body, match, std::regex(R"re("username":\s*"([^"]*)")re"))) {
    return match[1];
  }
  return "";
}

// R3, R5, R6.3, R6.4, R7.3, R14.2 with curl: who each client is, and the exact 401 bodies.
TEST_F(KauthdE2eTest, R6_4_R7_3_CurlCredentialsTable) {
  Kauthd kauthd(pki_);
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  const std::string review = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
  const std::string ws_token =
      "base64url.bearer.authorization.k8s.io.YWxpY2UtZTJlLXRva2VuLTAxMjM0NTY3ODk";
  struct Case {
    const char* name;
    std::vector<std::string> args;
    int status;
    std::string username;  // for 201
    std::string body;      // exact, for 401
  };
  const std::vector<Case> cases = {
      {"R3.3 token",
       {"-X", "POST", "-H", std::string("Authorization: Bearer ") + kAliceToken},
       201,
       "alice",
       ""},
      {"R5.6 client certificate",
       {"-X", "POST", "--cert", pki_.jane_cert_file, "--key", pki_.jane_key_file},
       201,
       "jane",
       ""},
      {"R5.3 certificate through an intermediate",
       {"-X", "POST", "--cert", pki_.ivan_chain_file, "--key", pki_.ivan_key_file},
       201,
       "ivan",
       ""},
      {"R4.3 websocket sub-protocol token",
       {"-X", "POST", "-H", "Upgrade: websocket", "-H", "Connection: Upgrade", "-H",
        "Sec-WebSocket-Protocol: " + ws_token + ", v4.channel.k8s.io"},
       201,
       "alice",
       ""},
      {"R6.3 no credential is anonymous", {"-X", "POST"}, 201, "system:anonymous", ""},
      {"R3.2 two spaces are anonymous",
       {"-X", "POST", "-H", "Authorization: Bearer  x"},
       201,
       "system:anonymous",
       ""},
      {"R3.3 bad token is 401 (pretty for curl)",
       {"-X", "POST", "-H", "Authorization: Bearer wrong"},
       401,
       "",
       kUnauthorizedPretty},
      {"R7.3 compact for other user agents",
       {"-X", "POST", "-A", "e2e/1.0", "-H", "Authorization: Bearer wrong"},
       401,
       "",
       kUnauthorizedCompact},
      {"R5.5 untrusted certificate completes the handshake and gets 401",
       {"-X", "POST", "--cert", pki_.mallory_cert_file, "--key", pki_.mallory_key_file},
       401,
       "",
       kUnauthorizedPretty},
  };
  // Both protocols curl speaks to kauthd. Over HTTP/2 there is no Upgrade (RFC 9113 §8.2.2), so
  // the websocket authenticator does not apply (R4.1) and the caller is anonymous, as with
  // kube-apiserver.
  for (const std::string protocol : {"--http1.1", "--http2"}) {
    for (const auto& c : cases) {
      std::vector<std::string> args = c.args;
      args.push_back(protocol);
      const bool websocket = std::string_view(c.name).starts_with("R4.3");
      const std::string want_user =
          websocket && protocol == "--http2" ? "system:anonymous" : c.username;
      const auto got = kauthd.Curl(args, review);
      EXPECT_EQ(got.status, c.status) << c.name << protocol << "\n" << got.headers << got.body;
      if (c.status == 201) {
        EXPECT_EQ(UsernameIn(got.body), want_user) << c.name << protocol << "\n" << got.body;
      }
      if (c.status == 401) {
        const std::string headers = AsciiLower(got.headers);
        EXPECT_EQ(got.body, c.body) << c.name << protocol;
        EXPECT_EQ(headers.find("www-authenticate"), std::string::npos) << c.name << protocol;
        EXPECT_NE(headers.find("audit-id: "), std::string::npos) << c.name << protocol;
      }
    }
  }
}

// R14.2: kube-apiserver reads a SelfSubjectReview's body before it answers. Over HTTP/2 an
// answer sent before the body's end is followed by RST_STREAM(NO_ERROR) (RFC 9113 section 8.1),
// which curl 7.88 reports as error 92. curl sends the body in a frame of its own, so most of
// these failed while kauthd answered without reading it.
TEST_F(KauthdE2eTest, R14_2_ReviewWithABodyOverHttp2) {
  Kauthd kauthd(pki_);
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  for (int i = 0; i < 10; ++i) {
    const auto got = kauthd.Curl(
        {"--http2", "-X", "POST", "-H", std::string("Authorization: Bearer ") + kAliceToken, "-H",
         "Content-Type: application/json", "-d",
         R"({"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1"})"},
        "/apis/authentication.k8s.io/v1/selfsubjectreviews");
    EXPECT_EQ(got.status, 201) << i << "\n" << got.headers << got.body;
    EXPECT_EQ(UsernameIn(got.body), "alice") << got.body;
  }
}

// R3.2: the extra-space warning reaches the client as a Warning header (R7.7 format).
TEST_F(KauthdE2eTest, R3_2_R7_7_ExtraSpaceWarningHeader) {
  Kauthd kauthd(pki_);
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  const auto got = kauthd.Curl({"-H", "Authorization: Bearer  x"}, "/version");
  EXPECT_EQ(got.status, 200);
  EXPECT_NE(AsciiLower(got.headers)
                .find("warning: 299 - \"the provided authorization header contains extra "
                      "space before the bearer token, and is ignored\""),
            std::string::npos)
      << got.headers;
}

// R6.4 step 1 / --anonymous-auth=false: no credential is a 401.
TEST_F(KauthdE2eTest, R6_4_AnonymousOffRejectsNoCredential) {
  Kauthd kauthd(pki_, {"--anonymous-auth=false"});
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  EXPECT_EQ(kauthd.Curl({}, "/version").status, 401);
  EXPECT_EQ(
      kauthd.Curl({"-H", std::string("Authorization: Bearer ") + kAliceToken}, "/version").status,
      200);
  if (!HaveTool("kubectl")) GTEST_SKIP() << "kubectl is not installed";
  // kubectl with no credential kauthd knows (basic auth is not a bearer token, R3.1).
  const std::string kubeconfig =
      kauthd.Kubeconfig("anonymous-off", "    username: nobody\n    password: nothing\n");
  const auto run = RunCommand({"kubectl", "--kubeconfig", kubeconfig, "auth", "whoami"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("Unauthorized"), std::string::npos) << run.err;
}

// R6.3 / R12.3: --authentication-config's anonymous section limits anonymous access to the listed
// paths; anything else without a credential is a 401.
TEST_F(KauthdE2eTest, R6_3_AuthenticationConfigAnonymousConditions) {
  const std::string config = pki_.dir.path().string() + "/authn.yaml";
  WriteFile(config,
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n"
            "anonymous:\n  enabled: true\n  conditions:\n  - path: /healthz\n");
  Kauthd kauthd(pki_, {"--authentication-config=" + config});
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  EXPECT_EQ(kauthd.Curl({}, "/healthz").status, 200);
  EXPECT_EQ(kauthd.Curl({}, "/version").status, 401);
  EXPECT_EQ(
      kauthd.Curl({"-H", std::string("Authorization: Bearer ") + kAliceToken}, "/version").status,
      200);

  // R12.3: the flag and the section together stop start-up with Kubernetes' text.
  const auto run =
      RunCommand({KAUTHD_PATH, "--anonymous-auth=true", "--authentication-config=" + config});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("anonymous: Forbidden: --anonymous-auth flag cannot be set when anonymous "
                         "field is configured in authentication configuration file"),
            std::string::npos)
      << run.err;
}

// R9 through the binary: an authenticating proxy's certificate lets it name the user in headers
// (R9.5's example); the same headers from a direct client are ignored (R7.2 strips them).
TEST_F(KauthdE2eTest, R9_5_RequestHeaderProxy) {
  const kauth::testing::IssuedCert proxy_ca =
      kauth::testing::SelfSign(kauth::testing::CaSpec("front-proxy-ca"));
  const kauth::testing::IssuedCert proxy =
      kauth::testing::Issue(kauth::testing::ClientSpec("front-proxy"), proxy_ca);
  const std::string dir = pki_.dir.path().string();
  WriteFile(dir + "/proxy-ca.crt", proxy_ca.CertPem());
  WriteFile(dir + "/proxy.crt", proxy.CertPem());
  WriteFile(dir + "/proxy.key", proxy.KeyPem());
  Kauthd kauthd(pki_, {"--requestheader-client-ca-file=" + dir + "/proxy-ca.crt",
                       "--requestheader-allowed-names=front-proxy",
                       "--requestheader-username-headers=X-Remote-User",
                       "--requestheader-uid-headers=X-Remote-Uid",
                       "--requestheader-group-headers=X-Remote-Group",
                       "--requestheader-extra-headers-prefix=X-Remote-Extra-"});
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  const std::string review = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
  const std::vector<std::string> headers = {"-X", "POST",
                                            "-A", "e2e",
                                            "-H", "X-Remote-User: fido",
                                            "-H", "X-Remote-Group: dogs",
                                            "-H", "X-Remote-Group: dachshunds",
                                            "-H", "X-Remote-Extra-Acme.com%2Fproject: some-project",
                                            "-H", "X-Remote-Extra-Scopes: openid",
                                            "-H", "X-Remote-Extra-Scopes: profile"};

  std::vector<std::string> from_proxy = headers;
  from_proxy.insert(from_proxy.end(), {"--cert", dir + "/proxy.crt", "--key", dir + "/proxy.key"});
  const auto proxied = kauthd.Curl(from_proxy, review);
  EXPECT_EQ(proxied.status, 201) << proxied.headers << proxied.body;
  EXPECT_NE(proxied.body.find("\"userInfo\":{\"username\":\"fido\",\"groups\":[\"dogs\","
                              "\"dachshunds\",\"system:authenticated\"],\"extra\":{"
                              "\"acme.com/project\":[\"some-project\"],\"scopes\":[\"openid\","
                              "\"profile\"]}}"),
            std::string::npos)
      << proxied.body;

  std::vector<std::string> direct_client = headers;
  direct_client.insert(direct_client.end(),
                       {"--cert", pki_.jane_cert_file, "--key", pki_.jane_key_file});
  EXPECT_EQ(UsernameIn(kauthd.Curl(direct_client, review).body), "jane");
  EXPECT_EQ(UsernameIn(kauthd.Curl(headers, review).body), "system:anonymous");
}

// R5.1: the handshake advertises the client CA and requests, not requires, a certificate.
TEST_F(KauthdE2eTest, R5_1_OpensslSeesAcceptableClientCaNames) {
  if (!HaveTool("openssl")) GTEST_SKIP() << "openssl is not installed";
  Kauthd kauthd(pki_);
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  const auto run = RunCommand({"openssl", "s_client", "-connect", "127.0.0.1:" + kauthd.port(),
                               "-CAfile", pki_.server_ca_file},
                              "Q\n");
  EXPECT_NE(run.out.find("Acceptable client certificate CA names"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Verify return code: 0 (ok)"), std::string::npos) << run.out;
}

// R14.3: kubectl auth whoami with a token kubeconfig, a client-certificate kubeconfig, and none.
TEST_F(KauthdE2eTest, R14_3_KubectlAuthWhoami) {
  if (!HaveTool("kubectl")) GTEST_SKIP() << "kubectl is not installed";
  Kauthd kauthd(pki_);
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  struct Case {
    const char* name;
    std::string user_fields;
    std::string username;
  };
  const Case cases[] = {
      {"token", std::string("    token: ") + kAliceToken + "\n", "alice"},
      {"client certificate",
       "    client-certificate: " + pki_.jane_cert_file +
           "\n    client-key: " + pki_.jane_key_file + "\n",
       "jane"},
      // kubectl prompts for a user name when a kubeconfig has no credentials at all; basic auth is
      // no credential kube-apiserver knows (R3.1: not a bearer), so it is served anonymously.
      {"anonymous", "    username: nobody\n    password: nothing\n", "system:anonymous"},
  };
  for (const auto& c : cases) {
    const std::string kubeconfig = kauthd.Kubeconfig(c.name, c.user_fields);
    const auto run =
        RunCommand({"kubectl", "--kubeconfig", kubeconfig, "auth", "whoami", "-o", "json"});
    EXPECT_EQ(run.exit_code, 0) << c.name << "\n" << run.err;
    EXPECT_EQ(UsernameIn(run.out), c.username) << c.name << "\n" << run.out;
  }

  // A bad token: kubectl reports Unauthorized and fails.
  const std::string bad = kauthd.Kubeconfig("bad", "    token: wrong\n");
  const auto run = RunCommand({"kubectl", "--kubeconfig", bad, "auth", "whoami"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("Unauthorized"), std::string::npos) << run.err;
}

// R14.1 with the Python kubernetes client: a TokenReview by an allowed caller, and a 403 for
// another user.
TEST_F(KauthdE2eTest, R14_1_PythonClientTokenReview) {
  if (RunCommand({kPythonKubernetes, "-c", "import kubernetes"}).exit_code != 0) {
    GTEST_SKIP() << "python3-kubernetes is not installed (/usr/bin/python3 -c 'import kubernetes')";
  }
  Kauthd kauthd(pki_, {"--tokenreview-allowed-users=jane"});
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  const std::string script = R"(
import json, sys, kubernetes.client as k
c = k.Configuration()
c.host, c.ssl_ca_cert = sys.argv[1], sys.argv[2]
if len(sys.argv) > 5:
    c.cert_file, c.key_file = sys.argv[4], sys.argv[5]
else:
    c.api_key = {"authorization": "Bearer " + sys.argv[4]}
api = k.AuthenticationV1Api(k.ApiClient(c))
try:
    r = api.create_token_review(k.V1TokenReview(spec=k.V1TokenReviewSpec(token=sys.argv[3])))
    u = r.status.user
    print(json.dumps({"authenticated": r.status.authenticated, "error": r.status.error,
                      "username": u.username if u else None, "groups": u.groups if u else None}))
except k.exceptions.ApiException as e:
    print(json.dumps({"status": e.status}))
)";
  const std::string host = "https://127.0.0.1:" + kauthd.port();
  auto review = [&](const std::string& token, std::vector<std::string> credentials) {
    std::vector<std::string> argv = {kPythonKubernetes,   "-c", script, host,
                                     pki_.server_ca_file, token};
    argv.insert(argv.end(), credentials.begin(), credentials.end());
    return RunCommand(argv);
  };
  const std::vector<std::string> jane = {pki_.jane_cert_file, pki_.jane_key_file};

  auto valid = review(kAliceToken, jane);
  EXPECT_EQ(valid.out,
            "{\"authenticated\": true, \"error\": null, \"username\": \"alice\", \"groups\": "
            "[\"dev\", \"ops\", \"system:authenticated\"]}\n")
      << valid.err;
  // status.authenticated is omitempty in Kubernetes' types, so false arrives as null.
  auto invalid = review("wrong", jane);
  EXPECT_EQ(invalid.out,
            "{\"authenticated\": null, \"error\": \"invalid bearer token\", \"username\": null, "
            "\"groups\": null}\n")
      << invalid.err;
  auto forbidden = review(kAliceToken, {kAliceToken});
  EXPECT_EQ(forbidden.out, "{\"status\": 403}\n") << forbidden.err;
}

// Bad input against the binary: plain HTTP on the TLS port gets Go's answer, and kauthd keeps
// serving.
TEST_F(KauthdE2eTest, PlainHttpOnTlsPortAndKeepsServing) {
  Kauthd kauthd(pki_);
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  const std::string answer = PlainExchange(static_cast<std::uint16_t>(std::stoi(kauthd.port())),
                                           "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(answer,
            "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
  EXPECT_EQ(kauthd.Curl({}, "/healthz").status, 200);
}

// Bad input against the binary (random bytes, a 2 MiB header, control bytes in a header value, a
// request left unfinished) while other clients keep being served; after a warm-up round, repeating
// the round does not grow kauthd's resident memory.
TEST_F(KauthdE2eTest, BadInputKeepsServingAndMemoryStaysFlat) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's quarantine keeps freed memory resident: RSS is not "
                  "meaningful in this build";
#endif
  Kauthd kauthd(pki_);
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  const auto port = static_cast<std::uint16_t>(std::stoi(kauthd.port()));
  std::mt19937 random(42);

  auto exchange = [&](const std::string& request) {
    auto client = server::testing::TlsClient::Connect(port);
    if (!client || !client->Write(request)) return std::string();
    return client->ReadResponse();
  };
  auto round = [&] {
    std::string noise(4096, '\0');
    for (char& c : noise) c = static_cast<char>(random());
    PlainExchange(port, noise, 2s);
    const std::string huge =
        "GET /version HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2 << 20, 'a') + "\r\n\r\n";
    EXPECT_EQ(server::testing::StatusLine(exchange(huge)),
              "HTTP/1.1 431 Request Header Fields Too Large");
    EXPECT_EQ(server::testing::StatusLine(
                  exchange("GET /version HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n")),
              "HTTP/1.1 400 Bad Request");
    auto unfinished = server::testing::TlsClient::Connect(port);
    ASSERT_NE(unfinished, nullptr);
    ASSERT_TRUE(unfinished->Write("GET /version HTTP/1.1\r\nHost: x\r\n"));
    for (int i = 0; i < 100; ++i) {
      const std::string authorization = i % 3 == 0   ? std::string("Bearer ") + kAliceToken
                                        : i % 3 == 1 ? "Bearer wrong-" + std::to_string(i)
                                                     : "Basic eDp5";
      const std::string answer = exchange(
          "GET /version HTTP/1.1\r\nHost: x\r\nAuthorization: " + authorization + "\r\n\r\n");
      EXPECT_EQ(server::testing::StatusLine(answer),
                i % 3 == 1 ? "HTTP/1.1 401 Unauthorized" : "HTTP/1.1 200 OK")
          << i;
    }
  };

  // Warm-up: enough new connections to fill the TLS session cache (1,024 sessions).
  for (int i = 0; i < 4; ++i) round();
  const long warm = kauthd.process().RssKiB();
  for (int i = 0; i < 3; ++i) round();
  const long after = kauthd.process().RssKiB();
  EXPECT_GT(warm, 0);
  EXPECT_LE(after, warm + 2048) << "RSS grew from " << warm << " KiB to " << after << " KiB";
}

// SIGTERM: graceful shutdown, exit status 0.
TEST_F(KauthdE2eTest, SigtermExitsZero) {
  Kauthd kauthd(pki_);
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  EXPECT_EQ(kauthd.process().Stop(SIGTERM, 10s), 0) << kauthd.process().Stderr();
}

#ifdef __GLIBC__
// The environment block of a running process as its bytes (NUL-separated entries), searched as
// bytes: glibc's loader may write a NUL into GLIBC_TUNABLES where it parsed a known tunable.
bool EnvironHolds(pid_t pid, std::string_view text) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  const std::string environ{std::istreambuf_iterator<char>(in), {}};
  return environ.find(text) != std::string::npos;
}

// Sets GLIBC_TUNABLES for the kauthd processes a test starts (null: unset), and restores the
// test process's own on every way out.
class TunablesForChildren {
 public:
  explicit TunablesForChildren(const char* value) {
    if (const char* current = std::getenv("GLIBC_TUNABLES")) saved_ = current;
    Set(value);
  }
  ~TunablesForChildren() { Set(saved_ ? saved_->c_str() : nullptr); }
  static void Set(const char* value) {
    if (value != nullptr) {
      setenv("GLIBC_TUNABLES", value, 1);
    } else {
      unsetenv("GLIBC_TUNABLES");
    }
  }

 private:
  std::optional<std::string> saved_;
};

// kauthd re-executes itself once (same PID) with glibc's per-thread malloc cache deepened.
TEST_F(KauthdE2eTest, RunsWithDeeperMallocCache) {
  const TunablesForChildren unset(nullptr);
  Kauthd kauthd(pki_);
  ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
  EXPECT_TRUE(EnvironHolds(kauthd.process().pid(), "GLIBC_TUNABLES=glibc.malloc.tcache_count=128"));
  // Still named kauthd for ps and pkill.
  std::ifstream comm("/proc/" + std::to_string(kauthd.process().pid()) + "/comm");
  std::string name;
  std::getline(comm, name);
  EXPECT_EQ(name, "kauthd");
  EXPECT_EQ(
      kauthd.Curl({"-H", "Authorization: Bearer " + std::string(kAliceToken)}, "/version").status,
      200);
  EXPECT_EQ(kauthd.process().Stop(SIGTERM, 10s), 0) << kauthd.process().Stderr();
}

// An operator's own tcache setting is kept, and other tunables are kept next to kauthd's.
TEST_F(KauthdE2eTest, MallocTunablesOfTheOperatorAreKept) {
  {
    const TunablesForChildren own("glibc.malloc.tcache_count=7");
    Kauthd kauthd(pki_);
    ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
    EXPECT_TRUE(EnvironHolds(kauthd.process().pid(), "GLIBC_TUNABLES=glibc.malloc.tcache_count=7"));
    EXPECT_FALSE(EnvironHolds(kauthd.process().pid(), "tcache_count=128"));
  }
  {
    const TunablesForChildren other("glibc.malloc.mmap_threshold=262144");
    Kauthd kauthd(pki_);
    ASSERT_TRUE(kauthd.ok()) << kauthd.process().Stderr();
    EXPECT_TRUE(
        EnvironHolds(kauthd.process().pid(), "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=262144"));
    EXPECT_TRUE(EnvironHolds(kauthd.process().pid(), "glibc.malloc.tcache_count=128"));
  }
}
#endif

// A bad flag value stops start-up with one line naming the flag.
TEST(KauthdStartupTest, BadFlagFailsWithOneLine) {
  const auto run = RunCommand({KAUTHD_PATH, "--secure-port=x"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err,
            "Error: invalid argument \"x\" for \"--secure-port\" flag: strconv.ParseInt: parsing "
            "\"x\": invalid syntax\n");
}

TEST(KauthdStartupTest, MissingTokenFileNamesTheFlag) {
  const auto run = RunCommand({KAUTHD_PATH, "--token-auth-file=/nonexistent/tokens.csv"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err,
            "Error: --token-auth-file=/nonexistent/tokens.csv: open /nonexistent/tokens.csv: no "
            "such file or directory\n");
}

}  // namespace
}  // namespace kauth::e2e
